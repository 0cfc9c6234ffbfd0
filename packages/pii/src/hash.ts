import { hmacSha256Hex, InvalidInputError, sha256Hex } from '@coffer/core';
import { isPepper, type Pepper, pepperKey } from './pepper.js';

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/**
 * Whether `value` is a SHA-256 hex digest: 64 hexadecimal characters, any case, once surrounding
 * whitespace is trimmed. `hashUserData` asks this of the raw input only (an e-mail field holding a
 * digest passes through lower-cased instead of being hashed twice); an external id counts as
 * already hashed only in lower case, since ids keep their case.
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
 * SHA-256 hex of a normalized value, for forwarding to an ad platform. It hashes exactly what it is
 * given, always: a normalized value that happens to look like a hash (a name that was 64 hex
 * characters once its punctuation was removed) is hashed like any other. Deciding that input
 * arrived already hashed is `hashUserData`'s job, on the raw value; see {@link isSha256Hex}.
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
  return sha256Hex(normalized);
}

/**
 * The stored form of a normalized value: `<version>:<hex>`, where hex is HMAC-SHA-256 under that
 * pepper version of the value's SHA-256 hex (`HMAC(pepper, sha256hex(normalized))`). Unlike a plain
 * SHA-256, the result cannot be tested against a dictionary of e-mails or phone numbers without the
 * pepper. `version` defaults to the pepper's current one (give an older one to look up rows not yet
 * re-hashed). The value is always hashed first, even when it looks like a hash; for input that
 * arrived as a SHA-256 digest, use {@link hmacHashedForStorage}.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `normalized` is not a string.
 * @throws {InvalidPepperError} `INVALID_PEPPER` when `pepper` is not a pepper or has no key for
 *   `version`.
 * @example
 * ```ts
 * import { createPepper, hmacForStorage } from '@coffer/pii';
 *
 * const pepper = createPepper({ current: 'v1', keys: { v1: new Uint8Array(32).fill(7) } });
 * hmacForStorage('joe@example.com', pepper);
 * // 'v1:3733c2d38fdecb5343382d53ac8b008b544758b8350ff504f431c86688139e48'
 * ```
 */
export function hmacForStorage(normalized: string, pepper: Pepper, version?: string): string {
  if (typeof normalized !== 'string') {
    throw new InvalidInputError('hmacForStorage hashes a string: pass the normalized value');
  }
  return keyed(sha256Hex(normalized), pepper, version);
}

/**
 * The stored form of a value that arrived already hashed: `<version>:` + HMAC-SHA-256 under that
 * pepper version of the digest, lower-cased. For the SHA-256 of a normalized value this equals
 * {@link hmacForStorage} of the value itself, so an SDK that hashed on the device and one that sent
 * plaintext store the same string, provided the device hashed the same normalized form (the
 * `storage` profile's, which is Meta's: e-mail trimmed and lower-cased, phone E.164 digits without
 * `+`, …).
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `sha256` is not 64 hexadecimal characters
 *   (surrounding whitespace allowed).
 * @throws {InvalidPepperError} `INVALID_PEPPER` when `pepper` is not a pepper or has no key for
 *   `version`.
 * @example
 * ```ts
 * import { createPepper, hmacForStorage, hmacHashedForStorage, sha256ForPlatform } from '@coffer/pii';
 *
 * const pepper = createPepper({ current: 'v1', keys: { v1: new Uint8Array(32).fill(7) } });
 * hmacHashedForStorage(sha256ForPlatform('joe@example.com'), pepper) === hmacForStorage('joe@example.com', pepper); // true
 * ```
 */
export function hmacHashedForStorage(sha256: string, pepper: Pepper, version?: string): string {
  if (!isSha256Hex(sha256)) {
    throw new InvalidInputError(
      'hmacHashedForStorage keys a SHA-256 hex digest (64 hex characters)',
    );
  }
  return keyed(sha256.trim().toLowerCase(), pepper, version);
}

function keyed(digest: string, pepper: Pepper, version: string | undefined): string {
  const v = version ?? (isPepper(pepper) ? pepper.current : undefined);
  const key = pepperKey(pepper, v);
  return `${v}:${hmacSha256Hex(key, digest)}`;
}
