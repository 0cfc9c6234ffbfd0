// The crypto operations of the active backend: node:crypto on Node, @noble/* elsewhere, chosen by
// the `#crypto` conditional import in package.json. Inputs are validated at this boundary.
import backend from '#crypto';
import { type AeadSealOptions, createCryptoApi, type HkdfOptions } from './_crypto-api.js';

const api = createCryptoApi(backend);

/**
 * Which backend is active: `'node'` (node:crypto/OpenSSL) or `'noble'` (@noble, portable).
 *
 * @example
 * ```ts
 * import { cryptoBackend } from '@coffer/core';
 *
 * cryptoBackend; // 'node' when running on Node.js
 * ```
 */
export const cryptoBackend: 'node' | 'noble' = api.backend;

/**
 * Cryptographically secure random bytes, straight from the system CSPRNG (OpenSSL on Node,
 * `crypto.getRandomValues` elsewhere); nothing is pooled in JavaScript memory.
 *
 * @param length Number of bytes, 0 to 1 MiB (1,048,576) on every backend.
 * @throws {InvalidInputError} `INVALID_INPUT` when `length` is not an integer in range.
 * @example
 * ```ts
 * import { randomBytes } from '@coffer/core';
 *
 * randomBytes(32).length; // 32
 * ```
 */
export function randomBytes(length: number): Uint8Array {
  return api.randomBytes(length);
}

/**
 * SHA-256 digest of bytes.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `data` is not a `Uint8Array`.
 * @example
 * ```ts
 * import { sha256, toHex, utf8Encode } from '@coffer/core';
 *
 * toHex(sha256(utf8Encode('abc'))); // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export function sha256(data: Uint8Array): Uint8Array {
  return api.sha256(data);
}

/**
 * SHA-256 of a string (as UTF-8) or bytes, as lower-case hex. The fastest way to hash text: on
 * Node it is one native call.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `data` is neither a string nor a `Uint8Array`.
 * @example
 * ```ts
 * import { sha256Hex } from '@coffer/core';
 *
 * sha256Hex('abc'); // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export function sha256Hex(data: string | Uint8Array): string {
  return api.sha256Hex(data);
}

/**
 * HMAC-SHA-256 of a string (as UTF-8) or bytes under `key`.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `key` is not a `Uint8Array` or `data` is neither a
 *   string nor a `Uint8Array`.
 * @example
 * ```ts
 * import { hmacSha256, utf8Encode } from '@coffer/core';
 *
 * hmacSha256(utf8Encode('key'), 'message').length; // 32
 * ```
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array | string): Uint8Array {
  return api.hmacSha256(key, data);
}

/**
 * HMAC-SHA-256 as lower-case hex.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` on wrong argument types.
 * @example
 * ```ts
 * import { hmacSha256Hex, utf8Encode } from '@coffer/core';
 *
 * hmacSha256Hex(utf8Encode('key'), 'The quick brown fox jumps over the lazy dog');
 * // 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8'
 * ```
 */
export function hmacSha256Hex(key: Uint8Array, data: Uint8Array | string): string {
  return api.hmacSha256Hex(key, data);
}

/**
 * HKDF-SHA-256 (RFC 5869): derives `length` bytes from input keying material.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `length` is outside 1..8160 or an argument has the
 *   wrong type.
 * @example
 * ```ts
 * import { hkdfSha256, utf8Encode } from '@coffer/core';
 *
 * const key = hkdfSha256(new Uint8Array(32), { info: utf8Encode('coffer example'), length: 32 });
 * key.length; // 32
 * ```
 */
export function hkdfSha256(ikm: Uint8Array, options: HkdfOptions): Uint8Array {
  return api.hkdfSha256(ikm, options);
}

