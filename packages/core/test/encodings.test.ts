import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  concatBytes,
  fromBase32Crockford,
  fromBase64Url,
  fromHex,
  toBase32Crockford,
  toBase64Url,
  toHex,
  utf8Decode,
  utf8Encode,
} from '../src/index.js';
import { codeOf } from './code-of.js';

describe('known answers', () => {
  it('hex', () => {
    expect(toHex(new Uint8Array([0, 255]))).toBe('00ff');
    expect(fromHex('00ff')).toEqual(new Uint8Array([0, 255]));
    expect(toHex(new Uint8Array())).toBe('');
  });

  it('base64url (RFC 4648 test vectors, url alphabet, unpadded)', () => {
    const rfc: Array<[string, string]> = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, encoded] of rfc) {
      expect(toBase64Url(utf8Encode(plain))).toBe(encoded);
      expect(utf8Decode(fromBase64Url(encoded))).toBe(plain);
    }
    expect(toBase64Url(new Uint8Array([251, 255]))).toBe('-_8');
    expect(fromBase64Url('-_8')).toEqual(new Uint8Array([251, 255]));
  });

  it('Crockford base32', () => {
    expect(toBase32Crockford(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]))).toBe('ZZZZZZZZ');
    expect(fromBase32Crockford('ZZZZZZZZ')).toEqual(new Uint8Array([255, 255, 255, 255, 255]));
    expect(toBase32Crockford(utf8Encode('foobar'))).toBe('CSQPYRK1E8');
    expect(toBase32Crockford(new Uint8Array(10))).toBe('0000000000000000');
    expect(toBase32Crockford(new Uint8Array([0x80]))).toBe('G0');
  });

  it('utf8', () => {
    expect(utf8Encode('é')).toEqual(new Uint8Array([195, 169]));
    expect(utf8Decode(new Uint8Array([195, 169]))).toBe('é');
    expect(utf8Decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))).toBe('\uFEFFA');
  });

  it('concatBytes', () => {
    expect(concatBytes(new Uint8Array([1]), new Uint8Array([2, 3]))).toEqual(
      new Uint8Array([1, 2, 3]),
    );
    expect(concatBytes()).toEqual(new Uint8Array());
    expect(codeOf(() => concatBytes([1] as unknown as Uint8Array))).toBe('INVALID_INPUT');
  });
});

describe('round trips (property)', () => {
  it('every byte string survives each encoding and has one canonical spelling', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(fromHex(toHex(bytes))).toEqual(bytes);
        expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
        expect(fromBase32Crockford(toBase32Crockford(bytes))).toEqual(bytes);
        expect(toHex(fromHex(toHex(bytes)))).toBe(toHex(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with Node Buffer for hex and base64url', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(toHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
        expect(toBase64Url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
      }),
    );
  });

  it('decoders never crash on arbitrary strings: a value or a typed error', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        for (const decode of [fromHex, fromBase64Url, fromBase32Crockford]) {
          const code = codeOf(() => decode(text));
          expect(code === undefined || code === 'INVALID_ENCODING').toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('any accepted base64url/base32 text re-encodes to itself (canonical)', () => {
    const b64chars = fc.constantFrom(
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
    );
    const b32chars = fc.constantFrom(...'0123456789ABCDEFGHJKMNPQRSTVWXYZ');
    fc.assert(
      fc.property(
        fc.array(b64chars, { maxLength: 30 }),
        fc.array(b32chars, { maxLength: 30 }),
        (a, b) => {
          const t64 = a.join('');
          const t32 = b.join('');
          if (codeOf(() => fromBase64Url(t64)) === undefined)
            expect(toBase64Url(fromBase64Url(t64))).toBe(t64);
          if (codeOf(() => fromBase32Crockford(t32)) === undefined) {
            expect(toBase32Crockford(fromBase32Crockford(t32))).toBe(t32);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('hostile inputs', () => {
  const invalid: Array<[string, () => unknown, string]> = [
    ['hex odd length', () => fromHex('abc'), 'INVALID_ENCODING'],
    ['hex upper case', () => fromHex('00FF'), 'INVALID_ENCODING'],
    ['hex 0x prefix', () => fromHex('0x00'), 'INVALID_ENCODING'],
    ['hex whitespace', () => fromHex('00 f'), 'INVALID_ENCODING'],
    ['hex unicode', () => fromHex('０１'), 'INVALID_ENCODING'],
    ['hex number', () => fromHex(12 as unknown as string), 'INVALID_INPUT'],
    ['b64 padding', () => fromBase64Url('Zg=='), 'INVALID_ENCODING'],
    ['b64 standard alphabet', () => fromBase64Url('+/8'), 'INVALID_ENCODING'],
    ['b64 impossible length', () => fromBase64Url('Zm9vY'), 'INVALID_ENCODING'],
    ['b64 trailing bits (1 byte)', () => fromBase64Url('Zh'), 'INVALID_ENCODING'],
    ['b64 trailing bits (2 bytes)', () => fromBase64Url('Zm9'), 'INVALID_ENCODING'],
    ['b64 newline', () => fromBase64Url('Zm9v\nYg'), 'INVALID_ENCODING'],
    ['b64 emoji', () => fromBase64Url('Zm9v😀'), 'INVALID_ENCODING'],
    ['b64 null', () => fromBase64Url(null as unknown as string), 'INVALID_INPUT'],
    ['b32 lower case', () => fromBase32Crockford('zzzzzzzz'), 'INVALID_ENCODING'],
    ['b32 alias O', () => fromBase32Crockford('O0000000'), 'INVALID_ENCODING'],
    ['b32 alias I', () => fromBase32Crockford('I0000000'), 'INVALID_ENCODING'],
    ['b32 alias L', () => fromBase32Crockford('L0000000'), 'INVALID_ENCODING'],
    ['b32 U', () => fromBase32Crockford('U0000000'), 'INVALID_ENCODING'],
    ['b32 hyphen', () => fromBase32Crockford('ZZZZ-ZZZZ'), 'INVALID_ENCODING'],
    ['b32 impossible length', () => fromBase32Crockford('Z'), 'INVALID_ENCODING'],
    ['b32 padding bits set', () => fromBase32Crockford('G1'), 'INVALID_ENCODING'],
    ['b32 array', () => fromBase32Crockford([] as unknown as string), 'INVALID_INPUT'],
    ['utf8 invalid byte', () => utf8Decode(new Uint8Array([0xff])), 'INVALID_ENCODING'],
    ['utf8 truncated', () => utf8Decode(new Uint8Array([0xc3])), 'INVALID_ENCODING'],
    ['utf8 overlong', () => utf8Decode(new Uint8Array([0xc0, 0xaf])), 'INVALID_ENCODING'],
    ['utf8 surrogate', () => utf8Decode(new Uint8Array([0xed, 0xa0, 0x80])), 'INVALID_ENCODING'],
    ['utf8 string', () => utf8Decode('x' as unknown as Uint8Array), 'INVALID_INPUT'],
    ['toHex string', () => toHex('x' as unknown as Uint8Array), 'INVALID_INPUT'],
    ['toBase64Url array', () => toBase64Url([1] as unknown as Uint8Array), 'INVALID_INPUT'],
  ];
  it.each(invalid)('%s', (_label, fn, code) => {
    expect(codeOf(fn)).toBe(code);
  });

  it('a 4 MiB input decodes without trouble', () => {
    const big = new Uint8Array(4 << 20).fill(7);
    expect(fromBase64Url(toBase64Url(big)).length).toBe(big.length);
    expect(fromHex(toHex(big.subarray(0, 1 << 20))).length).toBe(1 << 20);
  });
});
