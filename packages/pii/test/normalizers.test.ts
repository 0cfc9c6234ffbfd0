import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_FIELD_LENGTH,
  type Normalized,
  normalizeCity,
  normalizeCountry,
  normalizeDateOfBirth,
  normalizeEmail,
  normalizeEmailForGoogle,
  normalizeExternalId,
  normalizeGender,
  normalizeName,
  normalizeNameForGoogle,
  normalizePhone,
  normalizeState,
  normalizeZip,
} from '../src/index.js';

const ok = (value: string): Normalized => ({ ok: true, value });
const bad = (reason: string) => ({ ok: false, reason });

const NORMALIZERS: Array<[string, (v: unknown) => Normalized]> = [
  ['email', normalizeEmail],
  ['email (google)', normalizeEmailForGoogle],
  ['phone', (v) => normalizePhone(v)],
  ['phone (gb)', (v) => normalizePhone(v, { country: 'gb' })],
  ['phone (us)', (v) => normalizePhone(v, { country: 'us' })],
  ['phone (it)', (v) => normalizePhone(v, { country: 'it' })],
  ['name', normalizeName],
  ['name (google)', normalizeNameForGoogle],
  ['given name (google)', (v) => normalizeNameForGoogle(v, { part: 'given' })],
  ['family name (google)', (v) => normalizeNameForGoogle(v, { part: 'family' })],
  ['date of birth', normalizeDateOfBirth],
  ['gender', normalizeGender],
  ['city', normalizeCity],
  ['state', normalizeState],
  ['zip', (v) => normalizeZip(v)],
  ['zip (gb)', (v) => normalizeZip(v, { country: 'gb' })],
  ['zip (us)', (v) => normalizeZip(v, { country: 'us' })],
  ['country', normalizeCountry],
  ['external id', normalizeExternalId],
];

