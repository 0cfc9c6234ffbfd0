// The checks every key gets before its provider's own format check (internal).
import { Redacted } from '@coffer/core';
import type { KeyFormatReason, ProviderKey } from './provider-definition.js';

/**
 * The longest key any provider may have: longer input is refused before any pattern runs.
 *
 * @example
 * ```ts
 * import { checkKeyFormat, MAX_KEY_LENGTH, openai } from '@coffer/provider-keys';
 *
 * checkKeyFormat(openai, `sk-proj-${'a'.repeat(MAX_KEY_LENGTH)}`); // { ok: false, reason: 'too_long' }
 * ```
 */
export const MAX_KEY_LENGTH = 4096;

const WHITESPACE = /\s/u;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/** The key's text, or `undefined` when it is neither a string nor a `Redacted` string. */
export function keyText(key: ProviderKey | unknown): string | undefined {
  if (typeof key === 'string') return key;
  if (Redacted.isRedacted(key)) {
    const value = (key as Redacted<unknown>).expose();
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/**
 * What is wrong with a key before any provider looks at it: not a string, empty, longer than
 * {@link MAX_KEY_LENGTH}, whitespace anywhere (a key is never trimmed: a pasted newline is
 * reported, not silently removed), or anything but visible ASCII (a Cyrillic `ѕ` in `ѕk-…`, a
 * zero-width space, a control character).
 */
export function basicKeyProblem(key: string | undefined): KeyFormatReason | undefined {
  if (key === undefined) return 'not_a_string';
  if (key.length === 0) return 'empty';
  if (key.length > MAX_KEY_LENGTH) return 'too_long';
  if (WHITESPACE.test(key)) return 'whitespace';
  if (!VISIBLE_ASCII.test(key)) return 'invalid_characters';
  return undefined;
}
