// Stored text ↔ a declaration's value. Every value crosses here when it is set (the format check
// that refuses a malformed value before anything is written) and when it is loaded (so a value
// someone wrote around coffer is refused too, not served).
import { fromBase64Url, fromHex, randomBytes, toBase64Url, toHex } from '@coffer/core';
import { safeParse } from 'zod/v4/core';
import type { SecretDeclaration } from './declarations.js';
import { SecretFormatError } from './errors.js';

/** Longest stored text accepted (characters). Provider keys and PEM blocks fit easily. */
export const MAX_SECRET_TEXT = 65_536;

/** Checks `text` against the declaration and returns the value its accessor serves. */
export function decodeSecretText(
  name: string,
  declaration: SecretDeclaration,
  text: unknown,
): unknown {
  if (typeof text !== 'string') throw new SecretFormatError(name, 'is not text');
  if (text.length === 0) throw new SecretFormatError(name, 'is empty');
  if (text.length > MAX_SECRET_TEXT) {
    throw new SecretFormatError(name, `is longer than ${MAX_SECRET_TEXT} characters`);
  }
  if (declaration.mode === 'random') {
    const { bytes, encoding } = declaration;
    let decoded: Uint8Array;
    try {
      decoded = encoding === 'hex' ? fromHex(text) : fromBase64Url(text);
    } catch {
      throw new SecretFormatError(
        name,
        `is not canonical ${encoding === 'hex' ? 'lower-case hex' : 'unpadded base64url'}`,
      );
    }
    if (decoded.length !== bytes) {
      decoded.fill(0);
      throw new SecretFormatError(name, `does not decode to the declared ${bytes} bytes`, {
        details: { expectedBytes: bytes },
      });
    }
    if (encoding === 'bytes') return decoded;
    decoded.fill(0);
    return text;
  }
  const { format } = declaration;
  if (format === undefined) return text;
  if (format instanceof RegExp) {
    if (!format.test(text))
      throw new SecretFormatError(name, 'does not match its declared pattern');
    return text;
  }
  let result: ReturnType<typeof safeParse>;
  try {
    result = safeParse(format, text);
  } catch {
    // An asynchronous refinement, or a schema that throws: either way, not a checkable format.
    throw new SecretFormatError(
      name,
      'could not be checked by its schema (use a synchronous schema)',
    );
  }
  if (!result.success) {
    // Issue codes only: zod messages can be customised to quote the input.
    throw new SecretFormatError(name, 'does not match its declared schema', {
      details: { issues: result.error.issues.map((issue) => issue.code) },
    });
  }
  return result.data;
}

/** A fresh random value's stored text for a random declaration. */
export function randomSecretText(bytes: number, encoding: 'base64url' | 'hex' | 'bytes'): string {
  const raw = randomBytes(bytes);
  const text = encoding === 'hex' ? toHex(raw) : toBase64Url(raw);
  raw.fill(0);
  return text;
}
