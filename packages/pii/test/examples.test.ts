// The @example blocks of the public TSDoc, run as written: where a comment gives a value, the
// exact value is asserted (hashes included); where it gives a shape ('v1:…' under a random key),
// the shape and its relation to the other functions are.
import { createHash } from 'node:crypto';
import { randomBytes } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import {
  createPepper,
  google,
  hashUserData,
  hashUserDataBatch,
  hashUserDataStream,
  hmacForStorage,
  hmacHashedForStorage,
  InvalidPepperError,
  InvalidUserDataError,
  isSha256Hex,
  KNOWN_CALLING_CODE_COUNTRIES,
  MAX_FIELD_LENGTH,
  meta,
  normalizeCity,
  normalizeCountry,
  normalizeDateOfBirth,
  normalizeEmail,
  normalizeEmailForGoogle,
  normalizeExternalId,
  normalizeGender,
  normalizeName,
  normalizeNameForGoogle,
  normalizePhone,
  normalizeState,
  normalizeZip,
  PII_FIELDS,
  pepperFromEnv,
  sha256ForPlatform,
  snap,
  storage,
  tiktok,
  userDataSchema,
} from '../src/index.js';

const ok = (value: string) => ({ ok: true, value });
const bad = { ok: false, reason: 'invalid_format' };
/** An independent reference for the `sha256(…)` the comments name: node:crypto. */
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('TSDoc examples', () => {
  it('normalizers', () => {
    expect(normalizeEmail('  John.Doe@Example.COM ')).toEqual(ok('john.doe@example.com'));
    expect(normalizeEmail('mailto:jane@example.com.')).toEqual(ok('jane@example.com'));
    expect(normalizeEmail('not an email')).toEqual(bad);
    expect(normalizeEmailForGoogle('Cloudy.SanFrancisco+shopping@gmail.com')).toEqual(
      ok('cloudysanfrancisco@gmail.com'),
    );
    expect(normalizeEmailForGoogle('john.doe+news@example.com')).toEqual(
      ok('john.doe+news@example.com'),
    );
    expect(normalizePhone('+1 (650) 555-1234')).toEqual(ok('+16505551234'));
    expect(normalizePhone('07911 123456', { country: 'GB' })).toEqual(ok('+447911123456'));
    expect(normalizePhone('8 912 345-67-89', { country: 'ru' })).toEqual(ok('+79123456789'));
    expect(normalizePhone('91 98765 43210', { country: 'in' })).toEqual(ok('+919876543210'));
    expect(normalizePhone('0650 555 1234', { country: 'us' })).toEqual(bad);
    expect(normalizePhone('+1 650 555 1234 ext. 12')).toEqual(ok('+16505551234'));
    expect(normalizePhone('011 15-2345-6789', { country: 'ar' })).toEqual(ok('+5491123456789'));
    expect(normalizePhone('0066-33-123456', { country: 'jp' })).toEqual(ok('+81006633123456'));
    expect(normalizePhone('0044 7911 123456')).toEqual(ok('+447911123456'));
    expect(normalizePhone('009 1 802 885 5193')).toEqual(bad);
    expect(normalizePhone('650.555.1234')).toEqual(ok('6505551234'));
    expect(normalizeName("  O'Brien-Smith ")).toEqual(ok('obriensmith'));
    expect(normalizeName('José')).toEqual(ok('josé'));
    expect(normalizeNameForGoogle('  Mary   Ann ')).toEqual(ok('mary ann'));
    expect(normalizeNameForGoogle(' Mr. Alex ', { part: 'given' })).toEqual(ok('alex'));
    expect(normalizeNameForGoogle('Quinn, Jr.', { part: 'family' })).toEqual(ok('quinn'));
    expect(normalizeDateOfBirth('1990-02-28')).toEqual(ok('19900228'));
    expect(normalizeDateOfBirth('1990-02-30')).toEqual(bad);
    expect(normalizeDateOfBirth('1990-02-28 is my birthday')).toEqual(bad);
    expect(normalizeGender(' Female ')).toEqual(ok('f'));
    expect(normalizeCity('San Francisco')).toEqual(ok('sanfrancisco'));
    expect(normalizeCity('Paris 75015')).toEqual(ok('paris'));
    expect(normalizeState('California')).toEqual(ok('ca'));
    expect(normalizeState('Georgia', { country: 'GE' })).toEqual(ok('georgia'));
    expect(normalizeState('Île-de-France')).toEqual(ok('îledefrance'));
    expect(normalizeZip('94025-1234')).toEqual(ok('94025'));
    expect(normalizeZip('SW1A 1AA', { country: 'gb' })).toEqual(ok('sw1a1'));
    expect(normalizeCountry(' US ')).toEqual(ok('us'));
    expect(normalizeCountry('United Kingdom')).toEqual(ok('gb'));
    expect(normalizeCountry('ZZ')).toEqual(bad);
    expect(normalizeExternalId(' user-42 ')).toEqual(ok('user-42'));
    expect(normalizeEmail('a'.repeat(MAX_FIELD_LENGTH + 1))).toEqual({
      ok: false,
      reason: 'too_long',
    });
    expect(KNOWN_CALLING_CODE_COUNTRIES.includes('gb')).toBe(true);
    expect(KNOWN_CALLING_CODE_COUNTRIES.length).toBe(242);
    expect(PII_FIELDS.filter((field) => meta.fields[field]?.hashed)).toEqual(PII_FIELDS);
  });

  it('hashers and peppers', () => {
    expect(isSha256Hex(` ${'A'.repeat(64)}`)).toBe(true);
    expect(isSha256Hex('joe@example.com')).toBe(false);
    const email = normalizeEmail(' Joe@Example.com ');
    expect(email.ok && sha256ForPlatform(email.value)).toBe(
      '2481f36dfc515ca76451aaadf1399026942a01ee50c6d0a61988b43cef039bc2',
    );
    const pepper = createPepper({ current: 'v1', keys: { v1: new Uint8Array(32).fill(7) } });
    expect(hmacForStorage('joe@example.com', pepper)).toBe(
      'v1:3733c2d38fdecb5343382d53ac8b008b544758b8350ff504f431c86688139e48',
    );
    expect(
      hmacHashedForStorage(sha256ForPlatform('joe@example.com'), pepper) ===
        hmacForStorage('joe@example.com', pepper),
    ).toBe(true);
    const rotated = createPepper({
      current: 'v2',
      keys: { v1: randomBytes(32), v2: randomBytes(32) },
    });
    expect(rotated.versions).toEqual(['v2', 'v1']);
    expect(JSON.stringify(rotated)).toBe('{"current":"v2","versions":["v2","v1"]}');
    expect(pepperFromEnv(`*v1:${'A'.repeat(43)}`).current).toBe('v1');
    expect(new InvalidPepperError('pepper keys must be at least 32 bytes').code).toBe(
      'INVALID_PEPPER',
    );
    expect(new InvalidUserDataError([{ path: 'email', code: 'invalid_type' }]).details).toEqual({
      issues: [{ path: 'email', code: 'invalid_type' }],
    });
  });

  it('hashUserData and the profiles', () => {
    const { userData, dropped } = hashUserData(
      { email: ' Joe@Example.com ', phone: '(650) 555-1234', country: 'US', ip: '203.0.113.9' },
      { profile: meta },
    );
    expect(userData.em).toBe('2481f36dfc515ca76451aaadf1399026942a01ee50c6d0a61988b43cef039bc2');
    expect(userData.em).toBe(sha('joe@example.com'));
    expect(userData.ph).toBe('6069d14bf122fdfd931dc7beb58e5dfbba395b1faf05bdcd42d12358d63d8599');
    expect(userData.ph).toBe(sha('16505551234'));
    expect('client_ip_address' in userData).toBe(false);
    expect(dropped).toEqual([]);
    expect(hashUserData({ email: 'Joe@Example.com' }, { profile: meta }).userData.em).toBe(
      '2481f36dfc515ca76451aaadf1399026942a01ee50c6d0a61988b43cef039bc2',
    );
    expect(
      hashUserData({ email: 'Cloudy.SanFrancisco+shopping@gmail.com' }, { profile: google })
        .userData,
    ).toEqual({
      hashed_email: '223ebda6f6889b1494551ba902d9d381daf2f642bae055888e96343d53e9f9c4',
    });
    expect(sha('cloudysanfrancisco@gmail.com')).toBe(
      '223ebda6f6889b1494551ba902d9d381daf2f642bae055888e96343d53e9f9c4',
    );
    expect(hashUserData({ phone: '+1 650 555 1234' }, { profile: snap }).userData.ph).toBe(
      '6069d14bf122fdfd931dc7beb58e5dfbba395b1faf05bdcd42d12358d63d8599',
    );
    expect(
      hashUserData({ phone: '(650) 555-1234', country: 'US' }, { profile: tiktok }).userData.phone,
    ).toBe('a2996076d3ad4af5dc818b908b3d8e354f26ededf7df0e0aa6ac354143805ee0');
    expect(sha('+16505551234')).toBe(
      'a2996076d3ad4af5dc818b908b3d8e354f26ededf7df0e0aa6ac354143805ee0',
    );
    // Under a random key the example's comment gives a shape, 'v1:…'.
    const pepper = createPepper({ current: 'v1', keys: { v1: randomBytes(32) } });
    const stored = hashUserData({ email: 'joe@example.com' }, { profile: storage, pepper });
    expect(stored.userData.email).toMatch(/^v1:[0-9a-f]{64}$/);
    expect(stored.userData.email).toBe(hmacForStorage('joe@example.com', pepper));
    expect(userDataSchema.parse({ email: 'joe@example.com', extra: 1 })).toEqual({
      email: 'joe@example.com',
    });
  });

  it('batch and stream', async () => {
    const results = hashUserDataBatch([{ email: 'a@example.com' }, { email: 42 }], {
      profile: tiktok,
    });
    expect(results.map((r) => r.ok)).toEqual([true, false]);
    async function* events() {
      yield { email: 'a@example.com' };
      yield { phone: '+44 7911 123456' };
    }
    const seen: Array<[number, string[]]> = [];
    for await (const result of hashUserDataStream(events(), { profile: meta })) {
      if (result.ok) seen.push([result.index, Object.keys(result.userData)]);
    }
    expect(seen).toEqual([
      [0, ['em']],
      [1, ['ph']],
    ]);
  });
});
