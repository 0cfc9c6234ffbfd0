import { assertBytes, assertString } from './bytes.js';
import { EncodingError } from './errors.js';

const HEX = '0123456789abcdef';
const BYTE_TO_HEX: string[] = Array.from(
  { length: 256 },
  (_, i) => HEX[i >> 4] + (HEX[i & 15] ?? ''),
);

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  return -1;
}

/**
 * Encodes bytes as lower-case hex.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `bytes` is not a `Uint8Array`.
 * @example
 * ```ts
 * import { toHex } from '@coffer/core';
 *
 * toHex(new Uint8Array([0, 255])); // '00ff'
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_HEX[bytes[i] as number];
  return out;
}

/**
 * Decodes canonical lower-case hex. Upper-case digits, odd lengths, whitespace and prefixes such as
 * `0x` are rejected, so every byte string has exactly one accepted spelling.
 *
 * @throws {EncodingError} `INVALID_ENCODING` when the text is not canonical lower-case hex.
 * @throws {InvalidInputError} `INVALID_INPUT` when `text` is not a string.
 * @example
 * ```ts
 * import { fromHex } from '@coffer/core';
 *
 * fromHex('00ff'); // Uint8Array [0, 255]
 * ```
 */
export function fromHex(text: string): Uint8Array {
  assertString(text, 'text');
  if (text.length % 2 !== 0) throw new EncodingError('hex text must have an even length');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(text.charCodeAt(2 * i));
    const lo = nibble(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      throw new EncodingError('hex text may contain only the characters 0-9 and a-f');
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}
