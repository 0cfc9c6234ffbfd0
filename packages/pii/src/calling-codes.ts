// Look-ups over the numbering-plan table (calling-code-table.ts): by country for national numbers,
// by leading digits for international ones.
import {
  ARGENTINA_MOBILE_AREAS,
  NON_GEOGRAPHIC,
  NUMBERING_PLANS,
  PREFERRED_INTERNATIONAL_PREFIXES,
  ZERO_NUMBERS,
} from './calling-code-table.js';

/** What a calling code allows, over every country that shares it (e.g. +44: GB, GG, IM, JE). */
export interface CallingCode {
  readonly code: string;
  /**
   * National significant number lengths by first digit: element d is a bit set (bit n: length n)
   * of the lengths an NSN starting with digit d may have, united over the member countries.
   */
  readonly lengths: readonly number[];
  /** Trunk prefixes starting with "0" of the member countries, longest first. */
  readonly zeroTrunks: readonly string[];
  /**
   * National significant numbers starting with 0 in member countries whose trunk prefix is 0 (a
   * whole-string pattern; Japan's 0066… freephone numbers), or `undefined` when there are none.
   */
  readonly zeroNumbers: RegExp | undefined;
}

/** One country's numbering plan, as normalizePhone uses it. */
export interface NumberingPlan {
  /** ITU-T E.164 country calling code, e.g. `'44'`. */
  readonly code: string;
  /** What the calling code allows (shared with any other country that has the same code). */
  readonly calling: CallingCode;
  /** Trunk prefixes dialled before a national number inside the country, longest first. */
  readonly trunks: readonly string[];
  /**
   * The country's trunk prefix starts with "0" (so its national significant numbers do not, and a
   * "0" written after the calling code, as in "+44 (0)20 …", is the trunk, not part of the number).
   */
  readonly zeroTrunk: boolean;
  /**
   * The international prefix dialled in the country before a calling code, as a whole-string
   * pattern (`011` in the NANP, `810` in Russia, …); `undefined` when it is `00`.
   */
  readonly idd: RegExp | undefined;
  /** The digits an international prefix there can start with (`'0'` for `00`), to skip the rest. */
  readonly iddStarts: string;
  /**
   * With a trunk prefix starting with 0: the national significant numbers that still start with 0
   * (dialled as written, e.g. Japan's `0066…`), as a whole-string pattern; otherwise `undefined`.
   */
  readonly zeroNumbers: RegExp | undefined;
}

/** Parses "1:9,10 23579:10 8:7,9,10" into ten bit sets of lengths, one per first digit. */
function lengthsByFirstDigit(spec: string): number[] {
  const byDigit = new Array<number>(10).fill(0);
  for (const group of spec.split(' ')) {
    const [digits = '', lengths = ''] = group.split(':');
    let bits = 0;
    for (const part of lengths.split(',')) {
      const [from = '', to = from] = part.split('-');
      for (let n = Number(from); n <= Number(to); n++) bits |= 1 << n;
    }
    for (const d of digits) byDigit[Number(d)] = (byDigit[Number(d)] ?? 0) | bits;
  }
  return byDigit;
}

const byLength = (a: string, b: string): number => b.length - a.length;

const whole = (pattern: string): RegExp => new RegExp(`^(?:${pattern})$`);
const ZERO_BY_COUNTRY: ReadonlyMap<string, string> = new Map(Object.entries(ZERO_NUMBERS));
const zeroNumbersOf = (country: string): string | undefined => ZERO_BY_COUNTRY.get(country);

