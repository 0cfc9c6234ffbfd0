// Generates the numbering-plan table (src/calling-code-table.ts) from libphonenumber's metadata
// (Apache-2.0), as packaged by libphonenumber-js, a pinned dev dependency of this package (never a
// dependency of what we publish). From the repository root:
//
//   pnpm exec tsx packages/pii/scripts/numbering-plans.ts           # exit 1 if the table is stale
//   pnpm exec tsx packages/pii/scripts/numbering-plans.ts --write   # rewrite the table
//
// The table's header comment and its trunk prefixes are curated by hand and kept as they are; the
// generator reads the table as data (not as text), so no row can be skipped, and it fails when a
// country of libphonenumber is missing from the table (other than the few codes that are not ISO
// 3166-1 countries) or a country of the table is missing from libphonenumber. Computed per country:
//
// - NSN lengths by first digit, exactly, from the country's general national number pattern (the
//   union of every number type) intersected with its possible lengths: the patterns use only
//   digits, \d, [classes], (?:groups), |, ? and {n} / {n,m}, so the analysis below is complete (an
//   unknown construct throws);
// - the international (IDD) prefix pattern, when it is not "00";
// - for countries whose trunk prefix starts with 0: the number-type patterns that can match a
//   national significant number starting with 0 (Japan's 0066… freephone numbers), kept as the
//   top-level alternatives of each type that can start with 0, so a full match of a number
//   starting with 0 is exactly libphonenumber's;
// - Argentina's area codes after which a mobile number is written with "15" nationally (from its
//   national-prefix-for-parsing pattern, `0?(?:(AREAS)15)?`).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  ARGENTINA_MOBILE_AREAS,
  NON_GEOGRAPHIC,
  NUMBERING_PLANS,
  PREFERRED_INTERNATIONAL_PREFIXES,
  ZERO_NUMBERS,
} from '../src/calling-code-table.js';

/** The parts of libphonenumber-js's `metadata.max.json` this generator reads. */
export interface PhoneMetadata {
  readonly countries: Readonly<Record<string, readonly unknown[]>>;
  readonly nonGeographic: Readonly<Record<string, readonly unknown[]>>;
}

/** A row of NUMBERING_PLANS: calling code, trunk prefixes, lengths by first digit, IDD pattern. */
export type PlanRow = readonly [code: string, trunks: string, lengths: string, idd?: string];

/** Everything the table holds, as the generator computes it. */
export interface GeneratedTable {
  readonly plans: Readonly<Record<string, PlanRow>>;
  readonly nonGeographic: Readonly<Record<string, string>>;
  readonly zeroNumbers: Readonly<Record<string, string>>;
  readonly preferredPrefixes: Readonly<Record<string, string>>;
  readonly argentinaMobileAreas: string;
}

/** Region codes of libphonenumber that are not ISO 3166-1 countries: Ascension, Tristan da Cunha, Kosovo. */
const NOT_ISO_COUNTRIES = new Set(['ac', 'ta', 'xk']);

const MAX = 20;
const EMPTY = 1 << 10;
type ByLength = number[];

const at = (length: number, mask: number): ByLength => {
  const a = new Array<number>(MAX + 1).fill(0);
  a[length] = mask;
  return a;
};
const union = (a: ByLength, b: ByLength): ByLength => a.map((x, k) => x | (b[k] ?? 0));
function concat(a: ByLength, b: ByLength): ByLength {
  const out = new Array<number>(MAX + 1).fill(0);
  for (let la = 0; la <= MAX; la++) {
    const x = a[la] ?? 0;
    if (x === 0) continue;
    for (let lb = 0; la + lb <= MAX; lb++) {
      const y = b[lb] ?? 0;
      if (y !== 0) out[la + lb] = (out[la + lb] ?? 0) | (la === 0 ? y : x);
    }
  }
  return out;
}

