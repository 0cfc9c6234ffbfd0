import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARGENTINA_MOBILE_AREAS, NUMBERING_PLANS } from '../src/calling-code-table.js';
import { DIALLED_PREFIXES_AFTER_00, planOf } from '../src/calling-codes.js';
import {
  KNOWN_CALLING_CODE_COUNTRIES,
  type Normalized,
  normalizeNameForGoogle,
  normalizePhone,
} from '../src/index.js';
import { extensionStart } from '../src/phone-text.js';

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
    ['+91 98765 43210 12', undefined, bad], // an Indian NSN starting with 9 has 10 digits
    ['(650) 555-1234 12', 'us', bad],
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

describe('malformed or ambiguous phones are refused, never read as another number', () => {
  it.each([
    // A malformed national number is not a foreign number written without its "+".
    ['0650-555-1234', 'us', bad], // was +6505551234, Singapore
    ['07911 123456 7', 'gb', bad], // was +79111234567, Russia
    ['0612 34 56 78 9', 'fr', bad], // was +6123456789, Australia
    ['0 612 34 56 78', 'es', bad], // was +612345678, Australia
    ['01 800 123 4567', 'mx', bad], // was +18001234567, NANP
    ['044 55 1234 5678', 'mx', bad], // was +445512345678, UK
    ['447911123456', 'fr', bad], // a British number in a French record needs its "+"
    ['06 12 34 56 78', 'gb', bad], // a French mobile number is no British number
    // After "+", no zeros are skipped: "+0…" is no calling code.
    ['+0 650 555 1234', undefined, bad], // was +6505551234
    ['+00 44 7911 123456', undefined, bad],
    ['000 00 44 7911 123456', undefined, bad],
    // The country's own international prefix starts an international number.
    ['810 44 7911 123456', 'ru', ok('+447911123456')], // was +710447911123456
    ['810 44 7911 123456', 'kz', ok('+447911123456')],
    ['011 44 7911 123456', 'ca', ok('+447911123456')],
    ['0011 44 7911 123456', 'au', ok('+447911123456')],
    ['010 44 7911 123456', 'jp', ok('+447911123456')],
    ['001 44 7911 123456', 'kr', ok('+447911123456')],
    ['0044 7911 123456', 'us', ok('+447911123456')], // "00", as Meta's and Snap's rules read it
    // The calling code written without "+": taken when the national reading is impossible…
    ['919876543210', 'in', ok('+919876543210')], // was +91919876543210
    ['91 98765 43210', 'in', ok('+919876543210')],
    ['819012345678', 'jp', ok('+819012345678')],
    ['86 10 1234 5678', 'cn', ok('+861012345678')],
    ['6281234567890', 'id', ok('+6281234567890')],
    ['821012345678', 'kr', ok('+821012345678')],
    ['639171234567', 'ph', ok('+639171234567')],
    ['905321234567', 'tr', ok('+905321234567')],
    ['2348031234567', 'ng', ok('+2348031234567')], // was invalid: the first reading failed
    ['23408031234567', 'ng', ok('+2348031234567')],
    // … and refused when both readings are possible numbers (ambiguous).
    ['4915112345678', 'de', bad], // was +494915112345678
    ['393331234567', 'it', bad], // was +39393331234567
    ['923001234567', 'pk', bad],
    // Their national forms.
    ['98765 43210', 'in', ok('+919876543210')],
    ['0151 12345678', 'de', ok('+4915112345678')],
    ['090-1234-5678', 'jp', ok('+819012345678')],
    ['333 123 4567', 'it', ok('+393331234567')],
    ['0300 1234567', 'pk', ok('+923001234567')],
    ['0803 123 4567', 'ng', ok('+2348031234567')],
    ['010-1234-5678', 'kr', ok('+821012345678')],
    ['0917 123 4567', 'ph', ok('+639171234567')],
    ['0532 123 45 67', 'tr', ok('+905321234567')],
    ['138 0013 8000', 'cn', ok('+8613800138000')],
    ['0812-3456-7890', 'id', ok('+6281234567890')],
  ])('%j (country %s)', (input, country, expected) => {
    expect(phone(input, country)).toEqual(expected);
  });
});