interface Shared {
  lengths: number[];
  zeroTrunks: Set<string>;
  zeroNumbers: string[];
}
const SHARED = new Map<string, Shared>();
function share(
  code: string,
  lengths: readonly number[],
  zeroTrunks: readonly string[],
  zeroNumbers: string | undefined,
): void {
  const shared = SHARED.get(code) ?? {
    lengths: new Array<number>(10).fill(0),
    zeroTrunks: new Set(),
    zeroNumbers: [],
  };
  for (let d = 0; d < 10; d++) shared.lengths[d] = (shared.lengths[d] ?? 0) | (lengths[d] ?? 0);
  for (const t of zeroTrunks) shared.zeroTrunks.add(t);
  if (zeroNumbers !== undefined) shared.zeroNumbers.push(zeroNumbers);
  SHARED.set(code, shared);
}
for (const [country, [code, trunk, lengths]] of Object.entries(NUMBERING_PLANS)) {
  const zeroTrunks = trunk.split('|').filter((t) => t.startsWith('0'));
  share(code, lengthsByFirstDigit(lengths), zeroTrunks, zeroNumbersOf(country));
}
for (const [code, lengths] of Object.entries(NON_GEOGRAPHIC)) {
  share(code, lengthsByFirstDigit(lengths), [], undefined);
}
const CALLING_CODES: ReadonlyMap<string, CallingCode> = new Map(
  [...SHARED].map(([code, { lengths, zeroTrunks, zeroNumbers }]) => [
    code,
    {
      code,
      lengths,
      zeroTrunks: [...zeroTrunks].sort(byLength),
      zeroNumbers: zeroNumbers.length === 0 ? undefined : whole(zeroNumbers.join('|')),
    },
  ]),
);

const PLANS = new Map<string, NumberingPlan>();
for (const [country, [code, trunk, , idd]] of Object.entries(NUMBERING_PLANS)) {
  const calling = CALLING_CODES.get(code);
  if (calling === undefined) continue; // unreachable: every row was shared above
  const trunks = trunk === '' ? [] : trunk.split('|').sort(byLength);
  const zeroTrunk = trunks.some((t) => t.startsWith('0'));
  const zeroNumbers = zeroNumbersOf(country);
  PLANS.set(country, {
    code,
    calling,
    trunks,
    zeroTrunk,
    idd: idd === undefined ? undefined : whole(idd),
    iddStarts: idd === undefined ? '0' : leadingDigits(idd),
    zeroNumbers: zeroTrunk && zeroNumbers !== undefined ? whole(zeroNumbers) : undefined,
  });
}

/**
 * The international prefixes longer than `00` that start with `00` and are dialled somewhere as
 * the country's one prefix, or its preferred one: `000` (Kenya), `001` (Guyana, Mongolia), `0011`
 * (Australia), `009` (Nigeria). A writer from there puts one of them where others put `00`. Sets of
 * carriers' prefixes without a preferred one (Thailand's `00[1-9]`, Singapore's `0[0-3]\d`,
 * Brazil's `00` + carrier code) are not counted: they would make every `00` + digit another prefix
 * (`00 33 …` would also read as Thailand's `003` and a Hungarian number), and refuse about a third of
 * the numbers written with `00` (decision D19).
 */
export const DIALLED_PREFIXES_AFTER_00: readonly string[] = [
  ...new Set([
    ...Object.values(NUMBERING_PLANS).flatMap(([, , , idd]) =>
      idd !== undefined && /^\d+$/.test(idd) ? [idd] : [],
    ),
    ...Object.values(PREFERRED_INTERNATIONAL_PREFIXES),
  ]),
]
  .filter((prefix) => prefix.startsWith('00') && prefix.length > 2)
  .sort();

/** The plans that have national significant numbers starting with 0 despite a trunk 0. */
export const PLANS_WITH_ZERO_NUMBERS: readonly NumberingPlan[] = [...PLANS.values()].filter(
  (plan) => plan.zeroNumbers !== undefined,
);

const ARGENTINA_AREA = whole(ARGENTINA_MOBILE_AREAS);

/**
 * Argentina's mobile numbers written the national way, an area code (2-4 digits) then "15" then
 * the subscriber number (together 10 digits: `11 15 1234 5678`), as their NSN: 9, the area code,
 * the subscriber number (`91112345678`). `undefined` when `digits` is not of that form, or when
 * two area codes fit (no such pair is known, but then the number reads two ways).
 */
