import { hmacSha256Hex, sha256Hex } from '@coffer/core';
import type { Pepper } from './pepper.js';

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
 * @example
 * ```ts
 * import { normalizeEmail, sha256ForPlatform } from '@coffer/pii';
 *
 * const email = normalizeEmail(' Joe@Example.com ');
 * if (email.ok) sha256ForPlatform(email.value); // 'f0e7…' (64 hex characters)
 * ```
 */
export function sha256ForPlatform(normalized: string): string {
  if (isSha256Hex(normalized)) return normalized.trim().toLowerCase();
  return sha256Hex(normalized);
}

/**
 * HMAC-SHA-256 of a normalized value under the current pepper, as `<version>:<hex>`, for storing
 * and joining on. Unlike a plain SHA-256, it cannot be reversed by hashing a list of known e-mails
 * without the pepper. Already-hashed input (64 hex) is keyed too: a SHA-256 an SDK sent is just as
 * guessable as the address.
 *
 * @example
 * ```ts
 * import { createPepper, hmacForStorage } from '@coffer/pii';
 *
 * const pepper = createPepper({ current: 'v1', keys: { v1: new Uint8Array(32).fill(7) } });
 * hmacForStorage('joe@example.com', pepper).startsWith('v1:'); // true
 * ```
 */
export function hmacForStorage(
  normalized: string,
  pepper: Pepper,
  version: string = pepper.current,
): string {
  const key = pepper.key(version);
  const input = isSha256Hex(normalized) ? normalized.trim().toLowerCase() : normalized;
  return `${version}:${hmacSha256Hex(key, input)}`;
}