/** For each length, the bit set of first digits of the strings `pattern` matches (bit 10: empty). */
export function analyse(pattern: string): ByLength {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at ${i} in ${pattern}`);
  };
  function alternatives(): ByLength {
    let result = sequence();
    while (pattern[i] === '|') {
      i++;
      result = union(result, sequence());
    }
    return result;
  }
  function sequence(): ByLength {
    let result = at(0, EMPTY);
    while (i < pattern.length && pattern[i] !== '|' && pattern[i] !== ')') {
      result = concat(result, quantified());
    }
    return result;
  }
  function quantified(): ByLength {
    const a = atom();
    if (pattern[i] === '?') {
      i++;
      return union(a, at(0, EMPTY));
    }
    if (pattern[i] !== '{') return a;
    const close = pattern.indexOf('}', i);
    if (close < 0) fail('unclosed quantifier');
    const bounds = pattern.slice(i + 1, close);
    if (!/^\d+(?:,\d+)?$/.test(bounds)) fail('open quantifier');
    const [low = 0, high = low] = bounds.split(',').map(Number);
    i = close + 1;
    let repeated = at(0, EMPTY);
    for (let k = 0; k < low; k++) repeated = concat(repeated, a);
    let result = repeated;
    for (let k = low; k < high; k++) {
      repeated = concat(repeated, a);
      result = union(result, repeated);
    }
    return result;
  }
  function atom(): ByLength {
    const c = pattern[i];
    if (c === '(') {
      if (pattern.slice(i, i + 3) !== '(?:') fail('capturing group');
      i += 3;
      const inner = alternatives();
      if (pattern[i] !== ')') fail('unclosed group');
      i++;
      return inner;
    }
    if (c === '\\') {
      if (pattern[i + 1] !== 'd') fail('escape');
      i += 2;
      return at(1, 0x3ff);
    }
    if (c === '[') {
      const close = pattern.indexOf(']', i);
      if (close < 0) fail('unclosed class');
      const body = pattern.slice(i + 1, close);
      i = close + 1;
      let mask = 0;
      for (let k = 0; k < body.length; k++) {
        if (body.slice(k, k + 2) === '\\d') {
          mask |= 0x3ff;
          k++;
        } else if (/^\d-\d$/.test(body.slice(k, k + 3))) {
          for (let d = Number(body[k]); d <= Number(body[k + 2]); d++) mask |= 1 << d;
          k += 2;
        } else if (/^\d$/.test(body[k] ?? '')) mask |= 1 << Number(body[k]);
        else fail(`class ${body}`);
      }
      return at(1, mask);
    }
    if (c !== undefined && c >= '0' && c <= '9') {
      i++;
      return at(1, 1 << Number(c));
    }
    return fail(`unexpected ${c}`);
  }
  const result = alternatives();
  if (i !== pattern.length) fail('trailing text');
  return result;
}

function ranges(mask: number): string {
  const out: string[] = [];
  for (let n = 0; n <= MAX; n++) {
    if ((mask & (1 << n)) === 0) continue;
    let m = n;
    while (mask & (1 << (m + 1))) m++;
    out.push(m === n ? `${n}` : m === n + 1 ? `${n},${m}` : `${n}-${m}`);
    n = m;
  }
  return out.join(',');
}

/** "1:9,10 23579:10 8:7,9,10": first digits that share a set of lengths, then those lengths. */
export function lengthsByFirstDigit(pattern: string, possible: readonly number[]): string {
  const byLength = analyse(pattern);
  const byDigit = new Array<number>(10).fill(0);
  for (const length of possible) {
    for (let d = 0; d < 10; d++) {
      if ((byLength[length] ?? 0) & (1 << d)) byDigit[d] = (byDigit[d] ?? 0) | (1 << length);
    }
  }
  const groups = new Map<number, string>();
  for (let d = 0; d < 10; d++) {
    const mask = byDigit[d] ?? 0;
    if (mask !== 0) groups.set(mask, `${groups.get(mask) ?? ''}${d}`);
  }
  return [...groups].map(([mask, digits]) => `${digits}:${ranges(mask)}`).join(' ');
}

/** The top-level alternatives of `pattern` (split at each "|" outside groups and classes). */
function topLevelAlternatives(pattern: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  out.push(pattern.slice(start));
  return out;
}

/** The alternatives of every number type of `row` that can match a number starting with 0. */
function zeroNumbers(row: readonly unknown[]): string {
  const types = row[11];
  if (!Array.isArray(types)) return '';
  const kept: string[] = [];
  for (const type of types) {
    if (!Array.isArray(type) || typeof type[0] !== 'string') continue;
    for (const alternative of topLevelAlternatives(type[0])) {
      const startsWithZero = analyse(alternative).some((mask) => (mask & 1) !== 0);
      if (startsWithZero && !kept.includes(alternative)) kept.push(alternative);
    }
  }
  return kept.join('|');
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} is not a string in libphonenumber`);
  return value;
}

