import { describe, expect, it } from 'vitest';
import {
  aes256GcmOpen,
  aes256GcmSeal,
  DecryptionError,
  hkdfSha256,
  hmacSha256,
  hmacSha256Hex,
  randomBytes,
  sha256,
  sha256Hex,
  toHex,
  utf8Encode,
  xchacha20Poly1305Open,
  xchacha20Poly1305Seal,
} from '../src/index.js';
import { backends } from './backends.js';
import { codeOf } from './code-of.js';

const k32 = new Uint8Array(32);
const n12 = new Uint8Array(12);
const n24 = new Uint8Array(24);

describe.each(backends)('%s backend: hostile inputs are refused with typed errors', (_n, c) => {
  const cases: Array<[string, () => unknown, string]> = [
    ['randomBytes(-1)', () => c.randomBytes(-1), 'INVALID_INPUT'],
    ['randomBytes(1.5)', () => c.randomBytes(1.5), 'INVALID_INPUT'],
    ['randomBytes(NaN)', () => c.randomBytes(Number.NaN), 'INVALID_INPUT'],
    ['randomBytes(2 MiB)', () => c.randomBytes(2 ** 21), 'INVALID_INPUT'],
    ['randomBytes("8")', () => c.randomBytes('8' as unknown as number), 'INVALID_INPUT'],
    ['sha256(string)', () => c.sha256('abc' as unknown as Uint8Array), 'INVALID_INPUT'],
    ['sha256(null)', () => c.sha256(null as unknown as Uint8Array), 'INVALID_INPUT'],
    ['sha256Hex(number)', () => c.sha256Hex(5 as unknown as string), 'INVALID_INPUT'],
    ['hmac key string', () => c.hmacSha256('k' as unknown as Uint8Array, 'x'), 'INVALID_INPUT'],
    ['hmac data object', () => c.hmacSha256(k32, {} as unknown as string), 'INVALID_INPUT'],
    ['hkdf length 0', () => c.hkdfSha256(k32, { length: 0 }), 'INVALID_INPUT'],
    ['hkdf length 8161', () => c.hkdfSha256(k32, { length: 8161 }), 'INVALID_INPUT'],
    ['hkdf no options', () => c.hkdfSha256(k32, undefined as never), 'INVALID_INPUT'],
    [
      'hkdf salt string',
      () => c.hkdfSha256(k32, { length: 4, salt: 's' as never }),
      'INVALID_INPUT',
    ],
    ['gcm key 31', () => c.aes256GcmSeal(new Uint8Array(31), n12, k32), 'INVALID_INPUT'],
    ['gcm key 16 (AES-128)', () => c.aes256GcmSeal(new Uint8Array(16), n12, k32), 'INVALID_INPUT'],
    ['gcm nonce 16', () => c.aes256GcmSeal(k32, new Uint8Array(16), k32), 'INVALID_INPUT'],
    ['gcm aad string', () => c.aes256GcmSeal(k32, n12, k32, 'a' as never), 'INVALID_INPUT'],
    ['gcm open empty', () => c.aes256GcmOpen(k32, n12, new Uint8Array(0)), 'DECRYPT_FAILED'],
    ['gcm open 15 bytes', () => c.aes256GcmOpen(k32, n12, new Uint8Array(15)), 'DECRYPT_FAILED'],
    ['gcm open zero tag', () => c.aes256GcmOpen(k32, n12, new Uint8Array(40)), 'DECRYPT_FAILED'],
    ['xchacha nonce 12', () => c.xchacha20Poly1305Seal(k32, n12, k32), 'INVALID_INPUT'],
    [
      'gcm headroom -1',
      () => c.aes256GcmSeal(k32, n12, k32, undefined, { headroom: -1 }),
      'INVALID_INPUT',
    ],
    [
      'gcm headroom 1.5',
      () => c.aes256GcmSeal(k32, n12, k32, undefined, { headroom: 1.5 }),
      'INVALID_INPUT',
    ],
    [
      'gcm headroom 65537',
      () => c.aes256GcmSeal(k32, n12, k32, undefined, { headroom: 65_537 }),
      'INVALID_INPUT',
    ],
    [
      'gcm headroom "8"',
      () => c.aes256GcmSeal(k32, n12, k32, undefined, { headroom: '8' as never }),
      'INVALID_INPUT',
    ],
    [
      'gcm options null',
      () => c.aes256GcmSeal(k32, n12, k32, undefined, null as never),
      'INVALID_INPUT',
    ],
    [
      'xchacha headroom NaN',
      () => c.xchacha20Poly1305Seal(k32, n24, k32, undefined, { headroom: Number.NaN }),
      'INVALID_INPUT',
    ],
    [
      'xchacha options 5',
      () => c.xchacha20Poly1305Seal(k32, n24, k32, undefined, 5 as never),
      'INVALID_INPUT',
    ],
    [
      'xchacha open garbage',
      () => c.xchacha20Poly1305Open(k32, n24, new Uint8Array(40)),
      'DECRYPT_FAILED',
    ],
  ];
  it.each(cases)('%s', (_label, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });

  it('randomBytes has one limit, 1 MiB, on every backend', () => {
    // crypto.getRandomValues (under noble) fills at most 65,536 bytes per call.
    for (const length of [65_535, 65_536, 65_537, 200_000, 2 ** 20]) {
      const bytes = c.randomBytes(length);
      expect(bytes.length).toBe(length);
      // Every 64 KiB chunk is filled (a chunk left zero would be a run of zeros). A chunk of a
      // few bytes can be all zero by chance (65,537 ends in a 1-byte chunk: 1 in 256), so only
      // chunks of 16 bytes or more are judged (all zero by chance: 2^-128).
      for (let at = 0; at < length; at += 65_536) {
        const chunk = bytes.subarray(at, at + 65_536);
        if (chunk.length >= 16) expect(chunk.some((b) => b !== 0)).toBe(true);
      }
    }
    expect(codeOf(() => c.randomBytes(2 ** 20 + 1))).toBe('INVALID_INPUT');
  });

  it('a wrong aad or a flipped bit fails closed for both AEADs', () => {
    const key = c.randomBytes(32);
    const aad = utf8Encode('tenant=a');
    const g = c.aes256GcmSeal(key, n12, utf8Encode('secret'), aad);
    const x = c.xchacha20Poly1305Seal(key, n24, utf8Encode('secret'), aad);
    expect(codeOf(() => c.aes256GcmOpen(key, n12, g, utf8Encode('tenant=b')))).toBe(
      'DECRYPT_FAILED',
    );
    expect(codeOf(() => c.xchacha20Poly1305Open(key, n24, x))).toBe('DECRYPT_FAILED');
    for (let i = 0; i < g.length * 8; i++) {
      const bad = g.slice();
      bad[i >> 3] = (bad[i >> 3] as number) ^ (1 << (i & 7));
      expect(codeOf(() => c.aes256GcmOpen(key, n12, bad, aad))).toBe('DECRYPT_FAILED');
    }
  });
});

