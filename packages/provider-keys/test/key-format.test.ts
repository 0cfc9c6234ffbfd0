// Format checks: what each built-in accepts, and a hostile-input table (wrong types, empty,
// whitespace, look-alike letters, control characters, too long, another provider's key).
import { redact } from '@coffer/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anthropic,
  builtInProviders,
  checkKeyFormat,
  defineProvider,
  google,
  KEY_FORMAT_REASONS,
  type KeyFormatResult,
  MAX_KEY_LENGTH,
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

const ok: KeyFormatResult = { ok: true };
const no = (reason: string) => ({ ok: false, reason });

describe('each provider accepts its keys', () => {
  it.each([
    ['openai', openai, OPENAI_KEY],
    ['openai (legacy sk-)', openai, OPENAI_LEGACY_KEY],
    ['openai (service account)', openai, `sk-svcacct-${'s1T2u3V4'.repeat(18)}`],
    ['anthropic', anthropic, ANTHROPIC_KEY],
    ['google (standard AIza)', google, GOOGLE_KEY],
    ['google (auth key AQ.)', google, GOOGLE_AUTH_KEY],
    ['mistral', mistral, MISTRAL_KEY],
  ])('%s', (_name, provider, key) => {
    expect(checkKeyFormat(provider, key)).toEqual(ok);
    expect(checkKeyFormat(provider, redact(key))).toEqual(ok);
  });
});

describe('hostile input', () => {
  const common: [string, unknown, string][] = [
    ['a number', 42, 'not_a_string'],
    ['null', null, 'not_a_string'],
    ['undefined', undefined, 'not_a_string'],
    ['an object', { key: OPENAI_KEY }, 'not_a_string'],
    ['a Redacted number', redact(42), 'not_a_string'],
    ['a look-alike Redacted', { expose: () => OPENAI_KEY }, 'not_a_string'],
    ['empty', '', 'empty'],
    ['a leading space', ` ${OPENAI_KEY}`, 'whitespace'],
    ['a trailing newline (a paste)', `${OPENAI_KEY}\n`, 'whitespace'],
    ['a tab inside', `${OPENAI_KEY.slice(0, 20)}\t${OPENAI_KEY.slice(20)}`, 'whitespace'],
    ['a no-break space', `${OPENAI_KEY}\u00a0`, 'whitespace'],
    ['an ideographic space', `\u3000${OPENAI_KEY}`, 'whitespace'],
    [
      'a zero-width space',
      `${OPENAI_KEY.slice(0, 20)}\u200b${OPENAI_KEY.slice(20)}`,
      'invalid_characters',
    ],
    ['Cyrillic s in sk-', `\u0455k-proj-${'a'.repeat(40)}`, 'invalid_characters'],
    ['full-width letters', `ｓｋ-proj-${'a'.repeat(40)}`, 'invalid_characters'],
    ['a NUL', `${OPENAI_KEY}\u0000`, 'invalid_characters'],
    ['an escape sequence', `\u001b[31m${OPENAI_KEY}`, 'invalid_characters'],
    ['a lone surrogate', `${OPENAI_KEY}\ud800`, 'invalid_characters'],
    ['an emoji', `sk-proj-${'a'.repeat(40)}🔑`, 'invalid_characters'],
    ['longer than the cap', `sk-proj-${'a'.repeat(MAX_KEY_LENGTH)}`, 'too_long'],
  ];
  for (const provider of builtInProviders) {
    it.each(common)(`${provider.id}: %s → %s`, (_name, key, reason) => {
      expect(checkKeyFormat(provider, key as string)).toEqual(no(reason));
    });
  }

  it('a megabyte of input is refused by length before any pattern runs', () => {
    expect(checkKeyFormat(openai, 'sk-'.repeat(400_000))).toEqual(no('too_long'));
  });
});

