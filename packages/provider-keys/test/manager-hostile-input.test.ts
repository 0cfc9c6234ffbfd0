// Hostile input to the manager: wrong types, empty, huge, unicode, and stored metadata written by
// something else. Every refusal is a typed CofferError without key text, and nothing is stored.
import { isCofferError, redact } from '@coffer/core';
import { createMemoryVaultStore } from '@coffer/vault';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  builtInProviders,
  createProviderKeys,
  createProviderRegistry,
  type ProviderKeysOptions,
} from '../src/index.js';
import { type Harness, harness } from './_manager.js';
import { OPENAI_KEY } from './keys.js';
import { expectNoSecret } from './leaks.js';

let h: Harness;
beforeEach(() => {
  h = harness(createMemoryVaultStore(), { platformKeys: () => 'platform-key' });
});

async function codeOf(run: () => Promise<unknown> | unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    expectNoSecret(error, [OPENAI_KEY]);
    return isCofferError(error) ? error.code : `not a CofferError: ${String(error)}`;
  }
  return 'resolved';
}

const BAD_OWNERS: [string, unknown][] = [
  ['empty', ''],
  ['a number', 42],
  ['null', null],
  ['an object', { toString: () => 'org_acme' }],
  ['too long', 'o'.repeat(257)],
  ['a control character', 'org\u0000acme'],
  ['a newline', 'org\nacme'],
];

const BAD_PROVIDERS: [string, unknown][] = [
  ['empty', ''],
  ['a number', 1],
  ['undefined', undefined],
  ['__proto__', '__proto__'],
  ['upper case', 'OpenAI'],
  ['huge', 'o'.repeat(100_000)],
  ['unicode', 'ореnai'],
];

const BAD_KEYS: [string, unknown][] = [
  ['a number', 123],
  ['null', null],
  ['an object', { key: OPENAI_KEY }],
  ['a Redacted number', redact(5)],
  ['empty', ''],
  ['huge', `sk-proj-${'a'.repeat(1_000_000)}`],
  ['a trailing newline', `${OPENAI_KEY}\n`],
  ['a leading space', ` ${OPENAI_KEY}`],
  ['a Cyrillic s', `ѕ${OPENAI_KEY.slice(1)}`],
  ['a zero-width space', `${OPENAI_KEY.slice(0, 10)}\u200b${OPENAI_KEY.slice(10)}`],
  ['another provider', `sk-ant-api03-${'x'.repeat(90)}`],
];

describe('owners', () => {
  it.each(BAD_OWNERS)('%s is INVALID_INPUT for forOwner and resolve', async (_name, owner) => {
    expect(await codeOf(() => h.keys.forOwner(owner as string))).toBe('INVALID_INPUT');
    expect(await codeOf(() => h.keys.resolve(owner as string, 'openai'))).toBe('INVALID_INPUT');
  });
});

describe('providers', () => {
  it.each(BAD_PROVIDERS)('%s is UNKNOWN_PROVIDER', async (_name, provider) => {
    const acme = h.keys.forOwner('org_acme');
    expect(await codeOf(() => acme.set(provider as string, OPENAI_KEY))).toBe('UNKNOWN_PROVIDER');
    expect(await codeOf(() => acme.enable(provider as string))).toBe('UNKNOWN_PROVIDER');
    expect(await codeOf(() => h.keys.resolve('org_acme', provider as string))).toBe(
      'UNKNOWN_PROVIDER',
    );
  });
});

describe('keys', () => {
  it.each(BAD_KEYS)('%s is INVALID_INPUT at set; nothing is stored', async (_name, key) => {
    const acme = h.keys.forOwner('org_acme');
    expect(await codeOf(() => acme.set('openai', key as string))).toBe('INVALID_INPUT');
    expect(await acme.list({ includeDeleted: true })).toEqual([]);
  });

  it('a Redacted key is accepted and stored as its text', async () => {
    await h.keys.forOwner('org_acme').set('openai', redact(OPENAI_KEY));
    expect((await h.keys.resolve('org_acme', 'openai')).key.expose()).toBe(OPENAI_KEY);
  });
});

describe('options', () => {
  it.each<[string, Partial<ProviderKeysOptions> | null]>([
    ['null options', null],
    ['no providers', { providers: undefined as never }],
    ['a ttl over five minutes', { cacheTtlMs: 300_001 }],
    ['a negative ttl', { cacheTtlMs: -1 }],
    ['a fractional ttl', { cacheTtlMs: 1.5 }],
    ['a string interval', { lastUsedIntervalMs: '60000' as never }],
    ['no cache at all', { maxCacheEntries: 0 }],
    ['an onEvent that is not a function', { onEvent: 'log' as never }],
    ['a platformKeys that is not a function', { platformKeys: { openai: 'x' } as never }],
    ['an empty actor', { actor: '' }],
  ])('%s is INVALID_INPUT', async (_name, given) => {
    const base = {
      providers: createProviderRegistry(builtInProviders),
      vault: h.vault,
      reader: h.reader,
    };
    expect(
      await codeOf(() =>
        createProviderKeys(given === null ? (null as never) : { ...base, ...given }),
      ),
    ).toBe('INVALID_INPUT');
  });

  it('write options: a non-object or an actor of the wrong type is INVALID_INPUT', async () => {
    const acme = h.keys.forOwner('org_acme');
    await acme.set('openai', OPENAI_KEY);
    for (const options of ['x', { actor: 5 }, { actor: 'a'.repeat(257) }]) {
      expect(await codeOf(() => acme.disable('openai', options as never))).toBe('INVALID_INPUT');
    }
    expect(await codeOf(() => acme.test('openai', { signal: 'stop' as never }))).toBe(
      'INVALID_INPUT',
    );
    expect((await acme.list())[0]?.status).toBe('active');
  });
});

describe('stored metadata written by something else', () => {
  it('never breaks list or resolve, and an unknown status never makes a key used', async () => {
    const acme = h.keys.forOwner('org_acme');
    const { id } = await acme.set('openai', OPENAI_KEY);
    const scoped = h.vault.forOwner('org_acme');
    const json = fc.jsonValue({ maxDepth: 2 });
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom(
            'provider',
            'prefix',
            'keyVersion',
            'statusVersion',
            'invalidReason',
            'invalidAt',
            'validation',
            'validatedAt',
            'validatedVersion',
            'lastUsedAt',
            '__proto__',
          ),
          json,
        ),
        fc.constantFrom('active', 'disabled', 'invalid', 'weird', 'x'),
        async (metadata, status) => {
          let safe: Record<string, unknown>;
          try {
            safe = JSON.parse(JSON.stringify(metadata).replaceAll('\\u0000', '')) as Record<
              string,
              unknown
            >;
            await scoped.update(id, { metadata: safe as never, status });
          } catch {
            return; // the vault refused the metadata itself: nothing to read back
          }
          const [row] = await acme.list();
          expect(['active', 'disabled', 'invalid']).toContain(row?.status);
          const e = await scoped.describe(id);
          const resolved = await h.another().resolve('org_acme', 'openai');
          const counts = e.metadata.statusVersion === e.version;
          if (counts && status !== 'active') expect(resolved.source).toBe('platform');
        },
      ),
      { numRuns: 60 },
    );
  });
});
