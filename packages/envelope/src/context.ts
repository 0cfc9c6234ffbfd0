// The context map and its canonical byte encoding, which both layers authenticate.
import { InvalidContextError } from './errors.js';

/**
 * String key/value pairs a sealed value is bound to (vault id, tenant, purpose …). The same map
 * must be given to open the value; any difference fails with `DECRYPT_FAILED`.
 *
 * Keys: 1-64 characters of `A-Z a-z 0-9 _ . : / -`. Values: any well-formed string (no lone
 * surrogates) of at most 4096 UTF-8 bytes, empty allowed. At most 32 entries. Order does not
 * matter: the map is encoded sorted by key.
 *
 * @example
 * ```ts
 * import type { ContextMap } from '@coffer/envelope';
 *
 * const context: ContextMap = { vaultId: 'v_123', tenant: 'acme', purpose: 'meta-capi-token' };
 * ```
 */
export type ContextMap = Readonly<Record<string, string>>;

/** @internal Limits of a context map. */
export const CONTEXT_LIMITS: { maxEntries: number; maxKeyLength: number; maxValueBytes: number } = {
  maxEntries: 32,
  maxKeyLength: 64,
  maxValueBytes: 4096,
};

const KEY_PATTERN = /^[A-Za-z0-9_.:/-]{1,64}$/;
const LONE_SURROGATE = /\p{Surrogate}/u;
const encoder = new TextEncoder();

function contextKeys(context: unknown): string[] {
  if (typeof context !== 'object' || context === null || Array.isArray(context)) {
    throw new InvalidContextError(
      'context must be a plain object of string keys and string values, e.g. { vaultId: "v_1" }; pass {} for none',
    );
  }
  const proto: unknown = Object.getPrototypeOf(context);
  if (proto !== Object.prototype && proto !== null) {
    throw new InvalidContextError(
      'context must be a plain object (not a Map, class instance or array) of string keys and string values',
    );
  }
  if (Object.getOwnPropertySymbols(context).length > 0) {
    throw new InvalidContextError('context keys must be strings, not symbols');
  }
  return Object.keys(context);
}

function readValue(context: object, key: string): unknown {
  return (context as Record<string, unknown>)[key];
}

/**
 * @internal Writes `prefix || encode(context)` into a new buffer that has `reserve` spare bytes at
 * the end, and returns the buffer and where the encoding ends. Encoding: u32 BE entry count, then
 * per entry sorted by key (byte order): u32 BE key length, key (ASCII), u32 BE value length, value
 * (UTF-8).
 *
 * @throws {InvalidContextError} `INVALID_CONTEXT` when the map breaks a rule of {@link ContextMap}.
 */
export function encodeContextInto(
  context: unknown,
  prefix: ReadonlyArray<number>,
  reserve: number,
): { buffer: Uint8Array; end: number } {
  let keys: string[];
  const values: string[] = [];
  let bound = prefix.length + 4 + reserve;
  try {
    keys = contextKeys(context);
    if (keys.length > CONTEXT_LIMITS.maxEntries) {
      throw new InvalidContextError(
        `context has ${keys.length} entries; at most ${CONTEXT_LIMITS.maxEntries} are allowed`,
        { entries: keys.length, max: CONTEXT_LIMITS.maxEntries },
      );
    }
    keys.sort();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (!KEY_PATTERN.test(key)) {
        throw new InvalidContextError(
          `context key #${i + 1} (in sorted order) is invalid: keys must be 1-64 characters of A-Z a-z 0-9 _ . : / -`,
          { position: i },
        );
      }
      if (i > 0 && keys[i - 1] === key) {
        throw new InvalidContextError('context has a duplicate key', { key });
      }
      const value = readValue(context as object, key);
      if (typeof value !== 'string') {
        throw new InvalidContextError(`context value of "${key}" must be a string`, { key });
      }
      if (value.length > CONTEXT_LIMITS.maxValueBytes) {
        throw new InvalidContextError(
          `context value of "${key}" is longer than ${CONTEXT_LIMITS.maxValueBytes} UTF-8 bytes`,
          { key, max: CONTEXT_LIMITS.maxValueBytes },
        );
      }
      if (LONE_SURROGATE.test(value)) {
        throw new InvalidContextError(
          `context value of "${key}" is not well-formed Unicode (it has a lone surrogate)`,
          { key },
        );
      }
      values.push(value);
      bound += 8 + key.length + value.length * 3;
    }
  } catch (error) {
    if (error instanceof InvalidContextError) throw error;
    throw new InvalidContextError('context could not be read as a plain object of strings');
  }
  const buffer = new Uint8Array(bound);
  const view = new DataView(buffer.buffer);
  let offset = 0;
  for (const byte of prefix) buffer[offset++] = byte;
  view.setUint32(offset, keys.length);
  offset += 4;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    view.setUint32(offset, key.length);
    offset += 4;
    for (let j = 0; j < key.length; j++) buffer[offset++] = key.charCodeAt(j);
    const value = values[i] as string;
    const written = encoder.encodeInto(value, buffer.subarray(offset + 4)).written;
    if (written > CONTEXT_LIMITS.maxValueBytes) {
      throw new InvalidContextError(
        `context value of "${key}" is longer than ${CONTEXT_LIMITS.maxValueBytes} UTF-8 bytes`,
        { key, max: CONTEXT_LIMITS.maxValueBytes },
      );
    }
    view.setUint32(offset, written);
    offset += 4 + written;
  }
  return { buffer, end: offset };
}