describe('public crypto functions (active backend)', () => {
  it('work as the TSDoc examples say', () => {
    expect(toHex(sha256(utf8Encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(hmacSha256(utf8Encode('key'), 'message').length).toBe(32);
    expect(hmacSha256Hex(utf8Encode('key'), 'The quick brown fox jumps over the lazy dog')).toBe(
      'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
    expect(
      hkdfSha256(new Uint8Array(32), { info: utf8Encode('coffer example'), length: 32 }).length,
    ).toBe(32);
    const key = randomBytes(32);
    const nonce = randomBytes(12);
    expect(aes256GcmOpen(key, nonce, aes256GcmSeal(key, nonce, utf8Encode('hello')))).toEqual(
      utf8Encode('hello'),
    );
    const aad = new Uint8Array([1]);
    expect(
      aes256GcmOpen(key, nonce, aes256GcmSeal(key, nonce, new Uint8Array([42]), aad), aad),
    ).toEqual(new Uint8Array([42]));
    const framed = aes256GcmSeal(key, nonce, utf8Encode('hello'), undefined, { headroom: 2 });
    expect([...framed.subarray(0, 2)]).toEqual([0, 0]);
    framed.set([1, 0], 0);
    expect(aes256GcmOpen(key, nonce, framed.subarray(2))).toEqual(utf8Encode('hello'));
    const n24 = randomBytes(24);
    expect(
      xchacha20Poly1305Open(key, n24, xchacha20Poly1305Seal(key, n24, new Uint8Array([7]))),
    ).toEqual(new Uint8Array([7]));
    expect(() => aes256GcmOpen(new Uint8Array(32), new Uint8Array(12), new Uint8Array(16))).toThrow(
      DecryptionError,
    );
  });

  it('random bytes differ between calls', () => {
    expect(toHex(randomBytes(32))).not.toBe(toHex(randomBytes(32)));
    expect(randomBytes(0).length).toBe(0);
  });

  it('a DecryptionError carries no cause and no detail', () => {
    try {
      aes256GcmOpen(new Uint8Array(32), new Uint8Array(12), new Uint8Array(16));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DecryptionError);
      expect((e as Error).cause).toBeUndefined();
      expect((e as DecryptionError).details).toBeUndefined();
    }
  });
});
