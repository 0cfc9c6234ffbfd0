import { assertBytes, assertString } from './bytes.js';
import { utf8Encode } from './utf8.js';

/**
 * Compares two byte arrays in time that depends only on their lengths, never on where they first
 * differ. Arrays of different lengths are unequal (their lengths are not secret here).
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when an argument is not a `Uint8Array`.
 * @example
 * ```ts
 * import { constantTimeEqual } from '@coffer/core';
 *
 * constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])); // true
 * constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])); // false
 * ```
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  assertBytes(a, 'a');
  assertBytes(b, 'b');
  const length = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < length; i++) {
    // Out-of-range reads give undefined; `| 0` turns them into 0 without branching on the data.
    diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  }
  return diff === 0;
}

/**
 * Compares two strings (as UTF-8) in time that does not depend on where they first differ.
 * Use it for tokens, signatures and API keys; never `===`.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when an argument is not a string.
 * @example
 * ```ts
 * import { constantTimeEqualString } from '@coffer/core';
 *
 * constantTimeEqualString('sig=abc', 'sig=abc'); // true
 * ```
 */
export function constantTimeEqualString(a: string, b: string): boolean {
  assertString(a, 'a');
  assertString(b, 'b');
  return constantTimeEqual(utf8Encode(a), utf8Encode(b));
}
