// Differential test of normalizePhone against libphonenumber-js (a dev dependency only): valid
// numbers of every country in the table, drawn from libphonenumber's own number patterns with a
// fixed seed, written in the ways people write them, read with and without a country. coffer may
// refuse what libphonenumber reads (it has only lengths by first digit), but it must never return
// a number other than the one written.
import { createRequire } from 'node:module';
import fc from 'fast-check';
import {
  type CountryCode,
  type PhoneNumber,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { NUMBERING_PLANS } from '../src/calling-code-table.js';
import { normalizePhone } from '../src/index.js';

const metadata = createRequire(import.meta.url)('libphonenumber-js/metadata.max.json') as {
  countries: Record<string, readonly unknown[]>;
};

// Fixed, so the test is deterministic; set PHONE_DIFFERENTIAL_SEED to explore other draws.
const SEED = Number(process.env.PHONE_DIFFERENTIAL_SEED || 20261114);
/** The number-type patterns of a country by index (0 fixed line, 1 mobile, 2 toll-free, …). */
function typePatterns(country: string): (string | undefined)[] {
  const types = metadata.countries[country.toUpperCase()]?.[11];
  if (!Array.isArray(types)) return [];
  return types.map((t: unknown) =>
    // An empty pattern: the same numbers as another type (mobile and fixed line in the NANP).
    Array.isArray(t) && typeof t[0] === 'string' && t[0] !== '' ? t[0] : undefined,
  );
}

/**
 * Up to three valid numbers of `country` (libphonenumber says valid), drawn
 * with `seed` from its own patterns: a mobile number (fixed line where mobile has no pattern of its
 * own), a toll-free number (Japan's 0066… among them), and one of a type picked at random.
 */
function numbersOf(country: string, seed: number): PhoneNumber[] {
  const code = NUMBERING_PLANS[country]?.[0] ?? '';
  const patterns = typePatterns(country);
  const present = patterns.flatMap((p) => (p === undefined ? [] : [p]));
  const [random = 0] = fc.sample(fc.nat({ max: Math.max(present.length - 1, 0) }), {
    seed,
    numRuns: 1,
  });
  const picked = [patterns[1] ?? patterns[0], patterns[2], present[random]];
  const out: PhoneNumber[] = [];
  for (const [k, pattern] of picked.entries()) {
    if (pattern === undefined) continue;
    const candidates = fc.sample(fc.stringMatching(new RegExp(`^(?:${pattern})$`)), {
      seed: seed + k,
      numRuns: 40,
    });
    const number = candidates
      .map((nsn) => parsePhoneNumberFromString(`+${code}${nsn}`))
      .find(
        (n) =>
          n?.isValid() === true &&
          // Of its calling code: libphonenumber files Åland's, Svalbard's, Vatican City's… numbers
          // under the main country of the code.
          n.countryCallingCode === code &&
          !out.some((o) => o.number === n.number),
      );
    if (number !== undefined) out.push(number);
  }
  return out;
}

/**
 * Every country's international dialling format, as libphonenumber-js formats a call from there
 * (`011` from the NANP, `0011` from Australia, `009` from Nigeria, `8~10` from Russia, …): one
 * country per distinct prefix. Countries whose prefix is a set of carriers' prefixes without a
 * preferred one (Thailand, Brazil, Korea, …) have no such format and are left out.
 */
function dialledFrom(): [country: string, prefix: string][] {
  const uk = parsePhoneNumberFromString('+447911123456');
  const us = parsePhoneNumberFromString('+16505551234');
  const byPrefix = new Map<string, string>();
  for (const country of Object.keys(NUMBERING_PLANS)) {
    const number = NUMBERING_PLANS[country]?.[0] === '44' ? us : uk;
    const from = country.toUpperCase() as CountryCode;
    const written = number?.format('IDD', { fromCountry: from });
    if (number === undefined || written === undefined) continue;
    // "8~10": wait for the dial tone after the 8.
    const prefix = written
      .slice(0, written.indexOf(` ${number.countryCallingCode} `))
      .replaceAll('~', '');
    if (!byPrefix.has(prefix)) byPrefix.set(prefix, country);
  }
  return [...byPrefix].map(([prefix, country]) => [country, prefix]);
}
const DIALLED_FROM = dialledFrom();

const FULL_WIDTH = (s: string): string =>
  s.replace(/[0-9+]/g, (c) => (c === '+' ? '＋' : String.fromCharCode(0xff10 + Number(c))));
const ARABIC_INDIC = (s: string): string =>
  s.replace(/[0-9]/g, (c) => String.fromCharCode(0x0660 + Number(c)));

interface Written {
  readonly notation: string;
  readonly input: string;
  /** The record's country when the notation is sent with one. */
  readonly country: string;
}

/** The ways `number` (of `country`) is written: at least 20 notations. */
function notations(number: PhoneNumber, country: string): Written[] {
  const code = number.countryCallingCode;
  const intl = number.formatInternational();
  const rest = intl.slice(code.length + 2);
  const national = number.formatNational();
  const trunkZero = (NUMBERING_PLANS[country]?.[1] ?? '').split('|').includes('0');
  const own = (notation: string, input: string): Written => ({ notation, input, country });
  const written = [
    own('E.164', number.number),
    own('international', intl),
    own('international, dashes', `+${code}-${rest.replaceAll(' ', '-')}`),
    own('international, calling code in brackets', `(+${code}) ${rest}`),
    own('RFC 3966', number.getURI()),
    own('00, spaced', `00 ${code} ${rest}`),
    own('00, compact', `00${code}${number.nationalNumber}`),
    own('calling code without +', `${code} ${rest}`),
    own('calling code without +, compact', `${code}${number.nationalNumber}`),
    own('national', national),
    own('national, digits only', national.replace(/\D/g, '')),
    own('national, dots', national.replace(/[\s-]+/g, '.')),
    own('national significant number', number.nationalNumber),
    own('international, extension', `${intl} ext. 12`),
    own('national, extension', `${national} x 345`),
    own('international, full-width', FULL_WIDTH(intl)),
    own('national, Arabic-Indic digits', ARABIC_INDIC(national)),
    own('international, trunk in brackets', trunkZero ? `+${code} (0)${rest}` : `+${code} ${rest}`),
  ];
  for (const [from, prefix] of DIALLED_FROM) {
    const input = from === country ? national : `${prefix} ${code} ${rest}`;
    written.push({ notation: `dialled from ${from.toUpperCase()}`, input, country: from });
  }
  return written;
}

interface Tally {
  total: number;
  refused: number;
  digitsOnly: number;
  libRefused: number;
  libWrong: number;
  sameAsLib: number;
}
const tally = (): Tally => ({
  total: 0,
  refused: 0,
  digitsOnly: 0,
  libRefused: 0,
  libWrong: 0,
  sameAsLib: 0,
});
const percent = (part: number, whole: number): string => `${((100 * part) / whole).toFixed(2)}%`;

describe('normalizePhone against libphonenumber-js (seeded, every country of the table)', () => {
  it('the dialling formats below are those of libphonenumber-js, every distinct prefix', () => {
    const prefixes = DIALLED_FROM.map(([, prefix]) => prefix);
    expect(prefixes.sort()).toEqual(
      ['0', '00', '000', '001', '0011', '009', '010', '011', '020', '119', '810'].sort(),
    );
    for (const [country, prefix] of DIALLED_FROM) {
      const idd = NUMBERING_PLANS[country]?.[3] ?? '00';
      expect(new RegExp(`^(?:${idd})$`).test(prefix), country).toBe(true);
    }
  });

  it('with a country, never another valid number than libphonenumber-js (or the one written); without, never a wrong one', () => {
    const countries = Object.keys(NUMBERING_PLANS);
    const numbers = countries.flatMap((country, k) =>
      numbersOf(country, SEED + 97 * k).map((number) => ({ country, number })),
    );
    const withCountry = tally();
    const without = tally();
    const byNotation = new Map<
      string,
      { total: number; refusedWith: number; refusedWithout: number }
    >();
    const notationNames = new Set<string>();
    const wrong: string[] = [];
    for (const { country, number } of numbers) {
      const truth = number.number;
      for (const { notation, input, country: record } of notations(number, country)) {
        notationNames.add(notation);
        const row = byNotation.get(notation) ?? { total: 0, refusedWith: 0, refusedWithout: 0 };
        byNotation.set(notation, row);
        row.total++;

        // With the record's country: libphonenumber's reading, and coffer's.
        const theirs = parsePhoneNumberFromString(input, record.toUpperCase() as CountryCode);
        const libValid = theirs?.isValid() === true ? theirs.number : undefined;
        const ours = normalizePhone(input, { country: record });
        withCountry.total++;
        if (libValid === undefined) withCountry.libRefused++;
        else if (libValid !== truth) withCountry.libWrong++;
        if (!ours.ok) {
          withCountry.refused++;
          row.refusedWith++;
        } else if (ours.value !== truth && ours.value === libValid) {
          // Both read the notation as another number: libphonenumber's own national format of
          // Gabon's old 7-digit numbers ("07 03 92 21") is also a new 8-digit number.
          withCountry.sameAsLib++;
        } else if (ours.value !== truth) {
          const lib = libValid === undefined ? 'refused' : libValid;
          wrong.push(
            `${JSON.stringify(input)} in ${record}: ${ours.value}, not ${truth} (libphonenumber-js: ${lib})`,
          );
        }

        // Without a country: a number with "+" must be the one written; digits without "+" are
        // the documented fallback (kept as digits, no calling code added).
        const bare = normalizePhone(input);
        without.total++;
        if (!bare.ok) {
          without.refused++;
          row.refusedWithout++;
        } else if (!bare.value.startsWith('+')) {
          without.digitsOnly++;
        } else if (bare.value !== truth) {
          wrong.push(`${JSON.stringify(input)} without a country: ${bare.value}, not ${truth}`);
        }
      }
    }
    const lines = [
      `phone differential: ${numbers.length} numbers of ${new Set(numbers.map((n) => n.country)).size} countries, ` +
        `${notationNames.size} notations, ${withCountry.total} inputs, each with and without a country`,
      `  with a country: coffer refused ${percent(withCountry.refused, withCountry.total)}; ` +
        `libphonenumber-js refused ${percent(withCountry.libRefused, withCountry.total)} ` +
        `and read ${withCountry.libWrong} as another valid number ` +
        `(coffer read ${withCountry.sameAsLib} of them the same way)`,
      `  without a country: coffer refused ${percent(without.refused, without.total)}, ` +
        `kept ${percent(without.digitsOnly, without.total)} as digits only (no "+"), ` +
        `read the rest as the number written`,
      '  refused by notation (with / without a country):',
      ...[...byNotation].map(
        ([name, r]) =>
          `    ${name.padEnd(42)} ${percent(r.refusedWith, r.total).padStart(7)} / ${percent(r.refusedWithout, r.total).padStart(7)}`,
      ),
    ];
    console.log(lines.join('\n'));
    expect(wrong.slice(0, 20)).toEqual([]);
    expect(new Set(numbers.map((n) => n.country)).size).toBeGreaterThanOrEqual(40);
    expect(notationNames.size).toBeGreaterThanOrEqual(20);
    expect(withCountry.total).toBeGreaterThanOrEqual(5000);
  });
});
