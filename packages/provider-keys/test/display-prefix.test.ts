// The display prefix: what a dashboard shows of a key. Known answers for the built-ins, and
// properties that hold for any provider's prefixes and any key: never more than four characters
// of the secret part, never more than an eighth of it, never more than a third of the key.
import { redact } from '@coffer/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anthropic,
  DISPLAY_ELLIPSIS,
  DISPLAY_TAIL_MAX,
  defineProvider,
  displayPrefix,
  google,
  mistral,
  openai,
  type ProviderDefinition,
} from '../src/index.js';
import {
  ANTHROPIC_KEY,
  GOOGLE_AUTH_KEY,
  GOOGLE_KEY,
  MISTRAL_KEY,
  OPENAI_KEY,
  OPENAI_LEGACY_KEY,
} from './keys.js';

describe('known answers', () => {
  it.each([
    [openai, OPENAI_KEY, 'sk-proj-…Zq9w'],
    [openai, OPENAI_LEGACY_KEY, 'sk-…g7H8'],
    [openai, `sk-svcacct-${'s1T2u3V4'.repeat(18)}`, 'sk-svcacct-…u3V4'],
    [anthropic, ANTHROPIC_KEY, 'sk-ant-api03-…XyAA'],
    [google, GOOGLE_KEY, 'AIza…k1Ll'],
    [google, GOOGLE_AUTH_KEY, 'AQ.…5Qr6'],
    [mistral, MISTRAL_KEY, '…JkL5'],
  ])('%#', (provider, key, expected) => {
    expect(displayPrefix(provider, key)).toBe(expected);
    expect(displayPrefix(provider, redact(key))).toBe(expected);
  });

  it('short and odd keys', () => {
    expect(displayPrefix(mistral, '')).toBe('…');
    expect(displayPrefix(mistral, 'abcdefg')).toBe('…');
    expect(displayPrefix(mistral, 'abcdefgh')).toBe('…h');
    // The prefix counts only with 8 characters after it; then one character of 11 may show.
    expect(displayPrefix(openai, 'sk-proj-abc')).toBe('…c');
    // A key that failed its format check still displays safely: no control characters shown.
    expect(displayPrefix(mistral, `${'a'.repeat(40)}\u0000\u0001\n\t`)).toBe('…');
  });

  it('refuses what is not a key', () => {
    expect(() => displayPrefix(openai, 42 as unknown as string)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

const prefixChar = fc.constantFrom(
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.'.split(''),
);
const prefixes = fc.uniqueArray(fc.string({ unit: prefixChar, minLength: 1, maxLength: 16 }), {
  maxLength: 6,
});
const keyChar = fc.constantFrom(
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'.split(''),
);

function providerWith(publicPrefixes: string[]): ProviderDefinition {
  return defineProvider({
    id: 'prop',
    displayName: 'Property',
    publicPrefixes,
    checkFormat: () => ({ ok: true }),
    validation: { request: () => ({ url: 'https://example.com', method: 'GET', headers: {} }) },
    classifyFailure: () => ({ kind: 'other' }),
  });
}

/** Splits a display into the prefix shown and the tail shown. */
function parts(display: string): [string, string] {
  const at = display.indexOf(DISPLAY_ELLIPSIS);
  return [display.slice(0, at), display.slice(at + DISPLAY_ELLIPSIS.length)];
}

describe('properties', () => {
  const cases = fc.tuple(
    prefixes,
    fc.option(fc.nat({ max: 5 }), { nil: undefined }),
    fc.string({ unit: keyChar, maxLength: 300 }),
  );

  it('shows a listed public prefix (or none), one ellipsis, and a short suffix of the key', () => {
    fc.assert(
      fc.property(cases, ([list, pick, rest]) => {
        const provider = providerWith(list);
        const chosen =
          pick === undefined || list.length === 0 ? '' : (list[pick % list.length] ?? '');
        const key = `${chosen}${rest}`;
        const display = displayPrefix(provider, key);
        expect(display.split(DISPLAY_ELLIPSIS).length).toBe(2);
        const [prefix, tail] = parts(display);
        expect(prefix === '' || provider.publicPrefixes.includes(prefix)).toBe(true);
        expect(key.startsWith(prefix)).toBe(true);
        expect(key.endsWith(tail)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('never shows more than 4, or an eighth, of the secret part, nor more than a third of the key', () => {
    fc.assert(
      fc.property(cases, ([list, pick, rest]) => {
        const provider = providerWith(list);
        const chosen =
          pick === undefined || list.length === 0 ? '' : (list[pick % list.length] ?? '');
        const key = `${chosen}${rest}`;
        const [prefix, tail] = parts(displayPrefix(provider, key));
        const secretLength = key.length - prefix.length;
        expect(tail.length).toBeLessThanOrEqual(DISPLAY_TAIL_MAX);
        expect(tail.length).toBeLessThanOrEqual(Math.floor(secretLength / 8));
        expect(prefix.length + tail.length).toBeLessThanOrEqual(Math.floor(key.length / 3));
        // A prefix counts only when at least 8 characters follow it.
        if (prefix !== '') expect(secretLength).toBeGreaterThanOrEqual(8);
      }),
      { numRuns: 1000 },
    );
  });

  it('keys that differ only in the hidden middle display the same', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: keyChar, minLength: 40, maxLength: 200 }),
        fc.string({ unit: keyChar, minLength: 1, maxLength: 1 }),
        fc.nat(),
        (body, replacement, at) => {
          const key = `sk-proj-${body}`;
          // Change one character that is neither in the public prefix nor in the last four.
          const index = 8 + (at % (body.length - 4));
          const changed = `${key.slice(0, index)}${replacement}${key.slice(index + 1)}`;
          expect(displayPrefix(openai, changed)).toBe(displayPrefix(openai, key));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('passes @coffer/vault’s preview rule (at most a third of the value, the … not counted)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 300 }), (key) => {
        for (const provider of [openai, anthropic, google, mistral]) {
          const shown = displayPrefix(provider, key).replaceAll('…', '');
          expect(shown.length).toBeLessThanOrEqual(Math.floor(key.length / 3));
          expect(shown.length).toBeLessThanOrEqual(64);
        }
      }),
      { numRuns: 500 },
    );
  });
});