function lengths(value: unknown, what: string): number[] {
  if (!Array.isArray(value) || !value.every((n) => typeof n === 'number')) {
    throw new Error(`${what}: possible lengths are not a list of numbers in libphonenumber`);
  }
  return value;
}

/**
 * Computes the table from libphonenumber's metadata and the trunk prefixes curated in `current`.
 *
 * @throws {Error} when a country is in one and not the other, a calling code differs, or a
 *   pattern uses a construct the analysis does not know.
 */
export function generateTable(
  metadata: PhoneMetadata,
  current: Readonly<Record<string, PlanRow>>,
): GeneratedTable {
  const theirs = Object.keys(metadata.countries)
    .map((c) => c.toLowerCase())
    .filter((c) => !NOT_ISO_COUNTRIES.has(c));
  const ours = Object.keys(current);
  const missing = theirs.filter((c) => !(c in current));
  const unknown = ours.filter((c) => !theirs.includes(c));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(
      `countries skipped: ${missing.join(', ') || 'none'} (in libphonenumber, not in the table); ` +
        `${unknown.join(', ') || 'none'} (in the table, not in libphonenumber)`,
    );
  }
  const plans: Record<string, PlanRow> = {};
  const zero: Record<string, string> = {};
  const preferred: Record<string, string> = {};
  for (const country of ours.sort()) {
    const row = metadata.countries[country.toUpperCase()] ?? [];
    const trunks = current[country]?.[1] ?? '';
    const code = text(row[0], `${country} calling code`);
    if (code !== current[country]?.[0]) {
      throw new Error(`${country}: calling code ${code} in libphonenumber`);
    }
    const idd = text(row[1], `${country} international prefix`);
    const byDigit = lengthsByFirstDigit(
      text(row[2], `${country} pattern`),
      lengths(row[3], country),
    );
    plans[country] = idd === '00' ? [code, trunks, byDigit] : [code, trunks, byDigit, idd];
    // "~": wait for the dial tone (Russia's 8~10).
    const dialled = typeof row[12] === 'string' ? row[12].replaceAll('~', '') : undefined;
    if (dialled !== undefined && !/^\d+$/.test(idd)) {
      if (!new RegExp(`^(?:${idd})$`).test(dialled)) {
        throw new Error(`${country}: preferred international prefix ${dialled} is not one`);
      }
      preferred[country] = dialled;
    }
    if (trunks.split('|').some((t) => t.startsWith('0'))) {
      const pattern = zeroNumbers(row);
      if (pattern !== '') zero[country] = pattern;
    }
  }
  const nonGeographic: Record<string, string> = {};
  for (const [code, row] of Object.entries(metadata.nonGeographic)) {
    nonGeographic[code] = lengthsByFirstDigit(
      text(row[2], `+${code} pattern`),
      lengths(row[3], code),
    );
  }
  const parsing = text(metadata.countries.AR?.[7], 'AR national prefix for parsing');
  const areas = /^0\?\(\?:\((.+)\)15\)\?$/.exec(parsing)?.[1];
  if (areas === undefined) throw new Error(`AR: unexpected national prefix for parsing ${parsing}`);
  analyse(areas); // only the constructs the rest of the table uses
  return {
    plans,
    nonGeographic,
    zeroNumbers: zero,
    preferredPrefixes: preferred,
    argentinaMobileAreas: areas,
  };
}

const quote = (s: string): string => `'${s.replaceAll('\\', '\\\\')}'`;

