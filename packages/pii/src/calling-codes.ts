// Look-ups over the numbering-plan table (calling-code-table.ts): by country for national numbers,
// by leading digits for international ones.
import { NON_GEOGRAPHIC, NUMBERING_PLANS } from './calling-code-table.js';

/** One country's numbering plan, as normalizePhone uses it. */
export interface NumberingPlan {
  /** ITU-T E.164 country calling code, e.g. `'44'`. */
  readonly code: string;
  /** Trunk prefixes dialled before a national number inside the country, longest first. */
  readonly trunks: readonly string[];
  /** Allowed national significant number lengths, as a bit set (bit n: length n). */
  readonly lengths: number;
  /**
   * The country's trunk prefix starts with "0" (so its national significant numbers do not, and a
   * "0" written after the calling code, as in "+44 (0)20 …", is the trunk, not part of the number).
   */
  readonly zeroTrunk: boolean;
}

/** What a calling code allows, over every country that shares it (e.g. +44: GB, GG, IM, JE). */
export interface CallingCode {
  readonly code: string;
  /** Union of the member countries' NSN lengths, as a bit set. */
  readonly lengths: number;
  /** Trunk prefixes starting with "0" of the member countries, longest first. */
  readonly zeroTrunks: readonly string[];
}

function lengthBits(spec: string): number {
  let bits = 0;
  for (const part of spec.split(',')) {
    const [from = '', to = from] = part.split('-');
    for (let n = Number(from); n <= Number(to); n++) bits |= 1 << n;
  }
  return bits;
}

const byLength = (a: string, b: string): number => b.length - a.length;

const PLANS = new Map<string, NumberingPlan>();
const CODES = new Map<string, { lengths: number; zeroTrunks: Set<string> }>();
for (const [country, [code, trunk, lengths]] of Object.entries(NUMBERING_PLANS)) {
  const trunks = trunk === '' ? [] : trunk.split('|').sort(byLength);
  const plan: NumberingPlan = {
    code,
    trunks,
    lengths: lengthBits(lengths),
    zeroTrunk: trunks.some((t) => t.startsWith('0')),
  };
  PLANS.set(country, plan);
  const shared = CODES.get(code) ?? { lengths: 0, zeroTrunks: new Set<string>() };
  shared.lengths |= plan.lengths;
  for (const t of trunks) if (t.startsWith('0')) shared.zeroTrunks.add(t);
  CODES.set(code, shared);
}
for (const [code, lengths] of Object.entries(NON_GEOGRAPHIC)) {
  CODES.set(code, { lengths: lengthBits(lengths), zeroTrunks: new Set() });
}
const CALLING_CODES: ReadonlyMap<string, CallingCode> = new Map(
  [...CODES].map(([code, { lengths, zeroTrunks }]) => [
    code,
    { code, lengths, zeroTrunks: [...zeroTrunks].sort(byLength) },
  ]),
);

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

/** Whether bit set `lengths` allows a national significant number of `length` digits. */
export function allowsLength(lengths: number, length: number): boolean {
  return length > 0 && length < 31 && (lengths & (1 << length)) !== 0;
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