describe('provider rules', () => {
  const cases: [string, ProviderDefinition, string, string][] = [
    ['OpenAI admin key', openai, `sk-admin-${'a'.repeat(40)}`, 'admin_key'],
    ['an Anthropic key given to OpenAI', openai, ANTHROPIC_KEY, 'wrong_provider'],
    ['a Google key given to OpenAI', openai, GOOGLE_KEY, 'wrong_provider'],
    ['a Mistral-shaped key given to OpenAI', openai, MISTRAL_KEY, 'wrong_prefix'],
    ['sk- with too short a body', openai, 'sk-proj-abc', 'wrong_length'],
    ['sk- with a dot', openai, `sk-proj-${'a'.repeat(30)}.x`, 'invalid_characters'],
    ['OpenAI too long', openai, `sk-${'a'.repeat(500)}`, 'wrong_length'],
    ['Anthropic admin key', anthropic, `sk-ant-admin01-${'a'.repeat(93)}AA`, 'admin_key'],
    [
      'Anthropic OAuth token',
      anthropic,
      `sk-ant-oat01-${'a'.repeat(93)}AA`,
      'unsupported_key_type',
    ],
    ['an OpenAI key given to Anthropic', anthropic, OPENAI_KEY, 'wrong_provider'],
    ['sk-ant-api03 too short', anthropic, `sk-ant-api03-${'a'.repeat(10)}`, 'wrong_length'],
    ['sk-ant-apiXX', anthropic, `sk-ant-apiXX-${'a'.repeat(93)}`, 'unsupported_key_type'],
    ['AIza one short', google, GOOGLE_KEY.slice(0, -1), 'wrong_length'],
    ['AIza one long', google, `${GOOGLE_KEY}x`, 'wrong_length'],
    ['AIza with a dot', google, `AIza${'a'.repeat(34)}.`, 'invalid_characters'],
    ['aiza lower case', google, GOOGLE_KEY.toLowerCase(), 'wrong_prefix'],
    ['AQ. too short', google, 'AQ.Ab12', 'wrong_length'],
    ['an OpenAI key given to Google', google, OPENAI_KEY, 'wrong_provider'],
    ['an OpenAI key given to Mistral', mistral, OPENAI_KEY, 'wrong_provider'],
    ['a Google key given to Mistral', mistral, GOOGLE_KEY, 'wrong_provider'],
    ['an Anthropic key given to Mistral', mistral, ANTHROPIC_KEY, 'wrong_provider'],
    ['Mistral too short', mistral, 'abc123', 'wrong_length'],
    ['Mistral with a dot', mistral, `${MISTRAL_KEY}.`, 'invalid_characters'],
  ];
  it.each(cases)('%s', (_name, provider, key, reason) => {
    expect(checkKeyFormat(provider, key)).toEqual(no(reason));
  });

  it('every result is frozen and never contains the key', () => {
    const result = checkKeyFormat(openai, ANTHROPIC_KEY);
    expect(Object.isFrozen(result)).toBe(true);
    expect(JSON.stringify(result).includes('sk-')).toBe(false);
  });
});

describe('properties', () => {
  it('any string gets a documented answer and no exception, from every built-in', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 600, unit: 'binary' }), (key) => {
        for (const provider of builtInProviders) {
          const result = checkKeyFormat(provider, key);
          if (!result.ok) expect(KEY_FORMAT_REASONS).toContain(result.reason);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('a well-formed key of one built-in is never accepted by another', () => {
    const bodies = fc.stringMatching(/^[A-Za-z0-9_-]{95}$/);
    fc.assert(
      fc.property(bodies, (body) => {
        const keys = [
          `sk-proj-${body}`,
          `sk-ant-api03-${body}`,
          `AIza${body.slice(0, 35)}`,
          `AQ.${body}`,
        ];
        for (const key of keys) {
          const accepting = builtInProviders.filter((p) => checkKeyFormat(p, key).ok);
          expect(accepting.length).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the result never depends on anything but the key text (a Redacted key reads the same)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (key) => {
        for (const provider of builtInProviders) {
          expect(checkKeyFormat(provider, redact(key))).toEqual(checkKeyFormat(provider, key));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('host-added format checks are not trusted', () => {
  const host = (checkFormat: ProviderDefinition['checkFormat']) =>
    defineProvider({
      id: 'host',
      displayName: 'Host',
      publicPrefixes: [],
      checkFormat,
      validation: { request: () => ({ url: 'https://example.com', method: 'GET', headers: {} }) },
      classifyFailure: () => ({ kind: 'other' }),
    });

  it('a check that throws, or answers an undocumented reason, is PROVIDER_DEFINITION_FAILED', () => {
    const bad: ProviderDefinition['checkFormat'][] = [
      (key) => {
        throw new Error(`bad ${key}`);
      },
      () => ({ ok: false, reason: 'looks like sk-proj-123' }) as unknown as KeyFormatResult,
      () => ({ ok: 'yes' }) as unknown as KeyFormatResult,
      () => undefined as unknown as KeyFormatResult,
    ];
    for (const check of bad) {
      expect(() => checkKeyFormat(host(check), OPENAI_KEY)).toThrow(
        expect.objectContaining({ code: 'PROVIDER_DEFINITION_FAILED' }),
      );
    }
  });

  it('the common checks run before a host check ever sees the key', () => {
    let seen = 0;
    const provider = host(() => {
      seen++;
      return { ok: true };
    });
    expect(checkKeyFormat(provider, ` ${OPENAI_KEY}`)).toEqual(no('whitespace'));
    expect(checkKeyFormat(provider, '')).toEqual(no('empty'));
    expect(seen).toBe(0);
  });
});
