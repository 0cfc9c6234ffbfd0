import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NUMBERING_PLANS } from '../src/calling-code-table.js';
import { KNOWN_CALLING_CODE_COUNTRIES, type Normalized, normalizePhone } from '../src/index.js';

const ok = (value: string): Normalized => ({ ok: true, value });
const bad = { ok: false, reason: 'invalid_format' };
const phone = (input: string, country?: string) =>
  normalizePhone(input, country === undefined ? {} : { country });

describe('phones that used to normalize to a valid but wrong number', () => {
  it.each([
    // A "+" after an opening bracket or spaces is still international.
    ['(+44) 7911 123456', 'fr', ok('+447911123456')],
    ['( +44 ) 7911 123456', 'fr', ok('+447911123456')],
    ['[+1] 650 555 1234', 'gb', ok('+16505551234')],
    ['＋44 7911 123456', 'fr', ok('+447911123456')],
    // Trunk prefixes other than "0".
    ['8 912 345-67-89', 'ru', ok('+79123456789')],
    ['8 (912) 345-67-89', 'RU', ok('+79123456789')],
    ['912 345-67-89', 'ru', ok('+79123456789')],
    ['8 800 555-35-35', 'ru', ok('+78005553535')],
    ['800 555-35-35', 'ru', ok('+78005553535')], // an NSN that starts with the trunk digit
    ['8 701 123 4567', 'kz', ok('+77011234567')],
    ['06 30 123 4567', 'hu', ok('+36301234567')],
    ['06 1 234 5678', 'hu', ok('+3612345678')],
    ['+36 06 30 123 4567', undefined, ok('+36301234567')],
    ['8 029 123-45-67', 'by', ok('+375291234567')],
    ['8 612 34567', 'lt', ok('+37061234567')],
    ['0 612 34567', 'lt', ok('+37061234567')],
    ['1 (650) 555-1234', 'ca', ok('+16505551234')],
    ['011 44 7911 123456', 'us', ok('+447911123456')],
    // Brazil: area code 55 is also the calling code; both readings fit, so it stays national.
    ['(55) 99123-4567', 'br', ok('+5555991234567')],
    ['55991234567', 'br', ok('+5555991234567')],
    ['+55 55 99123-4567', 'fr', ok('+5555991234567')],
    ['5555991234567', 'br', ok('+5555991234567')], // 13 digits: too long to be national
    ['(11) 99123-4567', 'br', ok('+5511991234567')],
    // Italy keeps its 0; Spain has no trunk prefix.
    ['06 1234 5678', 'it', ok('+390612345678')],
    ['912 34 56 78', 'es', ok('+34912345678')],
    // Every Unicode decimal digit counts with its value.
    ['+1 650 ٥٥٥ 1234', undefined, ok('+16505551234')],
    ['+1 650 ۵۵۵ 1234', undefined, ok('+16505551234')], // extended Arabic-Indic
    ['+91 ९८७६५ ४३२१०', undefined, ok('+919876543210')], // Devanagari
    ['+１ ６５０ ５５５ １２３４', undefined, ok('+16505551234')], // full-width
    ['+66 ๘๑ ๒๓๔ ๕๖๗๘', undefined, ok('+66812345678')], // Thai
    ['+1 650 𝟓𝟓𝟓 𝟏𝟐𝟑𝟒', undefined, ok('+16505551234')], // mathematical bold
    ['+1 650 𝟝𝟝𝟝 𝟙𝟚𝟛𝟜', undefined, ok('+16505551234')], // double-struck (the run after bold)
    // Numeric characters that are not decimal digits are refused, never dropped.
    ['+1 650 555 123⁴', undefined, bad],
    ['+1 650 555 ①②③④', undefined, bad],
    ['+1 650 555 12½', undefined, bad],
    // Extensions are cut off, not appended.
    ['+1 650 555 1234 x 12', undefined, ok('+16505551234')],
    ['+1 650 555 1234 x12', undefined, ok('+16505551234')],
    ['+1 650 555 1234 X 12', undefined, ok('+16505551234')],
    ['+1 650 555 1234 ext 12', undefined, ok('+16505551234')],
    ['+1 650 555 1234 ext. 12', undefined, ok('+16505551234')],
    ['+1 650 555 1234 Ext.12', undefined, ok('+16505551234')],
    ['+1 650 555 1234 extension 12', undefined, ok('+16505551234')],
    ['+1 650 555 1234 #12', undefined, ok('+16505551234')],
    ['+1-650-555-1234;ext=12', undefined, ok('+16505551234')],
    ['tel:+1-650-555-1234;ext=12', undefined, ok('+16505551234')],
    ['(650) 555-1234 x12', 'us', ok('+16505551234')],
    ['+1 650 555 1234 x ٣', undefined, ok('+16505551234')],
    // Without a marker, extra digits make the number too long: refused, not guessed.
    ['+1 650 555 1234 12', undefined, bad],
    // Unknown calling codes and impossible lengths are refused.
    ['+999 123 456 789', undefined, bad],
    ['+44 7911 1234', undefined, bad],
    ['+33 6 12 34 56 7', undefined, bad],
    ['+44 (0)0 7911 123456', undefined, bad],
  ])('%j (country %s)', (input, country, expected) => {
    const result = phone(input, country);
    expect(result).toEqual(expected);
    if (result.ok) {
      // International output reads the same under any country, or none.
      for (const other of [undefined, 'us', 'gb', 'fr', 'br', 'ru', 'de', 'it', 'hu']) {
        expect(phone(result.value, other), `${result.value} under ${other}`).toEqual(result);
      }
    }
  });
});

