// The @example blocks of the public TSDoc, run as written (their comments are the expectations).
import { randomBytes } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import {
  createPepper,
  google,
  hashUserData,
  hmacForStorage,
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

describe('TSDoc examples', () => {
  it('normalizers', () => {
    expect(normalizeEmail('  John.Doe@Example.COM ')).toEqual(ok('john.doe@example.com'));
    expect(normalizeEmail('not an email')).toEqual({ ok: false, reason: 'invalid_format' });
    expect(normalizeEmailForGoogle('Cloudy.SanFrancisco+shopping@gmail.com')).toEqual(
      ok('cloudysanfrancisco@gmail.com'),
    );
    expect(normalizeEmailForGoogle('john.doe+news@example.com')).toEqual(
      ok('john.doe+news@example.com'),
    );
    expect(normalizePhone('+1 (650) 555-1234')).toEqual(ok('+16505551234'));
    expect(normalizePhone('07911 123456', { country: 'GB' })).toEqual(ok('+447911123456'));
    expect(normalizePhone('650.555.1234', { country: 'us' })).toEqual(ok('+16505551234'));
    expect(normalizePhone('650.555.1234')).toEqual(ok('6505551234'));
    expect(normalizeName("  O'Brien-Smith ")).toEqual(ok('obriensmith'));
    expect(normalizeName('José')).toEqual(ok('josé'));
    expect(normalizeNameForGoogle('  Mary   Ann ')).toEqual(ok('mary ann'));
    expect(normalizeNameForGoogle(' Mr. Alex ', { part: 'given' })).toEqual(ok('alex'));
    expect(normalizeNameForGoogle('Quinn, Jr.', { part: 'family' })).toEqual(ok('quinn'));
    expect(normalizeDateOfBirth('1990-02-28')).toEqual(ok('19900228'));
    expect(normalizeDateOfBirth('1990-02-30')).toEqual({ ok: false, reason: 'invalid_format' });
    expect(normalizeGender(' Female ')).toEqual(ok('f'));
    expect(normalizeCity('San Francisco')).toEqual(ok('sanfrancisco'));
    expect(normalizeState('California')).toEqual(ok('ca'));
    expect(normalizeState('Île-de-France')).toEqual(ok('îledefrance'));
    expect(normalizeZip('94025-1234')).toEqual(ok('94025'));
    expect(normalizeZip('SW1A 1AA', { country: 'gb' })).toEqual(ok('sw1a1'));
    expect(normalizeCountry(' US ')).toEqual(ok('us'));
    expect(normalizeCountry('United Kingdom')).toEqual(ok('gb'));
    expect(normalizeExternalId(' user-42 ')).toEqual(ok('user-42'));
    expect(normalizeEmail('a'.repeat(MAX_FIELD_LENGTH + 1))).toEqual({
      ok: false,
      reason: 'too_long',
    });
    expect(KNOWN_CALLING_CODE_COUNTRIES.includes('gb')).toBe(true);
    expect(KNOWN_CALLING_CODE_COUNTRIES.length).toBeGreaterThanOrEqual(40);
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
    expect(hmacForStorage(sha256ForPlatform('joe@example.com'), pepper)).toBe(
      hmacForStorage('joe@example.com', pepper),
    );
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
    expect(Object.keys(userData).sort()).toEqual(['country', 'em', 'ph']);
    expect('client_ip_address' in userData).toBe(false);
    expect(dropped).toEqual([]);
    expect(
      hashUserData({ email: 'John.Doe@gmail.com' }, { profile: google }).userData.hashed_email,
    ).toMatch(/^[0-9a-f]{64}$/);
    expect(hashUserData({ phone: '+1 650 555 1234' }, { profile: snap }).userData.ph).toMatch(
      /^[0-9a-f]{64}$/,
    );
    expect(
      hashUserData({ phone: '(650) 555-1234', country: 'US' }, { profile: tiktok }).userData.phone,
    ).toMatch(/^[0-9a-f]{64}$/);
    const pepper = createPepper({ current: 'v1', keys: { v1: randomBytes(32) } });
    expect(
      hashUserData({ email: 'joe@example.com' }, { profile: storage, pepper }).userData.email,
    ).toMatch(/^v1:[0-9a-f]{64}$/);
    expect(userDataSchema.parse({ email: 'joe@example.com', extra: 1 })).toEqual({
      email: 'joe@example.com',
    });
  });
});
