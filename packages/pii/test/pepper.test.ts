import { createHash, createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { randomBytes, toBase64Url, toHex } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import {
  createPepper,
  hashUserData,
  hmacForStorage,
  hmacHashedForStorage,
  InvalidPepperError,
  type Pepper,
  pepperFromEnv,
  sha256ForPlatform,
  storage,
} from '../src/index.js';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Every run of 6 characters of `secret`: none may appear in anything an error exposes. */
function pieces(secret: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 6 <= secret.length; i++) out.push(secret.slice(i, i + 6));
  return out;
}

function thrown(fn: () => unknown): Error & { code?: string; details?: unknown } {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected a throw');
}

describe('pepperFromEnv never puts key material in an error', () => {
  const key = toBase64Url(randomBytes(32));
  const other = toBase64Url(randomBytes(32));
  it.each([
    ['version and key reversed', `${key}:v1`],
    ['reversed and starred', `*${key}:v1`],
    ['"=" instead of ":"', `*v1=${key}:x`],
    ['no colon at all', `*v1${key}`],
    ['a key that is not base64url', `*v1:${key}!`],
    ['a short key', `*v1:${key.slice(0, 20)}`],
    ['a second entry reversed', `*v1:${other},${key}:v2`],
    ['no current entry', `v1:${key}`],
    ['two current entries', `*v1:${key},*v2:${other}`],
    ['a repeated version', `*v1:${key},v1:${other}`],
    ['a key with spaces inside', `*v1:${key.slice(0, 20)} ${key.slice(20)}`],
  ])(
    '%s: INVALID_PEPPER, and no 6 characters of either key in message, details or JSON',
    (_, env) => {
      const error = thrown(() => pepperFromEnv(env));
      expect(error.code).toBe('INVALID_PEPPER');
      const exposed = [error.message, JSON.stringify(error), inspect(error.details), String(error)];
      for (const text of exposed) {
        for (const piece of [...pieces(key), ...pieces(other)]) expect(text).not.toContain(piece);
      }
    },
  );

  it.each([
    ['a 16-byte key', 16],
    ['a 31-byte key', 31],
    ['an empty key', 0],
  ])(
    '%s: the message says the setting is misconfigured and how to make a key (#15.10)',
    (_, bytes) => {
      const key = toBase64Url(randomBytes(bytes));
      const error = thrown(() => pepperFromEnv(`v0:${toBase64Url(randomBytes(32))},*v1:${key}`));
      expect(error).toBeInstanceOf(InvalidPepperError);
      expect(error.code).toBe('INVALID_PEPPER');
      expect(error.message).toContain('pepper entry 2 of 2');
      expect(error.message).toContain('fewer than 32 bytes');
      expect(error.message).toContain('misconfigured');
      expect(error.message).toContain("randomBytes(32).toString('base64url')");
      // Not the message meant for programmers passing bytes to createPepper (was: "pepper keys must
      // be Uint8Arrays of at least 32 random bytes").
      expect(error.message).not.toContain('Uint8Array');
      if (bytes >= 10) expect(error.message).not.toContain(String(bytes)); // nor its length
      for (const piece of pieces(key)) expect(error.message).not.toContain(piece);
    },
  );

  it('repeated versions and two current entries are refused, not "last wins"', () => {
    const k1 = toBase64Url(randomBytes(32));
    const k2 = toBase64Url(randomBytes(32));
    expect(thrown(() => pepperFromEnv(`*v1:${k1},v1:${k2}`)).message).toContain('repeats');
    expect(thrown(() => pepperFromEnv(`*v1:${k1},*v2:${k2}`)).message).toContain('second current');
    expect(pepperFromEnv(`*v1:${k1}, v2:${k2}`).versions).toEqual(['v1', 'v2']);
  });
});

