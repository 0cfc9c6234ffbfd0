// PostgreSQL specifics for the shared queries: timestamptz as Date, bytea as Buffer, jsonb bound
// as JSON text, and the SQLSTATE codes worth a retry.
import { fromHex, InvalidInputError } from '@coffer/core';
import type { DialectAdapter } from '@coffer/store-kysely';

const MAX_DATE_MS = 8.64e15;
// In JSON text, `\u0000` is NUL only when its backslash is not itself escaped (odd run of `\`).
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;
// JSON.stringify writes lone surrogates as \ud800-\udfff escapes (paired ones stay literal).
const SURROGATE_ESCAPE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/i;

function sqlState(error: unknown): unknown {
  return typeof error === 'object' && error !== null
    ? (error as { code?: unknown }).code
    : undefined;
}

/** @internal */
export const postgresAdapter: DialectAdapter = {
  dialect: 'postgres',
  beginWrite: 'begin',
  uuidIds: true,
  writableCte: true,
  nulFreeText: true,
  // Beyond JS Date's range (±8.64e15 ms) only comparisons make sense ("deleted before the end of
  // time"): PostgreSQL's infinities keep them exact.
  timeToDb: (ms) =>
    ms > MAX_DATE_MS ? 'infinity' : ms < -MAX_DATE_MS ? '-infinity' : new Date(ms),
  timeFromDb: (value) => (value instanceof Date ? value.getTime() : Date.parse(String(value))),
  bytesFromDb: (value) => {
    if (value instanceof Uint8Array) return new Uint8Array(value);
    // A host that turned off pg's type parsing gets bytea as '\x…' hex text.
    const text = String(value);
    return fromHex(text.startsWith('\\x') ? text.slice(2) : text);
  },
  // Bound as text: pg would turn a JS array into a PostgreSQL array literal, not JSON.
  jsonToDb: (value) => {
    const json = JSON.stringify(value);
    if (NUL_ESCAPE.test(json) || SURROGATE_ESCAPE.test(json)) {
      throw new InvalidInputError(
        'metadata contains the NUL character (U+0000) or an unpaired UTF-16 surrogate, which PostgreSQL jsonb cannot store. Remove it.',
        { details: { parameter: 'metadata' } },
      );
    }
    return json;
  },
  jsonFromDb: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
  // 40001 serialization_failure, 40P01 deadlock_detected.
  isTransient: (error) => {
    const code = sqlState(error);
    return code === '40001' || code === '40P01';
  },
  isUniqueViolation: (error) => sqlState(error) === '23505',
};