describe('normalizers: known inputs', () => {
  it.each([
    ['  John.Doe@Example.COM ', ok('john.doe@example.com')],
    ['JOE@EXAMPLE.COM', ok('joe@example.com')],
    ['\u200bjoe@example.com\u200d', ok('joe@example.com')],
    ['\u202ejoe@example.com', ok('joe@example.com')],
    ['İnci@Example.com', ok('i̇nci@example.com')],
    ['josé@exämple.com', ok('josé@exämple.com')],
    ['jose\u0301@example.com', ok('josé@example.com')], // decomposed → NFC
    ['a@b', bad('invalid_format')],
    ['a@@b.com', bad('invalid_format')],
    ['john doe@example.com', bad('invalid_format')],
    ['   ', bad('empty')],
    ['', bad('empty')],
  ])('email %j', (input, expected) => {
    expect(normalizeEmail(input)).toEqual(expected);
  });

  it.each([
    // A mailto: link is the address it holds (#14.17).
    ['mailto:Jane.Doe@Example.com', ok('jane.doe@example.com')], // was 'mailto:jane.doe@example.com'
    ['  MAILTO:jane@example.com ', ok('jane@example.com')],
    ['Mailto: jane@example.com', ok('jane@example.com')],
    ['mailto:jane@example.com?subject=Hello%20there', ok('jane@example.com')],
    ['mailto:jane%2Bnews@example.com', ok('jane+news@example.com')],
    ['mailto:jos%C3%A9@example.com', ok('josé@example.com')],
    ['mailto:jos%E9@example.com', bad('invalid_format')], // not UTF-8
    ['mailto:jane%@example.com', bad('invalid_format')],
    ['mailto:', bad('invalid_format')],
    ['mailto:?to=jane@example.com', bad('invalid_format')],
    ['mailto:jane@example.com,bob@example.com', bad('invalid_format')],
    ['mailto:jane%40example.com%20x', bad('invalid_format')],
    ['ｍａｉｌｔｏ：jane@example.com', ok('jane@example.com')], // full-width, as typed in Japan
    ['mailto:mailto:jane@example.com', ok('jane@example.com')], // so a second pass changes nothing
    ['mailto:mailto%3Ajane@example.com', ok('jane@example.com')],
    // A trailing dot after the domain (the DNS root) is not part of the address (#14.17).
    ['jane@gmail.com.', ok('jane@gmail.com')], // was 'jane@gmail.com.'
    ['Jane@Example.COM. ', ok('jane@example.com')],
    ['josé@exämple.com.', ok('josé@exämple.com')],
    ['mailto:jane@example.com.', ok('jane@example.com')],
    ['jane@com.', bad('invalid_format')], // no dot left inside the domain
    ['jane@example.com..', ok('jane@example.com..')], // two: not the root, kept (loose rule)
  ])('email %j', (input, expected) => {
    const result = normalizeEmail(input);
    expect(result).toEqual(expected);
    if (result.ok) expect(normalizeEmail(result.value)).toEqual(result);
  });

  it('a trailing dot or a mailto: prefix does not skip the Gmail rule for Google (#14.17)', () => {
    expect(normalizeEmailForGoogle('Jane.Doe+news@gmail.com.')).toEqual(ok('janedoe@gmail.com'));
    expect(normalizeEmailForGoogle('jane.doe@googlemail.com.')).toEqual(
      ok('janedoe@googlemail.com'),
    );
    expect(normalizeEmailForGoogle('mailto:Jane.Doe@gmail.com')).toEqual(ok('janedoe@gmail.com'));
    expect(normalizeEmailForGoogle('mailto:jane.doe%2Bx@GMAIL.com.')).toEqual(
      ok('janedoe@gmail.com'),
    );
  });

  it('gmail dots and +tags are removed for Google only, and only for Gmail', () => {
    expect(normalizeEmailForGoogle('a.b+c.d@gmail.com')).toEqual(ok('ab@gmail.com'));
    expect(normalizeEmailForGoogle('+tag@gmail.com')).toEqual(bad('invalid_format'));
    expect(normalizeEmail('a.b+c@gmail.com')).toEqual(ok('a.b+c@gmail.com'));
    expect(normalizeEmailForGoogle('John.Doe@GMAIL.com')).toEqual(ok('johndoe@gmail.com'));
    expect(normalizeEmailForGoogle('j.o.h.n@googlemail.com')).toEqual(ok('john@googlemail.com'));
    expect(normalizeEmailForGoogle('john.doe@example.com')).toEqual(ok('john.doe@example.com'));
    expect(normalizeEmail('John.Doe@gmail.com')).toEqual(ok('john.doe@gmail.com'));
    expect(normalizeEmailForGoogle('...@gmail.com')).toEqual(bad('invalid_format'));
  });

  it.each([
    ['+1 (650) 555-1234', undefined, ok('+16505551234')],
    ['+1-234-567-8901', undefined, ok('+12345678901')],
    ['0044 7911 123456', undefined, ok('+447911123456')],
    ['07911 123456', 'gb', ok('+447911123456')],
    ['07911 123456', 'GB', ok('+447911123456')],
    ['447911123456', 'gb', ok('+447911123456')],
    ['+44 (0)7911 123456', 'gb', ok('+447911123456')],
    ['+39 06 1234 5678', undefined, ok('+390612345678')],
    ['(650) 555-1234', 'us', ok('+16505551234')],
    ['1 650 555 1234', 'us', ok('+16505551234')],
    ['555-1234', 'us', bad('invalid_format')],
    ['06 12345678', 'fr', ok('+33612345678')],
    ['06 1234 5678', 'it', ok('+390612345678')],
    ['030 1234567', 'de', ok('+49301234567')],
    ['(650) 555-1234', undefined, ok('6505551234')],
    ['1-800-FLOWERS', 'us', bad('invalid_format')],
    ['+１ 650 555 1234', undefined, ok('+16505551234')],
    ['call me', undefined, bad('invalid_format')],
    ['+1234567890123456', undefined, bad('invalid_format')],
    ['12', undefined, bad('invalid_format')],
  ])('phone %j (country %s)', (input, country, expected) => {
    expect(normalizePhone(input, country === undefined ? {} : { country })).toEqual(expected);
  });

  it('names, cities, states, zips, countries, genders, dates', () => {
    expect(normalizeName("  O'Brien-Smith ")).toEqual(ok('obriensmith'));
    expect(normalizeName('JOSÉ')).toEqual(ok('josé'));
    expect(normalizeName('Müller')).toEqual(ok('müller'));
    expect(normalizeName('李 小龍')).toEqual(ok('李小龍'));
    expect(normalizeName('...')).toEqual(bad('invalid_format'));
    expect(normalizeNameForGoogle('  Mary   Ann ')).toEqual(ok('mary ann'));
    expect(normalizeCity('San Francisco')).toEqual(ok('sanfrancisco'));
    expect(normalizeCity("St. John's")).toEqual(ok('stjohns'));
    expect(normalizeCity('Paris 75015')).toEqual(ok('paris'));
    expect(normalizeCity('12345')).toEqual(bad('invalid_format'));
    expect(normalizeState('California')).toEqual(ok('ca'));
    expect(normalizeState('new york')).toEqual(ok('ny'));
    expect(normalizeState('TX')).toEqual(ok('tx'));
    expect(normalizeState('Île-de-France')).toEqual(ok('îledefrance'));
    expect(normalizeState('Georgia')).toEqual(ok('ga'));
    expect(normalizeState('Georgia', { country: 'US' })).toEqual(ok('ga'));
    expect(normalizeState('Georgia', { country: 'ge' })).toEqual(ok('georgia'));
    expect(normalizeState('Washington', { country: 'gb' })).toEqual(ok('washington'));
    expect(normalizeState('Texas', null as never)).toEqual(ok('tx'));
    expect(normalizeZip('94025-1234')).toEqual(ok('94025'));
    expect(normalizeZip('94025')).toEqual(ok('94025'));
    expect(normalizeZip('SW1A 1AA', { country: 'gb' })).toEqual(ok('sw1a1'));
    expect(normalizeZip('sw1a1', { country: 'gb' })).toEqual(ok('sw1a1'));
    expect(normalizeZip('M1 1AE', { country: 'GB' })).toEqual(ok('m11'));
    expect(normalizeZip('K1A 0B1', { country: 'ca' })).toEqual(ok('k1a0b1'));
    expect(normalizeZip('ABCDE', { country: 'us' })).toEqual(bad('invalid_format'));
    // Options that are not an object are ignored, never a TypeError.
    expect(normalizeZip('94025-1234', null as never)).toEqual(ok('94025'));
    expect(normalizeZip('94025', 'us' as never)).toEqual(ok('94025'));
    expect(normalizePhone('+1 650 555 1234', null as never)).toEqual(ok('+16505551234'));
    expect(normalizeCountry(' US ')).toEqual(ok('us'));
    expect(normalizeCountry('United Kingdom')).toEqual(ok('gb'));
    expect(normalizeCountry('UK')).toEqual(ok('gb'));
    expect(normalizeCountry('Atlantis')).toEqual(bad('invalid_format'));
    expect(normalizeCountry('zz')).toEqual(bad('invalid_format'));
    expect(normalizeCountry('XK')).toEqual(bad('invalid_format')); // user-assigned, not ISO
    expect(normalizeCountry('ax')).toEqual(ok('ax'));
    expect(normalizeGender(' Female ')).toEqual(ok('f'));
    expect(normalizeGender('M')).toEqual(ok('m'));
    expect(normalizeGender('x')).toEqual(bad('invalid_format'));
    expect(normalizeDateOfBirth('1990-02-28')).toEqual(ok('19900228'));
    expect(normalizeDateOfBirth('19900228')).toEqual(ok('19900228'));
    expect(normalizeDateOfBirth('2000/02/29')).toEqual(ok('20000229'));
    expect(normalizeDateOfBirth('1990-02-28T10:00:00Z')).toEqual(ok('19900228'));
    expect(normalizeDateOfBirth('1900-02-29')).toEqual(bad('invalid_format'));
    expect(normalizeDateOfBirth('1990-13-01')).toEqual(bad('invalid_format'));
    expect(normalizeDateOfBirth('03/04/1990')).toEqual(bad('invalid_format'));
    expect(normalizeDateOfBirth('1850-01-01')).toEqual(bad('invalid_format'));
    expect(normalizeDateOfBirth('1990-02-28 is my birthday')).toEqual(bad('invalid_format'));
    expect(normalizeDateOfBirth('1990-02-28T')).toEqual(bad('invalid_format'));
    expect(normalizeDateOfBirth('1990-02-28T10:00')).toEqual(ok('19900228'));
    expect(normalizeDateOfBirth('1990-02-28 10:00:00+02:00')).toEqual(ok('19900228'));
    expect(normalizeDateOfBirth('1990-02/28')).toEqual(bad('invalid_format'));
    // The time of day must be one.
    for (const time of [
      'T99:99',
      'T24:00',
      'T23:60',
      'T10:00:61',
      'T10:00+25:00',
      'T10:00+02:60',
    ]) {
      expect(normalizeDateOfBirth(`1990-01-01${time}`), time).toEqual(bad('invalid_format'));
    }
    for (const time of ['T00:00', 'T23:59:59.999Z', 'T23:59:60Z', 'T10:00+14:00', ' 10:00-0530']) {
      expect(normalizeDateOfBirth(`1990-01-01${time}`), time).toEqual(ok('19900101'));
    }
    const next = new Date().getUTCFullYear() + 1;
    expect(normalizeDateOfBirth(`${next}-06-01`)).toEqual(bad('invalid_format'));
    expect(normalizeDateOfBirth('2100-01-01')).toEqual(bad('invalid_format'));
    const tomorrowUtc = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    expect(normalizeDateOfBirth(tomorrowUtc)).toEqual(bad('invalid_format'));
    expect(normalizeExternalId(' User-42 ')).toEqual(ok('User-42'));
  });
});

