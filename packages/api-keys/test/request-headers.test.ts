import { describe, expect, it } from 'vitest';
import { readApiKey } from '../src/index.js';

const K1 = 'lp_live_AAAAAAAAAAAAAAAA_key1';
const K2 = 'lp_live_BBBBBBBBBBBBBBBB_key2';

describe('readApiKey: header precedence', () => {
  // [name, headers, by default ('prefer-x-api-key'), with conflictingHeaders: 'reject']
  type Expected = string | null | 'throws';
  const cases: Array<[string, Record<string, string>, Expected, Expected]> = [
    ['X-Api-Key only', { 'x-api-key': K1 }, K1, K1],
    ['Bearer only', { authorization: `Bearer ${K1}` }, K1, K1],
    ['bearer scheme is case-insensitive', { authorization: `bearer ${K1}` }, K1, K1],
    ['both, equal', { 'x-api-key': K1, authorization: `Bearer ${K1}` }, K1, K1],
    [
      'both, different: X-Api-Key wins (the partner contract), or refused when strict',
      { 'x-api-key': K1, authorization: `Bearer ${K2}` },
      K1,
      'throws',
    ],
    [
      "X-Api-Key plus a gateway's own bearer token",
      { 'x-api-key': K1, authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig' },
      K1,
      'throws',
    ],
    [
      'X-Api-Key plus Basic auth: Basic is not an API key',
      { 'x-api-key': K1, authorization: 'Basic dXNlcjpwYXNz' },
      K1,
      K1,
    ],
    ['Basic only: no key', { authorization: 'Basic dXNlcjpwYXNz' }, null, null],
    ['none', {}, null, null],
    ['surrounding whitespace is trimmed', { 'x-api-key': `  ${K1}\t` }, K1, K1],
    ['empty X-Api-Key: refused', { 'x-api-key': '   ' }, 'throws', 'throws'],
    [
      'empty X-Api-Key next to a Bearer: refused, not a fallback',
      { 'x-api-key': '', authorization: `Bearer ${K1}` },
      'throws',
      'throws',
    ],
    ['Bearer without a token: refused', { authorization: 'Bearer ' }, 'throws', 'throws'],
    [
      'two tokens after Bearer: refused',
      { authorization: `Bearer ${K1} ${K2}` },
      'throws',
      'throws',
    ],
    [
      'two Bearer values joined by a proxy: refused',
      { authorization: `Bearer ${K1}, Bearer ${K2}` },
      'throws',
      'throws',
    ],
    [
      'a malformed Bearer next to X-Api-Key: not read by default, refused when strict',
      { 'x-api-key': K1, authorization: `Bearer ${K1} extra` },
      K1,
      'throws',
    ],
    [
      'an overlong Authorization next to X-Api-Key: not read by default, refused when strict',
      { 'x-api-key': K1, authorization: `Bearer ${'x'.repeat(1100)}` },
      K1,
      'throws',
    ],
    [
      'a scheme that only starts like Bearer is not Bearer',
      { authorization: `BearerX ${K1}` },
      null,
      null,
    ],
    ['a value over 1 KiB: refused', { 'x-api-key': 'x'.repeat(1025) }, 'throws', 'throws'],
  ];
  for (const [name, headers, byDefault, strict] of cases) {
    it(`${name} (Fetch Headers and Node headers agree)`, () => {
      for (const [options, expected] of [
        [{}, byDefault],
        [{ conflictingHeaders: 'prefer-x-api-key' }, byDefault],
        [{ conflictingHeaders: 'reject' }, strict],
      ] as const) {
        for (const h of [new Headers(headers), headers]) {
          if (expected === 'throws') {
            expect(() => readApiKey(h, options)).toThrow(
              expect.objectContaining({ code: 'UNAUTHENTICATED', status: 401 }),
            );
          } else {
            expect(readApiKey(h, options)).toBe(expected);
          }
        }
      }
    });
  }

  it('an unknown conflictingHeaders policy is INVALID_INPUT', () => {
    expect(() => readApiKey({}, { conflictingHeaders: 'first' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });

  it('a repeated X-Api-Key header is refused in both shapes', () => {
    const fetchHeaders = new Headers();
    fetchHeaders.append('x-api-key', K1);
    fetchHeaders.append('x-api-key', K2);
    expect(() => readApiKey(fetchHeaders)).toThrow(
      expect.objectContaining({ code: 'UNAUTHENTICATED' }),
    );
    expect(() => readApiKey({ 'x-api-key': [K1, K2] })).toThrow(
      expect.objectContaining({ code: 'UNAUTHENTICATED' }),
    );
    // Node's parser joins repeated unknown headers with ", " (see the HTTP tests for the real thing).
    expect(() => readApiKey({ 'x-api-key': `${K1}, ${K2}` })).toThrow(
      expect.objectContaining({ code: 'UNAUTHENTICATED' }),
    );
    expect(readApiKey({ 'x-api-key': [K1] })).toBe(K1);
  });

  it('error messages never echo the presented keys', () => {
    try {
      readApiKey(
        { 'x-api-key': K1, authorization: `Bearer ${K2}` },
        { conflictingHeaders: 'reject' },
      );
      expect.unreachable();
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain('key1');
      expect(String(error)).not.toContain('key2');
    }
  });
});