describe('without a country, digits after 00 read one way or not at all (#14.12)', () => {
  it.each([
    // Two readings: after "00", and after a longer prefix dialled somewhere (Nigeria's 009,
    // Mongolia's and Guyana's 001): refused. Each used to be the first reading.
    ['009 1 802 885 5193', bad], // was +918028855193 (India); from Nigeria, +1 802 885 5193
    ['00918028855193', bad],
    ['001 64 9 208 8172', bad], // was +16492088172 (Turks and Caicos); from Mongolia, +64 9 208 8172
    ['00 1 649 208 8172', bad], // the same digits
    ['0011 64 9 208 8172', bad], // +1 164… is no number, but Mongolia's 001 gives +1 649 208 8172
    // A national number dialled as written in a country with a trunk 0, or a Thai one after 00.
    ['0066 33 123456', bad], // was +6633123456; Japan's freephone 0066-33-123456
    ['0066 2 123 4567', bad],
    // One reading: read.
    ['0044 7911 123456', ok('+447911123456')],
    ['0044 844 412 4653', ok('+448444124653')], // Snap's published example
    ['0033 6 12 34 56 78', ok('+33612345678')],
    ['0049 151 12345678', ok('+4915112345678')],
    ['009 44 7911 123456', ok('+447911123456')], // from Nigeria: +94 4791… is no number
    ['000 44 7911 123456', ok('+447911123456')], // from Kenya (was refused)
    ['0011 44 7911 123456', ok('+447911123456')], // from Australia (was refused)
  ])('%j', (input, expected) => {
    const result = phone(input);
    expect(result).toEqual(expected);
    if (result.ok) expect(phone(result.value)).toEqual(result);
  });

  it('the longer prefixes counted are those dialled somewhere: one per country, or its preferred one', () => {
    expect(DIALLED_PREFIXES_AFTER_00).toEqual(['000', '001', '0011', '009']);
  });

  it('property: after 00 without a country, the one number some prefix gives, or refused', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^00[0-9]{7,15}$/), (digits) => {
        const readings = new Set(
          ['00', ...DIALLED_PREFIXES_AFTER_00]
            .filter((prefix) => digits.startsWith(prefix))
            .map((prefix) => phone(`+${digits.slice(prefix.length)}`))
            .flatMap((reading) => (reading.ok ? [reading.value] : [])),
        );
        const result = phone(digits);
        if (readings.size !== 1) expect(result, digits).toEqual(bad);
        // Refused as well when the digits are a national number as written (Japan's 0066…).
        else expect([bad, ok([...readings][0] ?? '')], digits).toContainEqual(result);
      }),
      { numRuns: 5000 },
    );
  });
});

describe("Japan's 00xx freephone numbers are Japanese numbers (#14.13)", () => {
  it.each([
    ['0066-33-123456', 'jp', ok('+81006633123456')], // was +6633123456 (Thailand)
    ['0037-12-3456', 'jp', ok('+810037123456')], // was refused
    ['0078-123-456789', 'jp', ok('+810078123456789')],
    ['00777-012', 'jp', ok('+8100777012')],
    ['0088-21-1234', 'jp', ok('+810088211234')],
    ['+81 0066 33 123456', undefined, ok('+81006633123456')], // was refused (a second 0)
    ['+81 (0)66 33 123456', undefined, ok('+816633123456')], // a trunk 0, then 66…
    ['+81 0 0066 33 123456', undefined, bad], // a trunk 0, then no number
    // Japan's own prefix still leads abroad, and "00" still does for what is no national number.
    ['010 66 2 123 4567', 'jp', ok('+6621234567')],
    ['0044 7911 123456', 'jp', ok('+447911123456')],
    ['0120-123-456', 'jp', ok('+81120123456')],
    // The same rule elsewhere: India's 000800 and Thailand's 001800 freephone numbers.
    ['000800 123 4567', 'in', ok('+910008001234567')],
    ['001800 123 4567', 'th', ok('+660018001234567')],
  ])('%j (country %s)', (input, country, expected) => {
    const result = phone(input, country);
    expect(result).toEqual(expected);
    if (result.ok) {
      for (const other of [undefined, 'jp', 'th', 'us']) {
        expect(phone(result.value, other), `${result.value} under ${other}`).toEqual(result);
      }
    }
  });
});

describe("Argentina's national mobile form 0AA 15-XXXX-XXXX (#14.14)", () => {
  it.each([
    ['011 15-2345-6789', 'ar', ok('+5491123456789')], // was refused
    ['11 15 2345 6789', 'ar', ok('+5491123456789')],
    ['0351 15 234-5678', 'ar', ok('+5493512345678')], // a 3-digit area code
    ['02966 15 23-4567', 'ar', ok('+5492966234567')], // a 4-digit area code
    ['+54 11 15 2345 6789', undefined, ok('+5491123456789')],
    ['+54 (0)11 15 2345 6789', 'fr', ok('+5491123456789')],
    // Unchanged: the international mobile form and landlines.
    ['+54 9 11 2345 6789', undefined, ok('+5491123456789')],
    ['011 2345-6789', 'ar', ok('+541123456789')],
    // 999 is no area code; 15 too early or too late is no mobile form.
    ['0999 15 123 4567', 'ar', bad],
    ['011 2 15 345 6789', 'ar', bad],
  ])('%j (country %s)', (input, country, expected) => {
    const result = phone(input, country);
    expect(result).toEqual(expected);
    if (result.ok) expect(phone(result.value, 'ar')).toEqual(result);
  });

  it('every area code of the table, with a subscriber number that completes 10 digits, reads', () => {
    const areas = new RegExp(`^(?:${ARGENTINA_MOBILE_AREAS})$`);
    let found = 0;
    for (let length = 2; length <= 4; length++) {
      for (let n = 10 ** (length - 1); n < 10 ** length; n++) {
        const area = String(n);
        if (!areas.test(area)) continue;
        found++;
        const subscriber = '23456789'.slice(0, 10 - length);
        expect(phone(`0${area} 15 ${subscriber}`, 'ar'), area).toEqual(
          ok(`+549${area}${subscriber}`),
        );
      }
    }
    expect(found).toBeGreaterThan(200);
  });
});