describe('normalizers: the country option', () => {
  it('is read as a record country is: codes in any case, "UK" and a few names', () => {
    for (const country of ['GB', 'gb', ' gb ', 'UK', 'uk', 'United Kingdom', 'Great Britain']) {
      expect(normalizePhone('07911 123456', { country }), country).toEqual(ok('+447911123456'));
      expect(normalizeZip('SW1A 1AA', { country }), country).toEqual(ok('sw1a1'));
    }
    expect(normalizeState('Georgia', { country: 'USA' })).toEqual(ok('ga'));
    expect(normalizeState('Georgia', { country: 'GE' })).toEqual(ok('georgia'));
  });

  it('a country that is not recognised counts as none, as in hashUserData', () => {
    for (const country of ['Atlantis', 'ZZ', 'x', '', '__proto__']) {
      expect(normalizePhone('07911 123456', { country }), country).toEqual(
        normalizePhone('07911 123456'),
      );
      expect(normalizeZip('SW1A 1AA', { country }), country).toEqual(normalizeZip('SW1A 1AA'));
      expect(normalizeState('Georgia', { country }), country).toEqual(normalizeState('Georgia'));
    }
  });

  it('normalizeCountry maps names and punctuation, and refuses unassigned codes', () => {
    expect(normalizeCountry('U.S.A.')).toEqual(ok('us'));
    expect(normalizeCountry('u.s.')).toEqual(ok('us'));
    expect(normalizeCountry('Deutschland')).toEqual(ok('de'));
    expect(normalizeCountry('uk')).toEqual(ok('gb'));
    expect(normalizeCountry('Georgia')).toEqual(bad('invalid_format'));
    expect(normalizeCountry('__proto__')).toEqual(bad('invalid_format'));
  });
});