/**
 * AES-256-GCM encryption with a 12-byte nonce and a 16-byte tag. Returns `ciphertext || tag`, after
 * `options.headroom` zero bytes when asked (room for a header, with no second copy of the ciphertext).
 * Never reuse a (key, nonce) pair.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when the key is not 32 bytes, the nonce not 12 bytes,
 *   an argument is not a `Uint8Array`, or the headroom is not an integer from 0 to 65,536.
 * @example
 * ```ts
 * import { aes256GcmOpen, aes256GcmSeal, randomBytes, utf8Encode } from '@coffer/core';
 *
 * const key = randomBytes(32);
 * const nonce = randomBytes(12);
 * const sealed = aes256GcmSeal(key, nonce, utf8Encode('hello'));
 * aes256GcmOpen(key, nonce, sealed); // the bytes of 'hello'
 *
 * // Two header bytes first, the ciphertext after them, in one array.
 * const framed = aes256GcmSeal(key, nonce, utf8Encode('hello'), undefined, { headroom: 2 });
 * framed.set([1, 0], 0);
 * aes256GcmOpen(key, nonce, framed.subarray(2)); // the bytes of 'hello'
 * ```
 */
export function aes256GcmSeal(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad?: Uint8Array,
  options?: AeadSealOptions,
): Uint8Array {
  return api.aes256GcmSeal(key, nonce, plaintext, aad, options);
}

/**
 * AES-256-GCM decryption of `ciphertext || tag`.
 *
 * @throws {DecryptionError} `DECRYPT_FAILED` when the tag does not verify (wrong key, nonce, aad, or
 *   any changed byte); nothing is returned in that case.
 * @throws {InvalidInputError} `INVALID_INPUT` on wrong sizes or types.
 * @example
 * ```ts
 * import { aes256GcmOpen, aes256GcmSeal, randomBytes } from '@coffer/core';
 *
 * const key = randomBytes(32);
 * const nonce = randomBytes(12);
 * const aad = new Uint8Array([1]);
 * aes256GcmOpen(key, nonce, aes256GcmSeal(key, nonce, new Uint8Array([42]), aad), aad); // [42]
 * ```
 */
export function aes256GcmOpen(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad?: Uint8Array,
): Uint8Array {
  return api.aes256GcmOpen(key, nonce, sealed, aad);
}

/**
 * XChaCha20-Poly1305 encryption with a 24-byte nonce (random nonces are safe) and a 16-byte tag.
 * Returns `ciphertext || tag`, after `options.headroom` zero bytes when asked.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when the key is not 32 bytes, the nonce not 24 bytes,
 *   an argument is not a `Uint8Array`, or the headroom is not an integer from 0 to 65,536.
 * @example
 * ```ts
 * import { randomBytes, xchacha20Poly1305Open, xchacha20Poly1305Seal } from '@coffer/core';
 *
 * const key = randomBytes(32);
 * const nonce = randomBytes(24);
 * xchacha20Poly1305Open(key, nonce, xchacha20Poly1305Seal(key, nonce, new Uint8Array([7]))); // [7]
 * ```
 */
export function xchacha20Poly1305Seal(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad?: Uint8Array,
  options?: AeadSealOptions,
): Uint8Array {
  return api.xchacha20Poly1305Seal(key, nonce, plaintext, aad, options);
}

/**
 * XChaCha20-Poly1305 decryption of `ciphertext || tag`.
 *
 * @throws {DecryptionError} `DECRYPT_FAILED` when the tag does not verify.
 * @throws {InvalidInputError} `INVALID_INPUT` on wrong sizes or types.
 * @example
 * ```ts
 * import { randomBytes, xchacha20Poly1305Open, xchacha20Poly1305Seal } from '@coffer/core';
 *
 * const key = randomBytes(32);
 * const nonce = randomBytes(24);
 * xchacha20Poly1305Open(key, nonce, xchacha20Poly1305Seal(key, nonce, new Uint8Array([7]))); // [7]
 * ```
 */
export function xchacha20Poly1305Open(
  key: Uint8Array,
  nonce: Uint8Array,
  sealed: Uint8Array,
  aad?: Uint8Array,
): Uint8Array {
  return api.xchacha20Poly1305Open(key, nonce, sealed, aad);
}

export type { AeadSealOptions, HkdfOptions };
