import { describe, expect, it } from 'vitest';
import { isCofferError, toHex } from '../src/index.js';
import { backends } from './backends.js';
import { hex, loadWycheproof } from './wycheproof.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

// Written-in known answers: FIPS 180-2 (SHA-256), RFC 4231 (HMAC-SHA-256), RFC 5869 (HKDF),
// the McGrew–Viega GCM spec test case 16 (AES-256-GCM with AAD), and
// draft-irtf-cfrg-xchacha-03 §A.3.1 (XChaCha20-Poly1305).
describe.each(backends)('%s backend: written-in known answers', (_name, c) => {
  it('SHA-256 (FIPS 180-2)', () => {
    expect(toHex(c.sha256(utf8('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(c.sha256Hex('')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(c.sha256Hex(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('HMAC-SHA-256 (RFC 4231 cases 1 and 2)', () => {
    expect(toHex(c.hmacSha256(new Uint8Array(20).fill(0x0b), utf8('Hi There')))).toBe(
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    );
    expect(c.hmacSha256Hex(utf8('Jefe'), 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('HKDF-SHA-256 (RFC 5869 case 1)', () => {
    const okm = c.hkdfSha256(new Uint8Array(22).fill(0x0b), {
      salt: hex('000102030405060708090a0b0c'),
      info: hex('f0f1f2f3f4f5f6f7f8f9'),
      length: 42,
    });
    expect(toHex(okm)).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
  });

  it('AES-256-GCM (GCM spec test case 16)', () => {
    const key = hex('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308');
    const iv = hex('cafebabefacedbaddecaf888');
    const pt = hex(
      'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    );
    const aad = hex('feedfacedeadbeeffeedfacedeadbeefabaddad2');
    const expected =
      '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662' +
      '76fc6ece0f4e1768cddf8853bb2d551b';
    const sealed = c.aes256GcmSeal(key, iv, pt, aad);
    expect(toHex(sealed)).toBe(expected);
    expect(toHex(c.aes256GcmOpen(key, iv, sealed, aad))).toBe(toHex(pt));
  });

  it('XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha A.3.1)', () => {
    const key = hex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const nonce = hex('404142434445464748494a4b4c4d4e4f5051525354555657');
    const aad = hex('50515253c0c1c2c3c4c5c6c7');
    const pt = utf8(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const expected =
      'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e' +
      'c0875924c1c7987947deafd8780acf49';
    const sealed = c.xchacha20Poly1305Seal(key, nonce, pt, aad);
    expect(toHex(sealed)).toBe(expected);
    expect(c.xchacha20Poly1305Open(key, nonce, sealed, aad)).toEqual(pt);
  });
});

function expectCode(fn: () => unknown, codes: string[]): void {
  try {
    fn();
  } catch (e) {
    expect(isCofferError(e) && codes.includes(e.code), `expected one of ${codes.join(', ')}`).toBe(
      true,
    );
    return;
  }
  throw new Error(`expected a CofferError with one of ${codes.join(', ')}`);
}

const aesGcm = loadWycheproof('aes_gcm_test.json');
const xchacha = loadWycheproof('xchacha20_poly1305_test.json');
const hkdf = loadWycheproof('hkdf_sha256_test.json');
const hmac = loadWycheproof('hmac_sha256_test.json');

/** Registers the test only when its vector file is present (its absence is announced once). */
function whenLoaded(file: unknown): typeof it | ((name: string, fn: () => void) => void) {
  return file !== undefined ? it : () => undefined;
}

const anyWycheproof = [aesGcm, xchacha, hkdf, hmac].some((f) => f !== undefined);

describe.runIf(anyWycheproof).each(backends)('%s backend: Wycheproof', (_name, c) => {
  whenLoaded(aesGcm)('AES-GCM: every case (256-bit key, 96-bit IV in profile)', () => {
    let inProfile = 0;
    for (const group of aesGcm?.testGroups ?? []) {
      for (const t of group.tests) {
        const [key, iv, aad, msg, ct, tag] = [t.key, t.iv, t.aad, t.msg, t.ct, t.tag].map(hex) as [
          Uint8Array,
          Uint8Array,
          Uint8Array,
          Uint8Array,
          Uint8Array,
          Uint8Array,
        ];
        const sealed = new Uint8Array([...ct, ...tag]);
        const supported = group.keySize === 256 && group.ivSize === 96 && group.tagSize === 128;
        if (!supported) {
          // Outside our profile (AES-128/192, non-96-bit IVs): refused at the boundary, valid or not.
          expectCode(() => c.aes256GcmOpen(key, iv, sealed, aad), ['INVALID_INPUT']);
          continue;
        }
        inProfile++;
        if (t.result === 'valid') {
          expect(toHex(c.aes256GcmSeal(key, iv, msg, aad)), `tcId ${t.tcId}`).toBe(toHex(sealed));
          expect(toHex(c.aes256GcmOpen(key, iv, sealed, aad)), `tcId ${t.tcId}`).toBe(toHex(msg));
        } else {
          expectCode(() => c.aes256GcmOpen(key, iv, sealed, aad), ['DECRYPT_FAILED']);
        }
      }
    }
    expect(inProfile).toBe(66);
  });

  whenLoaded(xchacha)('XChaCha20-Poly1305: every case', () => {
    let count = 0;
    for (const group of xchacha?.testGroups ?? []) {
      for (const t of group.tests) {
        count++;
        const [key, iv, aad, msg, ct, tag] = [t.key, t.iv, t.aad, t.msg, t.ct, t.tag].map(hex) as [
          Uint8Array,
          Uint8Array,
          Uint8Array,
          Uint8Array,
          Uint8Array,
          Uint8Array,
        ];
        const sealed = new Uint8Array([...ct, ...tag]);
        if (group.ivSize !== 192) {
          expect(t.result).toBe('invalid');
          expectCode(() => c.xchacha20Poly1305Open(key, iv, sealed, aad), ['INVALID_INPUT']);
        } else if (t.result === 'valid') {
          expect(toHex(c.xchacha20Poly1305Seal(key, iv, msg, aad)), `tcId ${t.tcId}`).toBe(
            toHex(sealed),
          );
          expect(toHex(c.xchacha20Poly1305Open(key, iv, sealed, aad))).toBe(toHex(msg));
        } else {
          expectCode(() => c.xchacha20Poly1305Open(key, iv, sealed, aad), ['DECRYPT_FAILED']);
        }
      }
    }
    expect(count).toBe(xchacha?.numberOfTests);
  });

  whenLoaded(hkdf)('HKDF-SHA-256: every case', () => {
    let count = 0;
    for (const group of hkdf?.testGroups ?? []) {
      for (const t of group.tests) {
        count++;
        const args = { salt: hex(t.salt), info: hex(t.info), length: Number(t.size) };
        if (t.result === 'valid') {
          expect(toHex(c.hkdfSha256(hex(t.ikm), args)), `tcId ${t.tcId}`).toBe(t.okm);
        } else {
          expectCode(() => c.hkdfSha256(hex(t.ikm), args), ['INVALID_INPUT']);
        }
      }
    }
    expect(count).toBe(hkdf?.numberOfTests);
  });

  whenLoaded(hmac)('HMAC-SHA-256: every case (truncated tags compared as prefixes)', () => {
    let count = 0;
    for (const group of hmac?.testGroups ?? []) {
      for (const t of group.tests) {
        count++;
        const tag = hex(t.tag);
        const mac = c.hmacSha256(hex(t.key), hex(t.msg)).subarray(0, tag.length);
        expect(toHex(mac) === toHex(tag), `tcId ${t.tcId}`).toBe(t.result === 'valid');
      }
    }
    expect(count).toBe(hmac?.numberOfTests);
  });
});