describe('normalizers: hostile input', () => {
  const hostile: unknown[] = [
    undefined,
    null,
    42,
    {},
    ['a@b.com'],
    Symbol('x'),
    '',
    '\u200b\u200c\u200d\ufeff',
    '🙂@🙂.🙂',
    '‮moc.elpmaxe@eoj',
    'joe@example.com'.repeat(10_000_000 / 15),
    'x'.repeat(MAX_FIELD_LENGTH + 1),
    '\ud800',
    '\u0000joe@example.com',
  ];
  it.each(NORMALIZERS)('%s never throws and refuses what is not its kind', (_, normalize) => {
    for (const input of hostile) {
      const result = normalize(input);
      expect(typeof result.ok).toBe('boolean');
      if (typeof input !== 'string') expect(result).toEqual(bad('not_a_string'));
      if (typeof input === 'string' && input.length > MAX_FIELD_LENGTH)
        expect(result).toEqual(bad('too_long'));
    }
  });

  it('a 10 MB field is refused as too_long by every normalizer (the cap comes before any scan)', () => {
    const huge = `${'a'.repeat(10 * 1024 * 1024)}@example.com`;
    for (const [, normalize] of NORMALIZERS) expect(normalize(huge)).toEqual(bad('too_long'));
    // Exactly at the cap is still looked at.
    expect(normalizeExternalId('a'.repeat(MAX_FIELD_LENGTH))).toEqual(
      ok('a'.repeat(MAX_FIELD_LENGTH)),
    );
  });
});