describe('the numbering-plan table', () => {
  const rows = Object.entries(NUMBERING_PLANS);

  it('covers every ISO 3166-1 country with a plan of its own (242 of 249)', () => {
    expect(rows.length).toBe(242);
    expect(KNOWN_CALLING_CODE_COUNTRIES.length).toBe(242);
    for (const missing of ['aq', 'bv', 'gs', 'hm', 'pn', 'tf', 'um']) {
      expect(KNOWN_CALLING_CODE_COUNTRIES).not.toContain(missing);
    }
  });

  it('rows are well formed: 1-3 digit codes, digit trunks, lengths within 4-17', () => {
    for (const [country, [code, trunk, lengths]] of rows) {
      expect(country, country).toMatch(/^[a-z]{2}$/);
      expect(code, country).toMatch(/^[1-9]\d{0,2}$/);
      expect(trunk, country).toMatch(/^(?:\d{1,2}(?:\|\d{1,2})*)?$/);
      for (const part of lengths.split(',')) {
        const [from, to = from] = part.split('-').map(Number);
        expect(from, country).toBeGreaterThanOrEqual(4);
        expect(to, country).toBeLessThanOrEqual(17);
        expect(to, country).toBeGreaterThanOrEqual(from ?? 0);
      }
    }
  });

  it('calling codes are prefix-free, and countries sharing one agree on a trunk 0', () => {
    const codes = new Set(rows.map(([, [code]]) => code));
    for (const a of codes) for (const b of codes) if (a !== b) expect(b.startsWith(a)).toBe(false);
    const zeroByCode = new Map<string, boolean>();
    for (const [country, [code, trunk]] of rows) {
      const zero = trunk.split('|').some((t) => t.startsWith('0'));
      const seen = zeroByCode.get(code);
      if (seen !== undefined) expect(zero, `${country} +${code}`).toBe(seen);
      zeroByCode.set(code, zero);
    }
  });

  it.each([
    ['us', '1', '1'],
    ['gb', '44', '0'],
    ['ru', '7', '8'],
    ['hu', '36', '06'],
    ['it', '39', ''],
    ['es', '34', ''],
    ['mx', '52', ''],
    ['br', '55', '0'],
    ['de', '49', '0'],
    ['in', '91', '0'],
    ['cn', '86', '0'],
    ['jp', '81', '0'],
  ])('%s: +%s, trunk %j (spot checks against ITU numbering plans)', (country, code, trunk) => {
    expect(NUMBERING_PLANS[country]?.slice(0, 2)).toEqual([code, trunk]);
  });
});

describe('Unicode decimal digits', () => {
  it('every \\p{Nd} character is read with its value (runs of ten, zero first)', () => {
    const decimal = /\p{Nd}/u;
    let runStart = -1;
    let count = 0;
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (!decimal.test(String.fromCodePoint(cp))) {
        if (runStart >= 0) expect((cp - runStart) % 10, cp.toString(16)).toBe(0);
        runStart = -1;
        continue;
      }
      if (runStart < 0) runStart = cp;
      count++;
      const value = (cp - runStart) % 10;
      const ch = String.fromCodePoint(cp);
      expect(phone(`+1 650 555 123${ch}`), cp.toString(16)).toEqual(ok(`+1650555123${value}`));
    }
    expect(count % 10).toBe(0);
    expect(count).toBeGreaterThan(600);
  });
});

describe('phone properties', () => {
  const countries = fc.constantFrom(undefined, ...KNOWN_CALLING_CODE_COUNTRIES);
  const phoneLike = fc.oneof(
    fc.stringMatching(/^[+(]?[0-9 ()+.-]{4,22}$/),
    fc.stringMatching(/^(?:00|\+)?[1-9]\d{6,14}$/),
    fc.stringMatching(/^0{0,2}[1-9]\d{5,12}( ?(x|ext\.?|#) ?\d{1,4})?$/),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
  );

  it('total and idempotent under every country', () => {
    fc.assert(
      fc.property(phoneLike, countries, (input, country) => {
        const once = phone(input, country);
        if (once.ok) expect(phone(once.value, country)).toEqual(once);
      }),
      { numRuns: 3000 },
    );
  });

  it('a valid result with a country is always E.164: a + and at most 15 digits', () => {
    fc.assert(
      fc.property(phoneLike, fc.constantFrom(...KNOWN_CALLING_CODE_COUNTRIES), (input, country) => {
        const result = phone(input, country);
        if (result.ok) expect(result.value).toMatch(/^\+[1-9]\d{5,14}$/);
      }),
      { numRuns: 2000 },
    );
  });

  it('a number written with its "+" is read the same whatever the record country says', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9]\d{7,13}$/), countries, (digits, country) => {
        expect(phone(`+${digits}`, country)).toEqual(phone(`+${digits}`));
        expect(phone(`(+${digits.slice(0, 2)}) ${digits.slice(2)}`, country)).toEqual(
          phone(`+${digits}`),
        );
      }),
      { numRuns: 1000 },
    );
  });
});
