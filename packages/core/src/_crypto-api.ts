// Validated crypto operations over a backend. Both backends go through the same checks, so they
// accept and reject exactly the same inputs; tests build one API per backend from this factory.
import { assertBytes } from './bytes.js';
import type { CryptoBackend } from './crypto-backend.js';
import { DecryptionError, InvalidInputError } from './errors.js';
import { toHex } from './hex.js';

const EMPTY = new Uint8Array(0);
const MAX_RANDOM = 1 << 20;
const MAX_HKDF = 255 * 32;

/** Options of {@link CryptoApi.hkdfSha256}. */
export interface HkdfOptions {
  /** Salt; defaults to empty, which RFC 5869 treats as 32 zero bytes. */
  salt?: Uint8Array;
  /** Context and application-specific information. */
  info?: Uint8Array;
  /** Output length in bytes, 1 to 8160. */
  length: number;
}

/**
 * Options of the AEAD seal functions.
 */
export interface AeadSealOptions {
  /**
   * Zero bytes to leave before the ciphertext in the returned array (0 to 65,536; default 0), so a
   * caller that prefixes a header writes it there instead of copying the ciphertext into a second
   * array. The ciphertext and tag start at index `headroom`.
   */
  readonly headroom?: number;
}

/** The largest headroom a seal leaves before its ciphertext. */
const MAX_HEADROOM = 65_536;

function headroomOf(options: AeadSealOptions | undefined): number {
  if (options === undefined) return 0;
  if (typeof options !== 'object' || options === null) {
    throw new InvalidInputError('options must be an object such as { headroom: 16 }', {
      details: { parameter: 'options' },
    });
  }
  const { headroom = 0 } = options;
  if (!Number.isSafeInteger(headroom) || headroom < 0 || headroom > MAX_HEADROOM) {
    throw new InvalidInputError(`headroom must be an integer from 0 to ${MAX_HEADROOM}`, {
      details: { parameter: 'headroom' },
    });
  }
  return headroom;
}

/** @internal The validated operations, as built for one backend. */
export interface CryptoApi {
  backend: 'node' | 'noble';
  randomBytes(length: number): Uint8Array;
  sha256(data: Uint8Array): Uint8Array;
  sha256Hex(data: string | Uint8Array): string;
  hmacSha256(key: Uint8Array, data: Uint8Array | string): Uint8Array;
  hmacSha256Hex(key: Uint8Array, data: Uint8Array | string): string;
  hkdfSha256(ikm: Uint8Array, options: HkdfOptions): Uint8Array;
  aes256GcmSeal(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad?: Uint8Array,
    options?: AeadSealOptions,
  ): Uint8Array;
  aes256GcmOpen(
    key: Uint8Array,
    nonce: Uint8Array,
    sealed: Uint8Array,
    aad?: Uint8Array,
  ): Uint8Array;
  xchacha20Poly1305Seal(
    key: Uint8Array,
    nonce: Uint8Array,
    plaintext: Uint8Array,
    aad?: Uint8Array,
    options?: AeadSealOptions,
  ): Uint8Array;
  xchacha20Poly1305Open(
    key: Uint8Array,
    nonce: Uint8Array,
    sealed: Uint8Array,
    aad?: Uint8Array,
  ): Uint8Array;
}

function assertData(value: unknown, name: string): asserts value is Uint8Array | string {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw new InvalidInputError(`${name} must be a Uint8Array or a string`, {
      details: { parameter: name },
    });
  }
}

function optionalAad(aad: Uint8Array | undefined): Uint8Array {
  if (aad === undefined) return EMPTY;
  assertBytes(aad, 'aad');
  return aad;
}

/** @internal */
export function createCryptoApi(b: CryptoBackend): CryptoApi {
  return {
    backend: b.name,
    randomBytes(length) {
      if (!Number.isSafeInteger(length) || length < 0 || length > MAX_RANDOM) {
        throw new InvalidInputError(`length must be an integer from 0 to ${MAX_RANDOM}`, {
          details: { parameter: 'length' },
        });
      }
      return b.randomBytes(length);
    },
    sha256(data) {
      assertBytes(data, 'data');
      return b.sha256(data);
    },
    sha256Hex(data) {
      assertData(data, 'data');
      return b.sha256Hex(data);
    },
    hmacSha256(key, data) {
      assertBytes(key, 'key');
      assertData(data, 'data');
      return b.hmacSha256(key, data);
    },
    hmacSha256Hex(key, data) {
      assertBytes(key, 'key');
      assertData(data, 'data');
      return toHex(b.hmacSha256(key, data));
    },
    hkdfSha256(ikm, options) {
      assertBytes(ikm, 'ikm');
      if (typeof options !== 'object' || options === null) {
        throw new InvalidInputError('options must be an object with a length', {
          details: { parameter: 'options' },
        });
      }
      const { length } = options;
      if (!Number.isSafeInteger(length) || length < 1 || length > MAX_HKDF) {
        throw new InvalidInputError(
          `HKDF-SHA-256 length must be an integer from 1 to ${MAX_HKDF}`,
          {
            details: { parameter: 'length' },
          },
        );
      }
      const salt = options.salt ?? EMPTY;
      const info = options.info ?? EMPTY;
      assertBytes(salt, 'salt');
      assertBytes(info, 'info');
      return b.hkdfSha256(ikm, salt, info, length);
    },
    aes256GcmSeal(key, nonce, plaintext, aad, options) {
      assertBytes(key, 'key', 32);
      assertBytes(nonce, 'nonce', 12);
      assertBytes(plaintext, 'plaintext');
      return b.aes256GcmSeal(key, nonce, plaintext, optionalAad(aad), headroomOf(options));
    },
    aes256GcmOpen(key, nonce, sealed, aad) {
      assertBytes(key, 'key', 32);
      assertBytes(nonce, 'nonce', 12);
      assertBytes(sealed, 'sealed');
      const out = b.aes256GcmOpen(key, nonce, sealed, optionalAad(aad));
      if (out === null) throw new DecryptionError();
      return out;
    },
    xchacha20Poly1305Seal(key, nonce, plaintext, aad, options) {
      assertBytes(key, 'key', 32);
      assertBytes(nonce, 'nonce', 24);
      assertBytes(plaintext, 'plaintext');
      return b.xchacha20Poly1305Seal(key, nonce, plaintext, optionalAad(aad), headroomOf(options));
    },
    xchacha20Poly1305Open(key, nonce, sealed, aad) {
      assertBytes(key, 'key', 32);
      assertBytes(nonce, 'nonce', 24);
      assertBytes(sealed, 'sealed');
      const out = b.xchacha20Poly1305Open(key, nonce, sealed, optionalAad(aad));
      if (out === null) throw new DecryptionError();
      return out;
    },
  };
}