describe('normalizers: properties', () => {
  const anyText = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.emailAddress(),
    fc.stringMatching(/^[+(]?[0-9 ()+.-]{4,20}$/),
  );

  it.each(NORMALIZERS)('%s is total and idempotent', (_, normalize) => {
    fc.assert(
      fc.property(anyText, (input) => {
        const once = normalize(input);
        if (once.ok) expect(normalize(once.value)).toEqual(once);
      }),
      { numRuns: 400 },
    );
  });

  it('e-mail is invariant under surrounding whitespace, casing and invisible characters', () => {
    fc.assert(
      fc.property(
        fc.emailAddress(),
        fc.constantFrom('', ' ', '\t', '\n', '\u00a0', '\u3000', '\u200b'),
        fc.constantFrom('', ' ', '\r\n', '\u2003', '\ufeff'),
        fc.boolean(),
        (email, before, after, upper) => {
          const variant = `${before}${upper ? email.toUpperCase() : email}${after}`;
          expect(normalizeEmail(variant)).toEqual(normalizeEmail(email.toLowerCase()));
        },
      ),
    );
  });

  // One trailing dot (the DNS root, not two) goes before the pattern is checked.
  const withoutRoot = (value: string): string =>
    value.endsWith('.') && !value.endsWith('..') ? value.slice(0, -1) : value;

  it('the e-mail shape check is exactly the documented pattern', () => {
    const pattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;
    fc.assert(
      fc.property(fc.stringMatching(/^[a-zA-Z0-9@. ]{1,14}$/), (text) => {
        const input = text.trim();
        if (input.length === 0) return;
        expect(normalizeEmail(input).ok).toBe(pattern.test(withoutRoot(input.toLowerCase())));
      }),
      { numRuns: 3000 },
    );
  });

  it('the one-pass ASCII e-mail path equals trim, lower-case and the documented pattern', () => {
    const pattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;
    const reference = (input: string): Normalized => {
      if (input.trim().length === 0) return bad('empty') as Normalized;
      const value = withoutRoot(input.trim().toLowerCase());
      return pattern.test(value) ? ok(value) : (bad('invalid_format') as Normalized);
    };
    fc.assert(
      fc.property(fc.stringMatching(/^[ a-zA-Z0-9@.]{0,16}$/), (input) => {
        expect(normalizeEmail(input)).toEqual(reference(input));
      }),
      { numRuns: 5000 },
    );
    for (const input of [' a@b.c ', 'A@B.C', ' a @b.c', 'a@.bc', 'a@b.', '@b.c', 'a@b.c.', '  ']) {
      expect(normalizeEmail(input), input).toEqual(reference(input));
    }
  });

  it('phone is invariant under formatting', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[2-9]\d{9}$/),
        fc.constantFrom(' ', '-', '.', ''),
        (digits, sep) => {
          const formatted = `(${digits.slice(0, 3)})${sep}${digits.slice(3, 6)}${sep}${digits.slice(6)}`;
          expect(normalizePhone(formatted, { country: 'us' })).toEqual(ok(`+1${digits}`));
          expect(normalizePhone(`+1 ${formatted}`)).toEqual(ok(`+1${digits}`));
        },
      ),
    );
  });
});

