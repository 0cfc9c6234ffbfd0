import { assertBytes, assertString } from './bytes.js';
import { EncodingError } from './errors.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Encodes a string as UTF-8. Lone surrogates become U+FFFD, as `TextEncoder` specifies.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `text` is not a string.
 * @example
 * ```ts
 * import { utf8Encode } from '@coffer/core';
 *
 * utf8Encode('é'); // Uint8Array [195, 169]
 * ```
 */
export function utf8Encode(text: string): Uint8Array {
  assertString(text, 'text');
  return encoder.encode(text);
}

/**
 * Decodes UTF-8 strictly: invalid sequences are an error, not replacement characters, and a
 * leading byte-order mark is kept as U+FEFF rather than silently dropped.
 *
 * @throws {EncodingError} `INVALID_ENCODING` when the bytes are not valid UTF-8.
 * @throws {InvalidInputError} `INVALID_INPUT` when `bytes` is not a `Uint8Array`.
 * @example
 * ```ts
 * import { utf8Decode } from '@coffer/core';
 *
 * utf8Decode(new Uint8Array([195, 169])); // 'é'
 * ```
 */
export function utf8Decode(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  try {
    return decoder.decode(bytes);
  } catch {
    throw new EncodingError('bytes are not valid UTF-8');
  }
}
