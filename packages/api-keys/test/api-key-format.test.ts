import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  API_KEY_SCAN_PATTERN_SOURCE,
  apiKeyScanPattern,
  isWellFormedApiKey,
  parseApiKey,
} from '../src/index.js';
import { alter, harness, keyFromSpec } from './helpers.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const bytes28 = Uint8Array.from({ length: 28 }, (_, i) => i);

describe('api key format', () => {
  // The expected strings were computed with Python's zlib.crc32 and base64 (docs/api-key-format.md).
  it('accepts a key built from the written specification (known answer)', () => {
    const key = keyFromSpec('lp', 'live', '01HX9Y6K7EJ4T2AB', bytes28);
    expect(key).toBe('lp_live_01HX9Y6K7EJ4T2AB_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGztPTSg');
    expect(key).toHaveLength(68);
    expect(parseApiKey(key)).toEqual({
      prefix: 'lp',
      env: 'live',
      keyId: '01HX9Y6K7EJ4T2AB',
      start: 'lp_live_01HX9Y6K7EJ4T2AB',
    });
    const custom = keyFromSpec('acme42', 'test', 'ZZZZZZZZZZZZZZZZ', bytes28);
    expect(custom).toBe('acme42_test_ZZZZZZZZZZZZZZZZ_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaG5IbY08');
    expect(custom).toHaveLength(72);
    expect(isWellFormedApiKey(custom, { prefix: 'acme42' })).toBe(true);
    expect(isWellFormedApiKey(custom)).toBe(false);
  });

  it('mint → parse round-trips, and every single-character alteration is rejected', async () => {
    const { manager, hasher } = harness();
    const minted = [];
    for (let i = 0; i < 20; i++) {
      minted.push(
        await manager.mint({ organizationId: 'org', env: i % 2 ? 'live' : 'test', name: `k${i}` }),
      );
    }
    await hasher.close();
    fc.assert(
      fc.property(fc.constantFrom(...minted), fc.nat(), fc.nat(), (m, position, pick) => {
        const key = m.key.expose();
        const parsed = parseApiKey(key);
        expect(parsed?.keyId).toBe(m.keyId);
        expect(parsed?.start).toBe(m.start);
        const index = position % key.length;
        const alphabet =
          index >= 25 ? B64URL : index >= 8 && index < 24 ? `${CROCKFORD}abc` : B64URL;
        expect(parseApiKey(alter(key, index, alphabet, pick))).toBeNull();
      }),
      { numRuns: 3000 },
    );
  });

  it('generates key ids and secrets that look random (no fixed parts)', async () => {
    const { manager, hasher } = harness();
    const keys = await Promise.all(
      Array.from({ length: 50 }, () =>
        manager.mint({ organizationId: 'o', env: 'live', name: 'n' }),
      ),
    );
    await hasher.close();
    expect(new Set(keys.map((k) => k.keyId)).size).toBe(50);
    for (const k of keys) expect(k.keyId).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
    // Each position of the key id takes many values across 50 keys.
    for (let i = 0; i < 16; i++)
      expect(new Set(keys.map((k) => k.keyId[i])).size).toBeGreaterThan(5);
  });

  it('never throws on arbitrary input, and rejects it', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(parseApiKey(value)).toBeNull();
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (value) => {
        expect(isWellFormedApiKey(value)).toBe(false);
      }),
    );
  });

  const good = keyFromSpec('lp', 'live', '01HX9Y6K7EJ4T2AB', bytes28);
  it.each([
    ['empty', ''],
    ['prefix only', 'lp_live_'],
    ['truncated by one', good.slice(0, -1)],
    ['extended by one', `${good}A`],
    ['wrong env', good.replace('_live_', '_prod_')],
    ['upper-case env', good.replace('_live_', '_LIVE_')],
    ['lower-case key id', good.replace('01HX9Y6K7EJ4T2AB', '01hx9y6k7ej4t2ab')],
    ['key id with I (not Crockford)', good.replace('01HX9Y6K7EJ4T2AB', '01HX9Y6K7EJ4T2AI')],
    ['dot separator (old docs)', good.replace('T2AB_', 'T2AB.')],
    ['padding', `${good.slice(0, -1)}=`],
    ['non-canonical last character', `${good.slice(0, -1)}x`],
    ['surrounding whitespace', ` ${good} `],
    ['zero-width space inside', good.replace('_live', '\u200b_live').slice(0, good.length)],
    ['fullwidth digit', good.replace('0', '０')],
    ['right-to-left override', `\u202e${good.slice(1)}`],
    ['huge', 'lp_live_'.repeat(1_000_000)],
    ['other prefix', good.replace('lp_', 'sk_')],
  ])('rejects %s', (_, value) => {
    expect(isWellFormedApiKey(value)).toBe(false);
  });

  it.each([
    ['', 'empty'],
    ['LP', 'upper case'],
    ['1lp', 'leading digit'],
    ['lp_x', 'underscore'],
    ['toolong', 'seven characters'],
  ])('refuses the prefix %j (%s) with INVALID_INPUT', (prefix) => {
    expect(() => isWellFormedApiKey(good, { prefix })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => apiKeyScanPattern(prefix)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });

  it('the scanner finds keys in text, not look-alikes, and its source works elsewhere', () => {
    const other = keyFromSpec(
      'lp',
      'test',
      'ABCDEFGHJKMNPQRS',
      bytes28.map((b) => b ^ 0x5a),
    );
    const text = [
      `LAYERS_API_KEY=${good}`,
      `"key":"${other}",`,
      `x${good}`, // glued to other key characters: not a match
      `${good.slice(0, -1)}x`, // non-canonical ending: not a candidate
      `lp_live_01HX9Y6K7EJ4T2AB`, // key id only
    ].join('\n');
    const found = [...text.matchAll(apiKeyScanPattern())].map((m) => m[0]);
    expect(found).toEqual([good, other]);
    expect(found.every((k) => isWellFormedApiKey(k))).toBe(true);
    expect(
      [...text.matchAll(new RegExp(API_KEY_SCAN_PATTERN_SOURCE, 'g'))].map((m) => m[0]),
    ).toEqual(found);
  });
});