describe('Brazil: the national reading beats the calling code only before a subscriber number', () => {
  it.each([
    ['55 800 95 9869', 'br', bad], // was +5555800959869: 0800 95 9869 with its calling code
    ['(55) 99123-4567', 'br', ok('+5555991234567')],
    ['(55) 3212-3456', 'br', ok('+555532123456')],
  ])('%j (country %s)', (input, country, expected) => {
    expect(phone(input, country)).toEqual(expected);
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

  it('rows are well formed: 1-3 digit codes, digit trunks, lengths within 4-17 by first digit', () => {
    for (const [country, [code, trunk, lengths, idd]] of rows) {
      expect(country, country).toMatch(/^[a-z]{2}$/);
      expect(code, country).toMatch(/^[1-9]\d{0,2}$/);
      expect(trunk, country).toMatch(/^(?:\d{1,2}(?:\|\d{1,2})*)?$/);
      const seen = new Set<string>();
      for (const group of lengths.split(' ')) {
        const [digits = '', spec = ''] = group.split(':');
        expect(digits, country).toMatch(/^\d+$/);
        for (const d of digits) {
          expect(seen.has(d), `${country} first digit ${d} twice`).toBe(false);
          seen.add(d);
        }
        for (const part of spec.split(',')) {
          const [from, to = from] = part.split('-').map(Number);
          expect(from, country).toBeGreaterThanOrEqual(4);
          expect(to, country).toBeLessThanOrEqual(17);
          expect(to, country).toBeGreaterThanOrEqual(from ?? 0);
        }
      }
      // An international prefix other than "00" is a pattern over digits that compiles.
      if (idd !== undefined) {
        expect(idd, country).not.toBe('00');
        expect(() => new RegExp(idd), country).not.toThrow();
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
    // India: an NSN starting with 2-9 has 10 digits (mobile 6-9, geographic 2-5); 1 is toll-free.
    ['in', '23456789', [10]],
    // The NANP: area codes and exchange codes start with 2-9 (NXX), so no NSN starts with 0 or 1.
    ['us', '23456789', [10]],
    // Russia: 10 digits, or 14 for the 8 10 8… freephone range; nothing starts with 0, 1, 2, 5 or 6.
    ['ru', '3479', [10]],
    ['ru', '8', [10, 14]],
  ])('%s: NSNs starting with %s have lengths %j', (country, firstDigits, lengths) => {
    const spec = NUMBERING_PLANS[country]?.[2] ?? '';
    const groups = spec.split(' ').map((g) => g.split(':'));
    const allowed = new Set(groups.flatMap(([digits = '']) => [...digits]));
    expect([...allowed].sort().join('')).toBe(
      country === 'ru' ? '34789' : country === 'in' ? '0123456789' : '23456789',
    );
    for (const d of firstDigits) {
      const group = groups.find(([digits = '']) => digits.includes(d));
      const expanded = (group?.[1] ?? '').split(',').flatMap((part) => {
        const [from = 0, to = from] = part.split('-').map(Number);
        return Array.from({ length: to - from + 1 }, (_, k) => from + k);
      });
      expect(expanded, `${country} ${d}`).toEqual(lengths);
    }
  });

  it('the first digits of each international prefix are known, so other numbers skip the look-up', () => {
    const expected: Record<string, string> = {
      au: '01',
      cc: '01',
      cx: '01',
      ax: '09',
      fi: '09',
      kp: '09',
      by: '8',
      kz: '8',
      ru: '8',
      tj: '8',
      tm: '8',
      cu: '1',
      cl: '01',
      cn: '01',
      is: '01',
      pe: '01',
      pg: '01',
      si: '01',
      td: '01',
    };
    for (const country of KNOWN_CALLING_CODE_COUNTRIES) {
      expect(planOf(country)?.iddStarts, country).toBe(expected[country] ?? '0');
    }
    // And the skip changes nothing: Russia's "810" and Cuba's "119" are still read.
    expect(phone('810 44 7911 123456', 'ru')).toEqual(ok('+447911123456'));
    expect(phone('119 44 7911 123456', 'cu')).toEqual(ok('+447911123456'));
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

describe('linear scans that replaced quadratic regular expressions', () => {
  it('the extension scan cuts where the former regular expression matched', () => {
    const EXTENSION = /(?:;\s*ext\s*=|(?:extension|ext\.?|x|#))\s*[.:]?\s*\p{Nd}[\p{Nd}\s]*$/iu;
    const piece = fc.constantFrom(
      'x',
      'X',
      'e',
      't',
      'E',
      'ext',
      'EXT',
      'extension',
      'n',
      'i',
      'o',
      's',
      '.',
      ':',
      ';',
      '=',
      '#',
      ' ',
      '\u3000',
      '\u00a0',
      '1',
      '9',
      '٣',
      '𝟓',
      'a',
      '+',
      '-',
      '(',
    );
    fc.assert(
      fc.property(fc.string({ unit: piece, maxLength: 14 }), (text) => {
        expect(extensionStart(text), JSON.stringify(text)).toBe(
          EXTENSION.exec(text)?.index ?? text.length,
        );
      }),
      { numRuns: 5000 },
    );
  });

  it("the Google name affix scans remove what the formatter's patterns removed, repeatedly", () => {
    const GIVEN_PREFIX = /^(?:mr|mrs|ms|dr)\.(?:\s+|$)/u;
    const FAMILY_SUFFIX =
      /(?:,\s*|\s+)(?:jr\.?|sr\.?|2nd|3rd|ii|iii|iv|v|vi|cpa|dc|dds|vm|jd|md|phd)\s?$/u;
    const reference = (name: string, affix: RegExp) => {
      let out = name.trim().toLowerCase().replace(/\s+/gu, ' ');
      for (let before = ''; before !== out; ) {
        before = out;
        out = out.replace(affix, '').trim();
      }
      return out;
    };
    const piece = fc.constantFrom(
      'mr.',
      'mrs.',
      'ms.',
      'dr.',
      'mr',
      ' ',
      '  ',
      ',',
      '.',
      'jr',
      'jr.',
      'sr',
      'i',
      'ii',
      'v',
      'iv',
      'x',
      'a',
      'dds',
      'phd',
      '2nd',
      'md',
      'Jr.',
      '\t',
    );
    fc.assert(
      fc.property(fc.string({ unit: piece, maxLength: 10 }), (name) => {
        if (name.trim() === '') return; // empty: refused before any affix is looked at
        for (const [part, affix] of [
          ['given', GIVEN_PREFIX],
          ['family', FAMILY_SUFFIX],
        ] as const) {
          const expected = reference(name, affix);
          expect(normalizeNameForGoogle(name, { part }), `${part} ${JSON.stringify(name)}`).toEqual(
            expected === '' ? bad : ok(expected),
          );
        }
      }),
      { numRuns: 5000 },
    );
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

  it('a foreign number is read only after an international prefix ("00" or the country\'s own)', () => {
    const codes = new Map(Object.entries(NUMBERING_PLANS).map(([c, [code]]) => [c, code]));
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{6,16}$/),
        fc.constantFrom(...KNOWN_CALLING_CODE_COUNTRIES),
        (digits, country) => {
          const result = phone(digits, country);
          if (!result.ok || result.value.startsWith(`+${codes.get(country)}`)) return;
          const idd = NUMBERING_PLANS[country]?.[3];
          const prefixed =
            digits.startsWith('00') ||
            (idd !== undefined &&
              [1, 2, 3, 4, 5, 6, 7, 8].some((n) =>
                new RegExp(`^(?:${idd})$`).test(digits.slice(0, n)),
              ));
          expect(prefixed, `${digits} in ${country} → ${result.value}`).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('when the national and the with-calling-code readings differ, the result is invalid (Brazil: see above)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KNOWN_CALLING_CODE_COUNTRIES),
        fc.stringMatching(/^[1-9]\d{5,12}$/),
        (country, rest) => {
          const [code = '', trunk = ''] = NUMBERING_PLANS[country] ?? [];
          const digits = `${code}${rest}`;
          if (trunk.split('|').some((t) => t !== '' && digits.startsWith(t))) return;
          const national = phone(`+${code}${digits}`);
          const coded = phone(`+${digits}`);
          const result = phone(digits, country);
          if (national.ok && coded.ok && national.value !== coded.value) {
            // Brazil: area code 55 then a subscriber number (8 digits from 2-5 or 7, 9 from 9).
            const subscriber = /^\+5555(?:[2-57]\d{7}|9\d{8})$/.test(national.value);
            expect(result, `${digits} in ${country}`).toEqual(
              country === 'br' && subscriber ? national : bad,
            );
          } else if (result.ok) {
            expect([national, coded], `${digits} in ${country}`).toContainEqual(result);
          }
        },
      ),
      { numRuns: 3000 },
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