/** The table's source: `header` (everything before the first export, kept) and the data. */
export function renderTable(table: GeneratedTable, header: string, version: string): string {
  const rows = (entries: [string, string[]][], key: (k: string) => string): string =>
    entries
      .map(([k, items]) => {
        const line = `  ${key(k)}: [${items.map(quote).join(', ')}],`;
        return line.length <= 100
          ? line
          : `  ${key(k)}: [\n${items.map((item) => `    ${quote(item)},\n`).join('')}  ],`;
      })
      .join('\n');
  const strings = (entries: [string, string][], key: (k: string) => string): string =>
    entries.map(([k, v]) => `  ${key(k)}: ${quote(v)},`).join('\n');
  const stamped = header.replace(/\(libphonenumber-js [\d.]+\)/, `(libphonenumber-js ${version})`);
  return `${stamped}/** [calling code, trunk prefixes, NSN lengths by first digit, international prefix] by country. */
export const NUMBERING_PLANS: Readonly<
  Record<string, readonly [code: string, trunks: string, lengths: string, idd?: string]>
> = {
${rows(
  Object.entries(table.plans).map(([k, row]) => [k, row.flatMap((item) => item ?? [])]),
  (k) => k,
)}
};

// Non-geographic calling codes (international freephone, satellite, networks): reachable only in
// international form, with no trunk prefix. NSN lengths by first digit, as above.
export const NON_GEOGRAPHIC: Readonly<Record<string, string>> = {
${strings(Object.entries(table.nonGeographic), (k) => `'${k}'`)}
};

// National significant numbers that start with 0 in countries whose trunk prefix is 0: numbers
// dialled as written, without a trunk prefix (Japan's 0066…/0037…/0078… freephone numbers, India's
// 000800…, Thailand's 001800…). A pattern over the NSN, whole-string; an NSN starting with 0 in
// these countries is a number only when it matches.
export const ZERO_NUMBERS: Readonly<Record<string, string>> = {
${strings(Object.entries(table.zeroNumbers), (k) => k)}
};

// The international prefix dialled in countries whose prefix above is a pattern, where
// libphonenumber records one as preferred (Australia dials 0011). With a single prefix (011 in the
// NANP, 009 in Nigeria, 001 in Mongolia) that one is dialled; some countries record neither
// (Thailand's 00[1-9] and Brazil's 00 + carrier code are sets of carriers' prefixes).
export const PREFERRED_INTERNATIONAL_PREFIXES: Readonly<Record<string, string>> = {
${strings(Object.entries(table.preferredPrefixes), (k) => k)}
};

// Argentina: the area codes (2 to 4 digits) after which a mobile number is written with "15"
// nationally: 0 11 15-1234-5678 is +54 9 11 1234-5678. A whole-string pattern over the area code.
export const ARGENTINA_MOBILE_AREAS: string =
  ${quote(table.argentinaMobileAreas)};
`;
}

const TABLE = fileURLToPath(new URL('../src/calling-code-table.ts', import.meta.url));

function main(): void {
  const require = createRequire(import.meta.url);
  const metadata = require('libphonenumber-js/metadata.max.json') as PhoneMetadata;
  const { version } = require('libphonenumber-js/package.json') as { version: string };
  const table = generateTable(metadata, NUMBERING_PLANS);
  const source = readFileSync(TABLE, 'utf8');
  const header = source.slice(0, source.indexOf('/** [calling code'));
  if (process.argv.includes('--write')) {
    writeFileSync(TABLE, renderTable(table, header, version));
    const biome = createRequire(require.resolve('@biomejs/biome/package.json')).resolve(
      './bin/biome',
    );
    execFileSync(process.execPath, [biome, 'format', '--write', TABLE], { stdio: 'inherit' });
    console.log(`wrote ${TABLE} from libphonenumber-js ${version}`);
    return;
  }
  const now = {
    NUMBERING_PLANS,
    NON_GEOGRAPHIC,
    ZERO_NUMBERS,
    PREFERRED_INTERNATIONAL_PREFIXES,
    ARGENTINA_MOBILE_AREAS,
  };
  const next = {
    NUMBERING_PLANS: table.plans,
    NON_GEOGRAPHIC: table.nonGeographic,
    ZERO_NUMBERS: table.zeroNumbers,
    PREFERRED_INTERNATIONAL_PREFIXES: table.preferredPrefixes,
    ARGENTINA_MOBILE_AREAS: table.argentinaMobileAreas,
  };
  if (
    JSON.stringify(now) === JSON.stringify(next) &&
    source.includes(`(libphonenumber-js ${version})`)
  ) {
    console.log(`the table is up to date with libphonenumber-js ${version}`);
    return;
  }
  console.error(`the table differs from libphonenumber-js ${version}; run with --write`);
  process.exitCode = 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main();
}
