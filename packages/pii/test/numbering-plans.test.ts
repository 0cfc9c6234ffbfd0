// The numbering-plan table against its generator (scripts/numbering-plans.ts) run on the pinned
// libphonenumber-js: a stale table, a skipped row or a skipped country fails here.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyse, generateTable, type PhoneMetadata } from '../scripts/numbering-plans.js';
import {
  ARGENTINA_MOBILE_AREAS,
  NON_GEOGRAPHIC,
  NUMBERING_PLANS,
  PREFERRED_INTERNATIONAL_PREFIXES,
  ZERO_NUMBERS,
} from '../src/calling-code-table.js';
import { allowsNumber, planOf } from '../src/calling-codes.js';

const require = createRequire(import.meta.url);
const metadata = require('libphonenumber-js/metadata.max.json') as PhoneMetadata;
const { version } = require('libphonenumber-js/package.json') as { version: string };
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  devDependencies: Record<string, string>;
};

describe('the numbering-plan table is what the generator makes of libphonenumber-js (#14.15)', () => {
  it('libphonenumber-js is an exact-pinned dev dependency, 1.13.17 or later', () => {
    const pinned = manifest.devDependencies['libphonenumber-js'] ?? '';
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pinned).toBe(version);
    const [major = 0, minor = 0, patch = 0] = pinned.split('.').map(Number);
    expect(major * 1e6 + minor * 1e3 + patch).toBeGreaterThanOrEqual(1_013_017);
  });

  it('every table equals the generated one, and the header names the version', () => {
    const generated = generateTable(metadata, NUMBERING_PLANS);
    expect(NUMBERING_PLANS).toEqual(generated.plans);
    expect(NON_GEOGRAPHIC).toEqual(generated.nonGeographic);
    expect(ZERO_NUMBERS).toEqual(generated.zeroNumbers);
    expect(PREFERRED_INTERNATIONAL_PREFIXES).toEqual(generated.preferredPrefixes);
    expect(ARGENTINA_MOBILE_AREAS).toBe(generated.argentinaMobileAreas);
    const source = readFileSync(new URL('../src/calling-code-table.ts', import.meta.url), 'utf8');
    expect(source).toContain(`(libphonenumber-js ${version})`);
  });

  it('rows the formatter wraps over several lines (ax, fi, kr) are generated like the others', () => {
    const source = readFileSync(new URL('../src/calling-code-table.ts', import.meta.url), 'utf8');
    const generated = generateTable(metadata, NUMBERING_PLANS);
    for (const country of ['ax', 'fi', 'kr']) {
      expect(source, country).toMatch(new RegExp(`^ {2}${country}: \\[\\n`, 'm'));
      expect(generated.plans[country], country).toEqual(NUMBERING_PLANS[country]);
    }
    expect(Object.keys(generated.plans)).toHaveLength(242);
    // New Zealand's 11… numbers have 10 to 14 digits since libphonenumber-js 1.13.17.
    expect(NUMBERING_PLANS.nz?.[2]).toBe('1:10-14 29:8-10 346:8 5:7,9,10 7:8,9 8:5-10');
  });

  it('fails when a country is skipped, on either side', () => {
    const withoutFinland = Object.fromEntries(
      Object.entries(NUMBERING_PLANS).filter(([country]) => country !== 'fi'),
    );
    expect(() => generateTable(metadata, withoutFinland)).toThrow(
      /countries skipped: fi \(in libphonenumber, not in the table\)/,
    );
    const countries = Object.fromEntries(
      Object.entries(metadata.countries).filter(([country]) => country !== 'KR'),
    );
    expect(() => generateTable({ ...metadata, countries }, NUMBERING_PLANS)).toThrow(
      /kr \(in the table, not in libphonenumber\)/,
    );
  });

  it('fails on a calling code that differs and on a pattern it cannot analyse exactly', () => {
    const plans = { ...NUMBERING_PLANS, fr: ['34', '0', ''] as const };
    expect(() => generateTable(metadata, plans)).toThrow(/fr: calling code 33/);
    for (const pattern of ['1+', '(1)', '\\w', '1{2,}', '[a-c]']) {
      expect(() => analyse(pattern), pattern).toThrow();
    }
  });

  it('a national number starting with 0 never also reads with its 0 as the trunk prefix', () => {
    // normalizePhone takes the trunk reading first; the table must not offer a second one.
    for (const [country, pattern] of Object.entries(ZERO_NUMBERS)) {
      const plan = planOf(country);
      if (plan === undefined) throw new Error(country);
      const numbers = fc.sample(fc.stringMatching(new RegExp(`^(?:${pattern})$`)), {
        seed: 14,
        numRuns: 300,
      });
      for (const number of numbers.filter((n) => n.startsWith('0'))) {
        const rest = number.slice(1);
        const readsAsTrunk =
          !rest.startsWith('0') && allowsNumber(plan.calling, rest) && plan.zeroTrunk;
        expect(readsAsTrunk, `${country} ${number}`).toBe(false);
      }
    }
  });
});
