import { hmacSha256Hex, InvalidInputError, sha256Hex } from '@coffer/core';
import { isPepper, type Pepper, pepperKey } from './pepper.js';

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/**
 * Whether `value` (after trimming) is already a SHA-256 hex digest: 64 hexadecimal characters. Such
 * values are passed through lower-cased instead of being hashed twice.
 *
 * @example
 * ```ts
 * import { isSha256Hex } from '@coffer/pii';
 *
 * isSha256Hex(' ' + 'A'.repeat(64)); // true
 * isSha256Hex('joe@example.com'); // false
 * ```
 */
export function isSha256Hex(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 64 &&
    value.length <= 128 &&
    SHA256_HEX.test(value.length === 64 ? value : value.trim())
  );
}

/**
 * SHA-256 hex of a normalized value, for forwarding to an ad platform; an input that is already a
 * SHA-256 hex digest comes back trimmed and lower-cased, not hashed again. Normalize first: this
 * function hashes exactly what it is given.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `normalized` is not a string.
 * @example
 * ```ts
 * import { normalizeEmail, sha256ForPlatform } from '@coffer/pii';
 *
 * const email = normalizeEmail(' Joe@Example.com ');
 * if (email.ok) sha256ForPlatform(email.value);
 * // '2481f36dfc515ca76451aaadf1399026942a01ee50c6d0a61988b43cef039bc2'
 * ```
 */
export function sha256ForPlatform(normalized: string): string {
  if (typeof normalized !== 'string') {
    throw new InvalidInputError('sha256ForPlatform hashes a string: pass the normalized value');
  }
  if (isSha256Hex(normalized)) return normalized.trim().toLowerCase();
  return sha256Hex(normalized);
}

/**
 * The stored form of a normalized value: `<version>:<hex>`, where hex is HMAC-SHA-256 under that
 * pepper version of the value's SHA-256 hex (`HMAC(pepper, sha256hex(normalized))`). An input that
 * is already a SHA-256 hex digest (an SDK that hashed on the device) is keyed as it is, lower-cased
 * (`HMAC(pepper, hex)`), so the plaintext and the pre-hashed spelling of one address store the same
 * value and still join. Unlike a plain SHA-256, the result cannot be tested against a dictionary of
 * e-mails or phone numbers without the pepper. `version` defaults to the pepper's current one
 * (give an older one to look up rows not yet re-hashed).
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `normalized` is not a string.
 * @throws {InvalidPepperError} `INVALID_PEPPER` when `pepper` is not a pepper or has no key for
 *   `version`.
 * @example
 * ```ts
 * import { createPepper, hmacForStorage, sha256ForPlatform } from '@coffer/pii';
 *
 * const pepper = createPepper({ current: 'v1', keys: { v1: new Uint8Array(32).fill(7) } });
 * hmacForStorage('joe@example.com', pepper);
 * // 'v1:3733c2d38fdecb5343382d53ac8b008b544758b8350ff504f431c86688139e48'
 * hmacForStorage(sha256ForPlatform('joe@example.com'), pepper) === hmacForStorage('joe@example.com', pepper); // true
 * ```
 */
export function hmacForStorage(normalized: string, pepper: Pepper, version?: string): string {
  if (typeof normalized !== 'string') {
    throw new InvalidInputError('hmacForStorage hashes a string: pass the normalized value');
  }
  const v = version ?? (isPepper(pepper) ? pepper.current : undefined);
  const key = pepperKey(pepper, v);
  const digest = isSha256Hex(normalized) ? normalized.trim().toLowerCase() : sha256Hex(normalized);
  return `${v}:${hmacSha256Hex(key, digest)}`;
}
