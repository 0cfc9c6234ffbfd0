// Look-ups over the numbering-plan table (calling-code-table.ts): by country for national numbers,
// by leading digits for international ones.
import { NON_GEOGRAPHIC, NUMBERING_PLANS } from './calling-code-table.js';

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

interface Shared {
  lengths: number[];
  zeroTrunks: Set<string>;
}
const SHARED = new Map<string, Shared>();
function share(code: string, lengths: readonly number[], zeroTrunks: readonly string[]): void {
  const shared = SHARED.get(code) ?? {
    lengths: new Array<number>(10).fill(0),
    zeroTrunks: new Set(),
  };
  for (let d = 0; d < 10; d++) shared.lengths[d] = (shared.lengths[d] ?? 0) | (lengths[d] ?? 0);
  for (const t of zeroTrunks) shared.zeroTrunks.add(t);
  SHARED.set(code, shared);
}
for (const [code, trunk, lengths] of Object.values(NUMBERING_PLANS)) {
  const zeroTrunks = trunk.split('|').filter((t) => t.startsWith('0'));
  share(code, lengthsByFirstDigit(lengths), zeroTrunks);
}
for (const [code, lengths] of Object.entries(NON_GEOGRAPHIC)) {
  share(code, lengthsByFirstDigit(lengths), []);
}
const CALLING_CODES: ReadonlyMap<string, CallingCode> = new Map(
  [...SHARED].map(([code, { lengths, zeroTrunks }]) => [
    code,
    { code, lengths, zeroTrunks: [...zeroTrunks].sort(byLength) },
  ]),
);

const PLANS = new Map<string, NumberingPlan>();
for (const [country, [code, trunk, , idd]] of Object.entries(NUMBERING_PLANS)) {
  const calling = CALLING_CODES.get(code);
  if (calling === undefined) continue; // unreachable: every row was shared above
  const trunks = trunk === '' ? [] : trunk.split('|').sort(byLength);
  PLANS.set(country, {
    code,
    calling,
    trunks,
    zeroTrunk: trunks.some((t) => t.startsWith('0')),
    idd: idd === undefined ? undefined : new RegExp(`^(?:${idd})$`),
    iddStarts: idd === undefined ? '0' : leadingDigits(idd),
  });
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