describe('a pepper is isolated from its caller and shows no key', () => {
  it('a Buffer the caller zeroes afterwards changes nothing (the key was copied, not viewed)', () => {
    const buffer = Buffer.from(randomBytes(32));
    const expected = createHmac('sha256', Buffer.from(buffer))
      .update(sha('joe@example.com'))
      .digest('hex');
    const pepper = createPepper({ current: 'v1', keys: { v1: buffer } });
    buffer.fill(0);
    expect(hmacForStorage('joe@example.com', pepper)).toBe(`v1:${expected}`);
  });

  it('hands no key out: no key() method, frozen, and inspect / JSON / String show none', () => {
    const bytes = randomBytes(32);
    const pepper = createPepper({ current: 'v1', keys: { v1: bytes } });
    expect('key' in pepper).toBe(false);
    expect(Object.isFrozen(pepper)).toBe(true);
    const shown = [
      inspect(pepper, { showHidden: true, depth: 5 }),
      JSON.stringify(pepper),
      String(pepper),
      `${pepper.current}${pepper.versions.join()}`,
    ];
    const secrets = [toHex(bytes), toBase64Url(bytes), Buffer.from(bytes).toString('base64')];
    for (const text of shown) {
      for (const secret of secrets)
        for (const piece of pieces(secret)) expect(text).not.toContain(piece);
      expect(text).not.toMatch(/\d+, \d+, \d+/); // no byte list
    }
    expect(JSON.stringify(pepper)).toBe('{"current":"v1","versions":["v1"]}');
  });

  it('a look-alike object is not a pepper', () => {
    const fake = { current: 'v1', versions: ['v1'], key: () => new Uint8Array(32) } as Pepper;
    expect(() => hmacForStorage('joe@example.com', fake)).toThrow(
      expect.objectContaining({ code: 'INVALID_PEPPER' }),
    );
    expect(() =>
      hashUserData({ email: 'joe@example.com' }, { profile: storage, pepper: fake }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it.each([
    ['null options', null, 'INVALID_INPUT'],
    ['null keys', { current: 'v1', keys: null }, 'INVALID_INPUT'],
    ['a key under 32 bytes', { current: 'v1', keys: { v1: new Uint8Array(31) } }, 'INVALID_PEPPER'],
    ['no key for current', { current: 'v2', keys: { v1: new Uint8Array(32) } }, 'INVALID_PEPPER'],
    [
      'a bad version name',
      { current: 'v 1', keys: { 'v 1': new Uint8Array(32) } },
      'INVALID_PEPPER',
    ],
    ['a string key', { current: 'v1', keys: { v1: 'x'.repeat(64) } }, 'INVALID_PEPPER'],
  ])('createPepper refuses %s with %s', (_, options, code) => {
    expect(() => createPepper(options as never)).toThrow(expect.objectContaining({ code }));
  });
});

describe('stored values: HMAC of the SHA-256 hex, so plaintext and pre-hashed input join', () => {
  const v1 = randomBytes(32);
  const pepper = createPepper({ current: 'v1', keys: { v1 } });
  const hmac = (text: string) => createHmac('sha256', v1).update(text).digest('hex');

  it('the documented format: <version>:HMAC-SHA-256(pepper, sha256hex(normalized))', () => {
    expect(hmacForStorage('joe@example.com', pepper)).toBe(`v1:${hmac(sha('joe@example.com'))}`);
    // A known answer, independent of random keys.
    const fixed = createPepper({ current: 'v1', keys: { v1: new Uint8Array(32).fill(7) } });
    expect(hmacForStorage('joe@example.com', fixed)).toBe(
      'v1:3733c2d38fdecb5343382d53ac8b008b544758b8350ff504f431c86688139e48',
    );
  });

  it('one address, as plaintext or as any spelling of its SHA-256, stores one value', () => {
    const plain = hashUserData({ email: ' Joe@Example.com ' }, { profile: storage, pepper });
    const hashed = sha('joe@example.com');
    for (const spelling of [hashed, hashed.toUpperCase(), `  ${hashed}\t`]) {
      const pre = hashUserData({ email: spelling }, { profile: storage, pepper });
      expect(pre.userData.email).toBe(plain.userData.email);
    }
    expect(hmacHashedForStorage(sha256ForPlatform('joe@example.com'), pepper)).toBe(
      hmacForStorage('joe@example.com', pepper),
    );
    expect(hmacHashedForStorage(` ${hashed.toUpperCase()} `, pepper)).toBe(
      hmacForStorage('joe@example.com', pepper),
    );
  });

  it('the hashers hash what they are given, even when it looks like a hash', () => {
    const hex = sha('joe@example.com');
    expect(sha256ForPlatform(hex)).toBe(sha(hex));
    expect(hmacForStorage(hex, pepper)).toBe(`v1:${hmac(sha(hex))}`);
    for (const notHex of ['joe@example.com', hex.slice(1), `${hex}0`, `${hex.slice(0, 63)}g`]) {
      expect(() => hmacHashedForStorage(notHex, pepper)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    }
    // The refusal never carries the value.
    try {
      hmacHashedForStorage('joe@example.com', pepper);
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain('joe');
      expect(String(error)).not.toContain('joe');
    }
  });

  it('an older version is still usable for look-ups; an unknown one is INVALID_PEPPER', () => {
    const v2 = randomBytes(32);
    const rotated = createPepper({ current: 'v2', keys: { v1, v2 } });
    expect(hmacForStorage('joe@example.com', rotated, 'v1')).toBe(
      hmacForStorage('joe@example.com', pepper),
    );
    expect(hmacForStorage('joe@example.com', rotated).startsWith('v2:')).toBe(true);
    expect(() => hmacForStorage('joe@example.com', rotated, 'v3')).toThrow(
      expect.objectContaining({ code: 'INVALID_PEPPER' }),
    );
    expect(() => hmacForStorage(42 as never, rotated)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => sha256ForPlatform(null as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