describe('normalizers: phone regressions found by the idempotence property', () => {
  it.each([
    // A trunk-zero country code followed by two zeros: removing one left "+31 0…" for a second pass.
    ['+31.000.a@a0a.00a.aa', undefined, bad('invalid_format')],
    ['+44 (0)20 7946 0018', undefined, ok('+442079460018')],
    // Written with its country code but no "+", and the trunk 0 kept: same as the "+" form.
    ['4407911123456', 'gb', ok('+447911123456')],
    ['+44 07911 123456', undefined, ok('+447911123456')],
    // Italy's 0 is part of the number.
    ['+39 06 1234 5678', undefined, ok('+390612345678')],
  ])('%j (country %s)', (input, country, expected) => {
    const result = normalizePhone(input, country === undefined ? {} : { country });
    expect(result).toEqual(expected);
    if (result.ok) expect(normalizePhone(result.value)).toEqual(result);
  });
});

describe('normalizers: invisible characters, controls and lone surrogates', () => {
  // Each is invisible (Unicode Default_Ignorable_Code_Point) and must not change a hash.
  it.each([
    ['U+00AD soft hyphen', '\u00ad'],
    ['U+034F combining grapheme joiner', '\u034f'],
    ['U+115F Hangul choseong filler', '\u115f'],
    ['U+1160 Hangul jungseong filler', '\u1160'],
    ['U+200B zero-width space', '\u200b'],
    ['U+200D zero-width joiner', '\u200d'],
    ['U+2066 left-to-right isolate', '\u2066'],
    ['U+3164 Hangul filler', '\u3164'],
    ['U+FE0F variation selector 16', '\ufe0f'],
    ['U+FEFF byte-order mark', '\ufeff'],
    ['U+FFA0 half-width Hangul filler', '\uffa0'],
    ['U+E0041 tag latin capital A', '\u{e0041}'],
    ['U+E007F cancel tag', '\u{e007f}'],
    ['U+1D173 musical symbol begin beam', '\u{1d173}'],
    ['U+1BCA0 shorthand format letter overlap', '\u{1bca0}'],
  ])('%s is removed wherever it stands', (_, ch) => {
    for (const input of [`${ch}joe@example.com`, `jo${ch}e@example.com`, `joe@example.com${ch}`]) {
      expect(normalizeEmail(input)).toEqual(ok('joe@example.com'));
    }
    expect(normalizeName(`Jo${ch}hn`)).toEqual(ok('john'));
    expect(normalizeExternalId(`${ch}user-42`)).toEqual(ok('user-42'));
  });

  it('every Default_Ignorable_Code_Point is caught by the fast pre-scan (exhaustive)', () => {
    const ignorable = /\p{Default_Ignorable_Code_Point}/u;
    let checked = 0;
    for (let cp = 0x80; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      if (!ignorable.test(ch)) continue;
      checked++;
      expect(normalizeExternalId(`a${ch}b`), cp.toString(16)).toEqual(ok('ab'));
    }
    expect(checked).toBeGreaterThan(4000);
  });

  it.each([
    ['LF', '\n'],
    ['CR', '\r'],
    ['tab', '\t'],
    ['NUL', '\u0000'],
    ['DEL', '\u007f'],
    ['NEL (C1)', '\u0085'],
  ])('a %s inside a value is whitespace, not nothing', (_, ch) => {
    expect(normalizeEmail(`jo${ch}e@example.com`)).toEqual(bad('invalid_format'));
    expect(normalizeEmail(`jo${ch}e@example.com`)).toEqual(normalizeEmail('jo e@example.com'));
    expect(normalizeEmail(`${ch}joe@example.com${ch}`)).toEqual(ok('joe@example.com'));
    expect(normalizeNameForGoogle(`Mary${ch}Ann`)).toEqual(ok('mary ann'));
    expect(normalizeExternalId(`a${ch}b`)).toEqual(ok('a b'));
  });

  it.each([
    ['a lone high surrogate', '\ud800joe@example.com'],
    ['a lone low surrogate', 'joe\udc00@example.com'],
    ['a reversed pair', 'joe\udc00\ud800@example.com'],
    ['a high surrogate at the end', 'joe@example.com\ud83d'],
  ])('%s is refused as invalid_format, not replaced by U+FFFD', (_, input) => {
    expect(normalizeEmail(input)).toEqual(bad('invalid_format'));
    expect(normalizeName(input)).toEqual(bad('invalid_format'));
    expect(normalizeExternalId(input)).toEqual(bad('invalid_format'));
  });

  it('a well-formed surrogate pair (emoji, CJK extension) is kept', () => {
    expect(normalizeExternalId('u-😀')).toEqual(ok('u-😀'));
    expect(normalizeName('𠮷野')).toEqual(ok('𠮷野'));
  });
});

