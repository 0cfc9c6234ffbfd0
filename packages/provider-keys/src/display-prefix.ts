import { InvalidInputError } from '@coffer/core';
import { keyText } from './_key-text.js';
import type { ProviderDefinition, ProviderKey } from './provider-definition.js';

/**
 * The ellipsis between the public prefix and the last characters, as the vault's previews use.
 *
 * @example
 * ```ts
 * import { DISPLAY_ELLIPSIS, displayPrefix, openai } from '@coffer/provider-keys';
 *
 * displayPrefix(openai, `sk-proj-${'A'.repeat(150)}x7Qa`).split(DISPLAY_ELLIPSIS); // ['sk-proj-', 'x7Qa']
 * ```
 */
export const DISPLAY_ELLIPSIS = '…';

/**
 * The most characters of a key's secret part a display prefix ever shows.
 *
 * @example
 * ```ts
 * import { DISPLAY_TAIL_MAX, displayPrefix, mistral } from '@coffer/provider-keys';
 *
 * displayPrefix(mistral, 'abcdefghijklmnopqrstuvwxyz012345').length; // 1 + DISPLAY_TAIL_MAX, i.e. 5
 * ```
 */
export const DISPLAY_TAIL_MAX = 4;

const VISIBLE_ASCII = /^[\x21-\x7e]*$/;

/**
 * What a dashboard may show of a key, e.g. `sk-proj-…x7Qa`: the longest public prefix of the
 * provider that the key starts with (`sk-proj-`, `sk-ant-api03-`, `AIza`; these carry no secret),
 * `…`, and the last few characters so the owner can tell keys apart. Never enough to rebuild the
 * key:
 *
 * - of the secret part (what follows the public prefix), at most 4 characters and at most an
 *   eighth of it are shown — none when it is shorter than 8 characters;
 * - everything shown (without the `…`) is at most a third of the key's length, so it also passes
 *   `@coffer/vault`'s preview rule; the prefix is dropped before that is broken;
 * - a public prefix counts only when at least 8 characters follow it.
 *
 * It is a pure function of the provider's `publicPrefixes` and the key: two keys that differ only
 * in their hidden middle display the same.
 *
 * @param provider The provider's definition (its `publicPrefixes`).
 * @param key The key, as text or `Redacted`.
 * @returns The display prefix.
 * @throws {InvalidInputError} `INVALID_INPUT` when `key` is neither a string nor a `Redacted`
 *   string.
 *
 * @example
 * ```ts
 * import { anthropic, displayPrefix, mistral, openai } from '@coffer/provider-keys';
 *
 * displayPrefix(openai, `sk-proj-${'A'.repeat(150)}x7Qa`); // 'sk-proj-…x7Qa'
 * displayPrefix(anthropic, `sk-ant-api03-${'B'.repeat(91)}igAA`); // 'sk-ant-api03-…igAA'
 * displayPrefix(mistral, 'abcdefghijklmnopqrstuvwxyz012345'); // '…2345'
 * displayPrefix(mistral, 'abcdefghijklmnop'); // '…op'
 * ```
 */
export function displayPrefix(provider: ProviderDefinition, key: ProviderKey): string {
  const text = keyText(key);
  if (text === undefined) {
    throw new InvalidInputError('key must be a string or a Redacted string', {
      details: { parameter: 'key' },
    });
  }
  let prefix = '';
  for (const candidate of provider.publicPrefixes) {
    if (candidate.length > prefix.length && text.startsWith(candidate)) {
      if (text.length - candidate.length >= 8) prefix = candidate;
    }
  }
  const secretLength = text.length - prefix.length;
  let tail = Math.min(DISPLAY_TAIL_MAX, Math.floor(secretLength / 8));
  let shownTail = text.slice(text.length - tail);
  // Only plain visible ASCII is ever shown (a key that failed its format check may hold anything).
  if (tail === 0 || !VISIBLE_ASCII.test(shownTail)) {
    tail = 0;
    shownTail = '';
  }
  const budget = Math.floor(text.length / 3);
  if (prefix.length + tail > budget) prefix = '';
  if (tail > budget) shownTail = '';
  return `${prefix}${DISPLAY_ELLIPSIS}${shownTail}`;
}
