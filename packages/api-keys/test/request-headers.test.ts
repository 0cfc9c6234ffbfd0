import { describe, expect, it } from 'vitest';
import { readApiKey } from '../src/index.js';

const K1 = 'lp_live_AAAAAAAAAAAAAAAA_key1';
const K2 = 'lp_live_BBBBBBBBBBBBBBBB_key2';

describe('readApiKey: header precedence', () => {
  const cases: Array<[string, Record<string, string>, string | null | 'throws']> = [
    ['X-Api-Key only', { 'x-api-key': K1 }, K1],
    ['Bearer only', { authorization: `Bearer ${K1}` }, K1],
    ['bearer scheme is case-insensitive', { authorization: `bearer ${K1}` }, K1],
    ['both, equal', { 'x-api-key': K1, authorization: `Bearer ${K1}` }, K1],
    ['both, different: refused', { 'x-api-key': K1, authorization: `Bearer ${K2}` }, 'throws'],
    [
      'X-Api-Key plus Basic auth: Basic is not an API key',
      { 'x-api-key': K1, authorization: 'Basic dXNlcjpwYXNz' },
      K1,
    ],
    ['Basic only: no key', { authorization: 'Basic dXNlcjpwYXNz' }, null],
    ['none', {}, null],
    ['surrounding whitespace is trimmed', { 'x-api-key': `  ${K1}\t` }, K1],
    ['empty X-Api-Key: refused', { 'x-api-key': '   ' }, 'throws'],
    ['Bearer without a token: refused', { authorization: 'Bearer ' }, 'throws'],
    ['two tokens after Bearer: refused', { authorization: `Bearer ${K1} ${K2}` }, 'throws'],
    [
      'two Bearer values joined by a proxy: refused',
      { authorization: `Bearer ${K1}, Bearer ${K2}` },
      'throws',
    ],
    [
      'a malformed Bearer next to X-Api-Key is refused, not ignored',
      { 'x-api-key': K1, authorization: `Bearer ${K1} extra` },
      'throws',
    ],
    [
      'a scheme that only starts like Bearer is not Bearer',
      { authorization: `BearerX ${K1}` },
      null,
    ],
    ['a value over 1 KiB: refused', { 'x-api-key': 'x'.repeat(1025) }, 'throws'],
  ];
  for (const [name, headers, expected] of cases) {
    it(`${name} (Fetch Headers and Node headers agree)`, () => {
      for (const h of [new Headers(headers), headers]) {
        if (expected === 'throws') {
          expect(() => readApiKey(h)).toThrow(
            expect.objectContaining({ code: 'UNAUTHENTICATED', status: 401 }),
          );
        } else {
          expect(readApiKey(h)).toBe(expected);
        }
      }
    });
  }

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
      readApiKey({ 'x-api-key': K1, authorization: `Bearer ${K2}` });
      expect.unreachable();
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain('key1');
      expect(String(error)).not.toContain('key2');
    }
  });
});
