import { assertBytes, assertString } from './bytes.js';
import { EncodingError } from './errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/**
 * Encodes bytes as base64url (RFC 4648 §5) without padding.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `bytes` is not a `Uint8Array`.
 * @example
 * ```ts
 * import { toBase64Url } from '@coffer/core';
 *
 * toBase64Url(new Uint8Array([251, 255])); // '-_8'
 * ```
 */
export function toBase64Url(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n =
      ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63);
    out += ALPHABET.charAt((n >> 6) & 63) + ALPHABET.charAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63);
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out +=
      ALPHABET.charAt(n >> 18) + ALPHABET.charAt((n >> 12) & 63) + ALPHABET.charAt((n >> 6) & 63);
  }
  return out;
}

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  const value = code < 128 ? (DECODE[code] as number) : -1;
  if (value < 0) {
    throw new EncodingError(
      'base64url text may contain only A-Z, a-z, 0-9, "-" and "_" (no padding)',
    );
  }
  return value;
}

/**
 * Decodes canonical, unpadded base64url. Padding, `+`/`/`, whitespace, impossible lengths and
 * non-zero unused trailing bits are rejected, so every byte string has exactly one accepted spelling.
 *
 * @throws {EncodingError} `INVALID_ENCODING` when the text is not canonical base64url.
 * @throws {InvalidInputError} `INVALID_INPUT` when `text` is not a string.
 * @example
 * ```ts
 * import { fromBase64Url } from '@coffer/core';
 *
 * fromBase64Url('-_8'); // Uint8Array [251, 255]
 * ```
 */
export function fromBase64Url(text: string): Uint8Array {
  assertString(text, 'text');
  const rest = text.length % 4;
  if (rest === 1) throw new EncodingError('base64url text has an impossible length');
  const full = text.length - rest;
  const out = new Uint8Array((full / 4) * 3 + (rest === 0 ? 0 : rest - 1));
  let o = 0;
  for (let i = 0; i < full; i += 4) {
    const n =
      (sextet(text, i) << 18) |
      (sextet(text, i + 1) << 12) |
      (sextet(text, i + 2) << 6) |
      sextet(text, i + 3);
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  if (rest === 2) {
    const a = sextet(text, full);
    const b = sextet(text, full + 1);
    if ((b & 15) !== 0)
      throw new EncodingError('base64url text is not canonical (trailing bits set)');
    out[o] = (a << 2) | (b >> 4);
  } else if (rest === 3) {
    const a = sextet(text, full);
    const b = sextet(text, full + 1);
    const c = sextet(text, full + 2);
    if ((c & 3) !== 0)
      throw new EncodingError('base64url text is not canonical (trailing bits set)');
    out[o++] = (a << 2) | (b >> 4);
    out[o] = ((b & 15) << 4) | (c >> 2);
  }
  return out;
}
