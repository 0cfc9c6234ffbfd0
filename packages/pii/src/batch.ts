import { InvalidInputError, isCofferError } from '@coffer/core';
import {
  checkOptions,
  type HashedUserData,
  type HashUserDataOptions,
  hashUserData,
} from './hash-user-data.js';

/** One record's outcome in a batch: its hashed data, or its error. */
export type BatchResult =
  | ({ readonly index: number; readonly ok: true } & HashedUserData)
  | {
      readonly index: number;
      readonly ok: false;
      readonly error: {
        readonly code: string;
        readonly message: string;
        readonly details?: unknown;
      };
    };

function one(record: unknown, index: number, options: HashUserDataOptions): BatchResult {
  try {
    return { index, ok: true, ...hashUserData(record, options) };
  } catch (error) {
    // Only coffer's own errors carry a safe message; anything else is reported generically.
    if (isCofferError(error) && error.code !== 'INVALID_INPUT') {
      return {
        index,
        ok: false,
        error: { code: error.code, message: error.message, details: error.details },
      };
    }
    if (isCofferError(error)) throw error; // bad options: every record would fail the same way
    return { index, ok: false, error: { code: 'INTERNAL', message: 'hashing this record failed' } };
  }
}

/**
 * Hashes many records with {@link hashUserData}; a bad record yields an error result (with its
 * index, never its values) and the rest go on.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` for bad options or when `records` is not an array
 *   (before any record is touched).
 * @example
 * ```ts
 * import { hashUserDataBatch, tiktok } from '@coffer/pii';
 *
 * const results = hashUserDataBatch([{ email: 'a@example.com' }, { email: 42 }], { profile: tiktok });
 * results.map((r) => r.ok); // [true, false]
 * ```
 */
export function hashUserDataBatch(
  records: readonly unknown[],
  options: HashUserDataOptions,
): BatchResult[] {
  checkOptions(options); // before any record
  if (!Array.isArray(records)) {
    throw new InvalidInputError('hashUserDataBatch needs an array of records');
  }
  const out: BatchResult[] = new Array(records.length);
  for (let i = 0; i < records.length; i++) out[i] = one(records[i], i, options);
  return out;
}

/**
 * Hashes a stream of records (any iterable or async iterable, e.g. a queue consumer), yielding one
 * result per record in order; errors are per record and do not end the stream.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` for bad options or when `records` is not iterable,
 *   on the first iteration.
 * @example
 * ```ts
 * import { hashUserDataStream, meta } from '@coffer/pii';
 *
 * async function* events() {
 *   yield { email: 'a@example.com' };
 *   yield { phone: '+44 7911 123456' };
 * }
 * for await (const result of hashUserDataStream(events(), { profile: meta })) {
 *   if (result.ok) console.log(result.index, Object.keys(result.userData));
 * }
 * ```
 */
export async function* hashUserDataStream(
  records: AsyncIterable<unknown> | Iterable<unknown>,
  options: HashUserDataOptions,
): AsyncGenerator<BatchResult, void, undefined> {
  checkOptions(options);
  const source: unknown = records;
  if (
    typeof source !== 'object' ||
    source === null ||
    (typeof (source as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== 'function' &&
      typeof (source as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function')
  ) {
    throw new InvalidInputError(
      'hashUserDataStream needs an iterable or async iterable of records',
    );
  }
  let index = 0;
  for await (const record of records) {
    yield one(record, index, options);
    index += 1;
  }
}