describe('normalizers: full-width and half-width forms (East Asian input methods)', () => {
  it.each([
    ['e-mail', normalizeEmail, 'ｊｏｅ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'joe@example.com'],
    ['e-mail (google)', normalizeEmailForGoogle, 'Ｊ．Ｏ＠ｇｍａｉｌ．ｃｏｍ', 'jo@gmail.com'],
    ['name', normalizeName, 'ＪＯＨＮ', 'john'],
    ['name (google)', normalizeNameForGoogle, 'Ｍａｒｙ　Ａｎｎ', 'mary ann'],
    ['date of birth', normalizeDateOfBirth, '１９９０－０１－０１', '19900101'],
    ['gender', normalizeGender, 'Ｆ', 'f'],
    ['city', normalizeCity, 'Ｔｏｋｙｏ', 'tokyo'],
    ['state', normalizeState, 'Ｃａｌｉｆｏｒｎｉａ', 'ca'],
    ['country', normalizeCountry, 'ＪＰ', 'jp'],
    ['zip', (v: unknown) => normalizeZip(v, { country: 'jp' }), '１００－０００１', '1000001'],
    ['zip (us)', (v: unknown) => normalizeZip(v), '９４０２５－１２３４', '94025'],
    [
      'phone',
      (v: unknown) => normalizePhone(v, { country: 'ＪＰ' }),
      '０９０－１２３４－５６７８',
      '+819012345678',
    ],
  ] as const)('%s: %j → %j', (_, normalize, input, expected) => {
    expect(normalize(input)).toEqual(ok(expected));
  });

  it('half-width katakana becomes the usual katakana, composed (ﾀﾞ is ダ)', () => {
    expect(normalizeName('ﾔﾏﾀﾞ')).toEqual(normalizeName('ヤマダ'));
    expect(normalizeName('ﾔﾏﾀﾞ')).toEqual(ok('ヤマダ'));
    expect(normalizeCity('ﾄｳｷｮｳ')).toEqual(normalizeCity('トウキョウ'));
    // A half-width voiced mark after a full-width kana composes with it too.
    expect(normalizeName('カﾞ')).toEqual(ok('ガ'));
  });

  it('only that block is folded: other compatibility characters and ids are kept as written', () => {
    expect(normalizeName('ﬁ')).toEqual(ok('ﬁ'));
    expect(normalizePhone('+1 650 555 123²')).toEqual(bad('invalid_format'));
    expect(normalizeExternalId('ＡＢＣ-42')).toEqual(ok('ＡＢＣ-42'));
  });

  it('every assigned character of U+FF00–U+FFEF is folded out, idempotently (exhaustive)', () => {
    let folded = 0;
    for (let cp = 0xff00; cp <= 0xffef; cp++) {
      const ch = String.fromCodePoint(cp);
      if (/\p{Cn}/u.test(ch)) continue; // unassigned: nothing to fold to
      folded++;
      const input = `a${ch}b`;
      const once = normalizeNameForGoogle(input);
      if (!once.ok) continue;
      expect(/[\uff00-\uffef]/u.test(once.value), cp.toString(16)).toBe(false);
      expect(normalizeNameForGoogle(once.value), cp.toString(16)).toEqual(once);
      expect(once.value).toBe(once.value.normalize('NFC'));
    }
    expect(folded).toBeGreaterThan(220);
  });
});

describe('normalizers: NFC shortcut', () => {
  it('text below U+0300 is its own NFC (the shortcut the normalizers take)', () => {
    for (let c = 0; c < 0x300; c++) {
      const s = String.fromCharCode(c);
      expect(s.normalize('NFC')).toBe(s);
      for (const after of ['a', 'Z', '\u00e9', '\u02ff']) {
        expect((s + after).normalize('NFC')).toBe(s + after);
      }
    }
  });
});
