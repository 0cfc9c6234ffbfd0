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

const LONE_SURROGATE = /\p{Surrogate}/u;
const encoder = new TextEncoder();

// Typed arrays over 64 bytes live off the V8 heap and cost far more to allocate than the AES work
// on a small value, so synchronous callers encode into one reused buffer. A view of it is valid
// only until the next call: never across an await.
let scratch = new Uint8Array(1024);

function scratchBuffer(size: number): Uint8Array {
  if (size > scratch.length) scratch = new Uint8Array(Math.max(size, scratch.length * 2));
  return scratch.subarray(0, size);
}

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

/** A-Z a-z 0-9 _ . : / - */
function isKeyChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x2d && c <= 0x3a) || // - . / 0-9 :
    c === 0x5f
  );
}

function isValidKey(key: string): boolean {
  if (key.length < 1 || key.length > CONTEXT_LIMITS.maxKeyLength) return false;
  for (let i = 0; i < key.length; i++) if (!isKeyChar(key.charCodeAt(i))) return false;
  return true;
}

function writeU32(buffer: Uint8Array, offset: number, value: number): void {
  buffer[offset] = value >>> 24;
  buffer[offset + 1] = (value >>> 16) & 0xff;
  buffer[offset + 2] = (value >>> 8) & 0xff;
  buffer[offset + 3] = value & 0xff;
}

function tooLong(key: string): InvalidContextError {
  return new InvalidContextError(
    `context value of "${key}" is longer than ${CONTEXT_LIMITS.maxValueBytes} UTF-8 bytes`,
    { key, max: CONTEXT_LIMITS.maxValueBytes },
  );
}

/** Insertion sort: contexts are small, and keys are ASCII, so code-unit order is byte order. */
function sortKeys(keys: string[]): void {
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
}

/** Validates the map; returns its sorted keys and an upper bound of its encoded size. */
function readContext(context: unknown): { keys: string[]; values: string[]; bound: number } {
  const keys = contextKeys(context);
  if (keys.length > CONTEXT_LIMITS.maxEntries) {
    throw new InvalidContextError(
      `context has ${keys.length} entries; at most ${CONTEXT_LIMITS.maxEntries} are allowed`,
      { entries: keys.length, max: CONTEXT_LIMITS.maxEntries },
    );
  }
  sortKeys(keys);
  // Each value is read once, so a getter cannot hand the encoder something other than what was checked.
  const values: string[] = [];
  let bound = 4;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (!isValidKey(key)) {
      throw new InvalidContextError(
        `context key #${i + 1} (in sorted order) is invalid: keys must be 1-64 characters of A-Z a-z 0-9 _ . : / -`,
        { position: i },
      );
    }
    if (i > 0 && keys[i - 1] === key) {
      throw new InvalidContextError('context has a duplicate key', { key });
    }
    const value = (context as Record<string, unknown>)[key];
    if (typeof value !== 'string') {
      throw new InvalidContextError(`context value of "${key}" must be a string`, { key });
    }
    if (value.length > CONTEXT_LIMITS.maxValueBytes) throw tooLong(key);
    values.push(value);
    bound += 8 + key.length + value.length * 3;
  }
  return { keys, values, bound };
}

/** Writes a value as UTF-8 at `at`; returns the bytes written. ASCII is copied directly. */
function writeValue(key: string, value: string, buffer: Uint8Array, at: number): number {
  for (let j = 0; j < value.length; j++) {
    const c = value.charCodeAt(j);
    if (c > 0x7f) {
      if (LONE_SURROGATE.test(value)) {
        throw new InvalidContextError(
          `context value of "${key}" is not well-formed Unicode (it has a lone surrogate)`,
          { key },
        );
      }
      const written = encoder.encodeInto(value, buffer.subarray(at)).written;
      if (written > CONTEXT_LIMITS.maxValueBytes) throw tooLong(key);
      return written;
    }
    buffer[at + j] = c;
  }
  return value.length;
}

/**
 * @internal Writes `prefix || encode(context)` into a new buffer that has `reserve` spare bytes at
 * the end, and returns the buffer and where the encoding ends. Encoding: u32 BE entry count, then
 * per entry sorted by key (byte order): u32 BE key length, key (ASCII), u32 BE value length, value
 * (UTF-8). With `useScratch` the result is a view of a shared buffer, valid only until the next
 * call (synchronous use only).
 *
 * @throws {InvalidContextError} `INVALID_CONTEXT` when the map breaks a rule of {@link ContextMap}.
 */
export function encodeContextInto(
  context: unknown,
  prefix: ReadonlyArray<number>,
  reserve: number,
  useScratch = false,
): { buffer: Uint8Array; end: number } {
  try {
    const { keys, values, bound } = readContext(context);
    const size = prefix.length + bound + reserve;
    const buffer = useScratch ? scratchBuffer(size) : new Uint8Array(size);
    let offset = 0;
    for (let i = 0; i < prefix.length; i++) buffer[offset++] = prefix[i] as number;
    writeU32(buffer, offset, keys.length);
    offset += 4;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      writeU32(buffer, offset, key.length);
      offset += 4;
      for (let j = 0; j < key.length; j++) buffer[offset++] = key.charCodeAt(j);
      const written = writeValue(key, values[i] as string, buffer, offset + 4);
      writeU32(buffer, offset, written);
      offset += 4 + written;
    }
    return { buffer, end: offset };
  } catch (error) {
    if (error instanceof InvalidContextError) throw error;
    throw new InvalidContextError('context could not be read as a plain object of strings');
  }
}