export function argentineMobile(digits: string): string | undefined {
  if (digits.length !== 12) return undefined;
  let found: string | undefined;
  for (let length = 2; length <= 4; length++) {
    if (digits.charCodeAt(length) !== 0x31 || digits.charCodeAt(length + 1) !== 0x35) continue;
    const area = digits.slice(0, length);
    if (!ARGENTINA_AREA.test(area)) continue;
    if (found !== undefined) return undefined;
    found = `9${area}${digits.slice(length + 2)}`;
  }
  return found;
}

/**
 * The digits a match of `pattern` (digits, `\\d`, `[classes]`, `(?:groups)`, `|`, `?`, `{n,m}`) can
 * start with: the first atom of each top-level alternative. All ten when an alternative starts
 * with something optional (never the case in the table, but then nothing is skipped).
 */
function leadingDigits(pattern: string): string {
  const all = '0123456789';
  let out = '';
  let depth = 0;
  let start = 0;
  const alternatives: string[] = [];
  for (let i = 0; i <= pattern.length; i++) {
    const c = pattern[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if ((c === '|' && depth === 0) || c === undefined) {
      alternatives.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  for (const alternative of alternatives) {
    let atom: string;
    let rest: string;
    if (alternative.startsWith('(?:')) {
      let d = 0;
      let end = 0;
      for (let i = 0; i < alternative.length; i++) {
        if (alternative[i] === '(') d++;
        else if (alternative[i] === ')' && --d === 0) {
          end = i;
          break;
        }
      }
      atom = leadingDigits(alternative.slice(3, end));
      rest = alternative.slice(end + 1);
    } else if (alternative.startsWith('[')) {
      const end = alternative.indexOf(']');
      atom = [...all].filter((d) => new RegExp(alternative.slice(0, end + 1)).test(d)).join('');
      rest = alternative.slice(end + 1);
    } else if (alternative.startsWith('\\d')) {
      atom = all;
      rest = alternative.slice(2);
    } else {
      atom = alternative.slice(0, 1);
      rest = alternative.slice(1);
    }
    if (atom === '' || rest.startsWith('?') || rest.startsWith('{0') || rest.startsWith('*')) {
      return all;
    }
    out += atom;
  }
  return [...new Set(out)].sort().join('');
}

/** The numbering plan of a lower-case ISO alpha-2 country, if known. */
export function planOf(country: string): NumberingPlan | undefined {
  return PLANS.get(country);
}

/**
 * The calling code `digits` (international, after the `+`) starts with: E.164 codes are
 * prefix-free, so at most one of the first 1, 2 or 3 digits is one.
 */
export function callingCodeAt(digits: string): CallingCode | undefined {
  for (let length = 1; length <= 3 && length < digits.length; length++) {
    const code = CALLING_CODES.get(digits.slice(0, length));
    if (code !== undefined) return code;
  }
  return undefined;
}

/** Whether `nsn` has a length that its first digit allows under `code`. */
export function allowsNumber(code: CallingCode, nsn: string): boolean {
  const length = nsn.length;
  const first = nsn.charCodeAt(0) - 0x30;
  const bits = first >= 0 && first <= 9 ? (code.lengths[first] ?? 0) : 0;
  return length > 0 && length < 31 && (bits & (1 << length)) !== 0;
}

/**
 * The ISO 3166-1 alpha-2 countries (lower case) whose numbering plan `normalizePhone` knows — every
 * country with a plan of its own (all but AQ, BV, GS, HM, PN, TF and UM) — so a national number
 * with one of these as `country` becomes E.164.
 *
 * @example
 * ```ts
 * import { KNOWN_CALLING_CODE_COUNTRIES } from '@coffer/pii';
 *
 * KNOWN_CALLING_CODE_COUNTRIES.includes('gb'); // true
 * KNOWN_CALLING_CODE_COUNTRIES.length; // 242
 * ```
 */
export const KNOWN_CALLING_CODE_COUNTRIES: readonly string[] = Object.freeze([...PLANS.keys()]);
