import { assertBytes, assertString } from './bytes.js';
import { EncodingError } from './errors.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/**
 * Encodes bytes as Crockford base32 (upper case, no check symbol, no hyphens). Bits are taken
 * most-significant first; a final partial group is padded with zero bits.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `bytes` is not a `Uint8Array`.
 * @example
 * ```ts
 * import { toBase32Crockford } from '@coffer/core';
 *
 * toBase32Crockford(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff])); // 'ZZZZZZZZ'
 * ```
 */
export function toBase32Crockford(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    buffer = ((buffer << 8) | (bytes[i] as number)) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET.charAt((buffer >> bits) & 31);
    }
  }
  if (bits > 0) out += ALPHABET.charAt((buffer << (5 - bits)) & 31);
  return out;
}

/**
 * Decodes canonical Crockford base32: upper-case symbols of `0-9A-Z` without `I`, `L`, `O`, `U`.
 * The lenient aliases of Crockford's spec (lower case, `O`→0, `I`/`L`→1, hyphens) are rejected on
 * purpose, as are impossible lengths and non-zero padding bits: every byte string has exactly one
 * accepted spelling, which is what an identifier used for lookups needs.
 *
 * @throws {EncodingError} `INVALID_ENCODING` when the text is not canonical.
 * @throws {InvalidInputError} `INVALID_INPUT` when `text` is not a string.
 * @example
 * ```ts
 * import { fromBase32Crockford } from '@coffer/core';
 *
 * fromBase32Crockford('ZZZZZZZZ'); // Uint8Array [255, 255, 255, 255, 255]
 * ```
 */
export function fromBase32Crockford(text: string): Uint8Array {
  assertString(text, 'text');
  const byteLength = Math.floor((text.length * 5) / 8);
  if (Math.ceil((byteLength * 8) / 5) !== text.length) {
    throw new EncodingError('Crockford base32 text has an impossible length');
  }
  const out = new Uint8Array(byteLength);
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? (DECODE[code] as number) : -1;
    if (value < 0) {
      throw new EncodingError(
        'Crockford base32 text may contain only 0-9 and upper-case A-Z without I, L, O and U',
      );
    }
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 255;
    }
  }
  if (bits > 0 && (buffer & ((1 << bits) - 1)) !== 0) {
    throw new EncodingError('Crockford base32 text is not canonical (padding bits set)');
  }
  return out;
}
