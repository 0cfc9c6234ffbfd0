import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cryptoBackend, toHex } from '../src/index.js';
import { backends } from './backends.js';

const [[, node], [, noble]] = backends as [
  readonly [string, (typeof backends)[number][1]],
  readonly [string, (typeof backends)[number][1]],
];

const bytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });
const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('node:crypto and @noble give identical bytes', () => {
  it('the package picks node:crypto on Node through the #crypto condition', () => {
    expect(cryptoBackend).toBe('node');
  });

  it('SHA-256, HMAC and HKDF', () => {
    fc.assert(
      fc.property(
        bytes(2048),
        bytes(100),
        fc.string(),
        fc.integer({ min: 1, max: 300 }),
        (d, k, s, n) => {
          expect(toHex(node.sha256(d))).toBe(toHex(noble.sha256(d)));
          expect(node.sha256Hex(s)).toBe(noble.sha256Hex(s));
          expect(toHex(node.hmacSha256(k, d))).toBe(toHex(noble.hmacSha256(k, d)));
          expect(node.hmacSha256Hex(k, s)).toBe(noble.hmacSha256Hex(k, s));
          const opts = { salt: k, info: d.subarray(0, 64), length: n };
          expect(toHex(node.hkdfSha256(d, opts))).toBe(toHex(noble.hkdfSha256(d, opts)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('HKDF with an info longer than OpenSSL accepts (1024 bytes) still agrees', () => {
    const info = new Uint8Array(3000).map((_, i) => i & 255);
    const opts = { salt: new Uint8Array([1, 2]), info, length: 100 };
    expect(toHex(node.hkdfSha256(new Uint8Array(32), opts))).toBe(
      toHex(noble.hkdfSha256(new Uint8Array(32), opts)),
    );
  });

  it('AES-256-GCM and XChaCha20-Poly1305 seal the same and open each other', () => {
    fc.assert(
      fc.property(
        key32,
        fc.uint8Array({ minLength: 24, maxLength: 24 }),
        bytes(4096),
        bytes(64),
        (key, nonce24, pt, aad) => {
          const nonce12 = nonce24.subarray(0, 12);
          const a = node.aes256GcmSeal(key, nonce12, pt, aad);
          expect(toHex(a)).toBe(toHex(noble.aes256GcmSeal(key, nonce12, pt, aad)));
          expect(toHex(noble.aes256GcmOpen(key, nonce12, a, aad))).toBe(toHex(pt));
          const x = node.xchacha20Poly1305Seal(key, nonce24, pt, aad);
          expect(toHex(x)).toBe(toHex(noble.xchacha20Poly1305Seal(key, nonce24, pt, aad)));
          expect(toHex(noble.xchacha20Poly1305Open(key, nonce24, x, aad))).toBe(toHex(pt));
          expect(toHex(node.xchacha20Poly1305Open(key, nonce24, x, aad))).toBe(toHex(pt));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a seal with headroom is that many zero bytes, then the same sealed bytes, on both backends', () => {
    fc.assert(
      fc.property(
        key32,
        fc.uint8Array({ minLength: 24, maxLength: 24 }),
        bytes(8192),
        fc.integer({ min: 0, max: 600 }),
        (key, nonce24, pt, headroom) => {
          const nonce12 = nonce24.subarray(0, 12);
          const zeros = '00'.repeat(headroom);
          for (const c of [node, noble]) {
            const plainGcm = toHex(c.aes256GcmSeal(key, nonce12, pt));
            expect(toHex(c.aes256GcmSeal(key, nonce12, pt, undefined, { headroom }))).toBe(
              zeros + plainGcm,
            );
            const plainX = toHex(c.xchacha20Poly1305Seal(key, nonce24, pt));
            expect(toHex(c.xchacha20Poly1305Seal(key, nonce24, pt, undefined, { headroom }))).toBe(
              zeros + plainX,
            );
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
