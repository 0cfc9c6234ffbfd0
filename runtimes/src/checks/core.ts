// @coffer/core: the backend this runtime picks, standard known answers, identical bytes to Node's
// backend, and the runtime's own Web Crypto agreeing with coffer's AES-GCM.
import {
  aes256GcmOpen,
  aes256GcmSeal,
  constantTimeEqual,
  cryptoBackend,
  fromBase32Crockford,
  fromBase64Url,
  fromHex,
  hkdfSha256,
  hmacSha256Hex,
  randomBytes,
  redact,
  sha256Hex,
  toBase32Crockford,
  toBase64Url,
  toHex,
  utf8Encode,
  xchacha20Poly1305Open,
  xchacha20Poly1305Seal,
} from '@coffer/core';
import { equal, group, ok, throwsCode } from './check.ts';

export const coreChecks = group('core', [
  {
    name: 'picks the expected crypto backend',
    run: (ctx) => equal(cryptoBackend, ctx.expect.cryptoBackend, 'cryptoBackend'),
  },
  {
    name: 'SHA-256, HMAC and HKDF known answers (FIPS 180-2, RFC 4231 case 2, RFC 5869 case 1)',
    run: () => {
      equal(
        sha256Hex('abc'),
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
        'sha256',
      );
      equal(
        hmacSha256Hex(utf8Encode('Jefe'), 'what do ya want for nothing?'),
        '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
        'hmac',
      );
      const okm = hkdfSha256(fromHex('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b'), {
        salt: fromHex('000102030405060708090a0b0c'),
        info: fromHex('f0f1f2f3f4f5f6f7f8f9'),
        length: 42,
      });
      equal(
        toHex(okm),
        '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
        'hkdf',
      );
    },
  },
  {
    name: 'AES-256-GCM known answers (GCM spec test cases 13 and 14)',
    run: () => {
      const key = new Uint8Array(32);
      const nonce = new Uint8Array(12);
      equal(
        toHex(aes256GcmSeal(key, nonce, new Uint8Array(0))),
        '530f8afbc74536b9a963b4f1c4cb738b',
        'case 13',
      );
      equal(
        toHex(aes256GcmSeal(key, nonce, new Uint8Array(16))),
        'cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919',
        'case 14',
      );
    },
  },
  {
    name: "identical bytes to Node's backend (AES-GCM, XChaCha20-Poly1305, HMAC, HKDF)",
    run: ({ fixture: { core: f } }) => {
      const key = fromHex(f.keyHex);
      const plaintext = fromHex(f.plaintextHex);
      const aad = fromHex(f.aadHex);
      equal(
        toHex(aes256GcmSeal(key, fromHex(f.nonce12Hex), plaintext, aad)),
        f.aesGcmHex,
        'aes-gcm',
      );
      equal(
        toHex(xchacha20Poly1305Seal(key, fromHex(f.nonce24Hex), plaintext, aad)),
        f.xchachaHex,
        'xchacha20-poly1305',
      );
      equal(
        aes256GcmOpen(key, fromHex(f.nonce12Hex), fromHex(f.aesGcmHex), aad),
        plaintext,
        'aes-gcm open',
      );
      equal(
        xchacha20Poly1305Open(key, fromHex(f.nonce24Hex), fromHex(f.xchachaHex), aad),
        plaintext,
        'xchacha open',
      );
      equal(hmacSha256Hex(key, plaintext), f.hmacHex, 'hmac');
      equal(
        toHex(hkdfSha256(key, { salt: fromHex(f.nonce12Hex), info: aad, length: 42 })),
        f.hkdfHex,
        'hkdf',
      );
    },
  },
  {
    name: "agrees with the runtime's own Web Crypto AES-GCM both ways",
    run: async () => {
      const key = randomBytes(32);
      const nonce = randomBytes(12);
      const plaintext = randomBytes(1000);
      const aad = randomBytes(7);
      const webKey = await crypto.subtle.importKey('raw', key, 'AES-GCM', false, [
        'encrypt',
        'decrypt',
      ]);
      const params = { name: 'AES-GCM', iv: nonce, additionalData: aad };
      const ours = aes256GcmSeal(key, nonce, plaintext, aad);
      equal(
        new Uint8Array(await crypto.subtle.decrypt(params, webKey, ours)),
        plaintext,
        'web crypto opens ours',
      );
      const theirs = new Uint8Array(await crypto.subtle.encrypt(params, webKey, plaintext));
      equal(aes256GcmOpen(key, nonce, theirs, aad), plaintext, 'we open web crypto');
      equal(theirs, ours, 'same bytes');
    },
  },
  {
    name: 'tampering fails closed with DECRYPT_FAILED',
    run: ({ fixture: { core: f } }) => {
      const sealed = fromHex(f.aesGcmHex);
      sealed[3] = (sealed[3] ?? 0) ^ 1;
      throwsCode(
        () => aes256GcmOpen(fromHex(f.keyHex), fromHex(f.nonce12Hex), sealed, fromHex(f.aadHex)),
        'DECRYPT_FAILED',
        'altered AES-GCM',
      );
      throwsCode(
        () =>
          xchacha20Poly1305Open(fromHex(f.keyHex), fromHex(f.nonce24Hex), fromHex(f.xchachaHex)),
        'DECRYPT_FAILED',
        'XChaCha without its aad',
      );
      throwsCode(
        () => aes256GcmSeal(new Uint8Array(31), new Uint8Array(12), new Uint8Array(1)),
        'INVALID_INPUT',
        'short key',
      );
    },
  },
  {
    name: 'random bytes, encodings, constant-time equality and Redacted',
    run: () => {
      const a = randomBytes(32);
      const b = randomBytes(32);
      ok(a.length === 32 && !constantTimeEqual(a, b), 'two random draws differ');
      ok(constantTimeEqual(a, a.slice()), 'equal bytes compare equal');
      equal(fromBase64Url(toBase64Url(a)), a, 'base64url round trip');
      equal(fromBase32Crockford(toBase32Crockford(a)), a, 'base32 round trip');
      equal(toBase64Url(utf8Encode('ünï ☃')), 'w7xuw68g4piD', 'base64url of UTF-8');
      throwsCode(() => fromHex('abc'), 'INVALID_ENCODING', 'odd-length hex');
      const secret = redact('s3cr3t-value');
      ok(!JSON.stringify({ secret }).includes('s3cr3t'), 'JSON.stringify hides a Redacted');
      ok(
        !String(secret).includes('s3cr3t') && !`${secret}`.includes('s3cr3t'),
        'String() hides it',
      );
      equal(secret.expose(), 's3cr3t-value', 'expose()');
    },
  },
]);
