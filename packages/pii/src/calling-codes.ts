// ITU-T E.164 country calling codes by ISO 3166-1 alpha-2 country, and whether the country dials a
// national trunk prefix "0" that must be dropped in international form (e.g. UK 07911 123456 →
// +44 7911 123456). Source: ITU-T E.164 assigned country codes (Operational Bulletin list) and
// ITU-T national numbering plans. Countries sharing +1 (NANP) use trunk prefix 1, handled apart.

interface CallingCode {
  readonly code: string;
  /** The country's national numbers start with a trunk "0" that is not dialled from abroad. */
  readonly trunkZero: boolean;
}

const T = true;
const F = false;

const TABLE: ReadonlyMap<string, readonly [string, boolean]> = new Map(
  Object.entries({
    us: ['1', F],
    ca: ['1', F],
    pr: ['1', F],
    gb: ['44', T],
    ie: ['353', T],
    de: ['49', T],
    fr: ['33', T],
    es: ['34', F],
    it: ['39', F],
    pt: ['351', F],
    nl: ['31', T],
    be: ['32', T],
    lu: ['352', F],
    ch: ['41', T],
    at: ['43', T],
    dk: ['45', F],
    se: ['46', T],
    no: ['47', F],
    fi: ['358', T],
    is: ['354', F],
    pl: ['48', F],
    cz: ['420', F],
    sk: ['421', T],
    hu: ['36', F],
    ro: ['40', T],
    bg: ['359', T],
    gr: ['30', F],
    tr: ['90', T],
    ua: ['380', T],
    ru: ['7', F],
    il: ['972', T],
    ae: ['971', T],
    sa: ['966', T],
    eg: ['20', T],
    za: ['27', T],
    ng: ['234', T],
    ke: ['254', T],
    ma: ['212', T],
    in: ['91', T],
    pk: ['92', T],
    bd: ['880', T],
    cn: ['86', T],
    jp: ['81', T],
    kr: ['82', T],
    tw: ['886', T],
    hk: ['852', F],
    sg: ['65', F],
    my: ['60', T],
    th: ['66', T],
    vn: ['84', T],
    ph: ['63', T],
    id: ['62', T],
    au: ['61', T],
    nz: ['64', T],
    mx: ['52', F],
    br: ['55', T],
    ar: ['54', T],
    cl: ['56', F],
    co: ['57', F],
    pe: ['51', T],
  } satisfies Record<string, readonly [string, boolean]>),
);

/** The calling code for a lower-case ISO alpha-2 country, if known. */
export function callingCodeOf(country: string): CallingCode | undefined {
  const row = TABLE.get(country);
  return row === undefined ? undefined : { code: row[0], trunkZero: row[1] };
}

/**
 * The ISO 3166-1 alpha-2 countries (lower case) whose calling code `normalizePhone` knows, so
 * a national number with one of these as `country` becomes E.164.
 *
 * @example
 * ```ts
 * import { KNOWN_CALLING_CODE_COUNTRIES } from '@coffer/pii';
 *
 * KNOWN_CALLING_CODE_COUNTRIES.includes('gb'); // true
 * ```
 */
export const KNOWN_CALLING_CODE_COUNTRIES: readonly string[] = [...TABLE.keys()];

const TRUNK_ZERO_BY_CODE: ReadonlyMap<string, boolean> = new Map(
  [...TABLE.values()].map(([code, trunkZero]) => [code, trunkZero] as const),
);

/**
 * For international digits (after the `+`), the length of a known calling code at the start whose
 * country dials a trunk "0", if the next digit is that "0" (as in "+44 (0)20 …"); else 0.
 */
export function misplacedTrunkZeroAt(digits: string): number {
  for (let length = 1; length <= 3; length++) {
    // Look the code up only when a "0" follows it (rare): no slicing on the hot path.
    if (digits.charCodeAt(length) !== 0x30) continue;
    if (TRUNK_ZERO_BY_CODE.get(digits.slice(0, length)) === true) return length;
  }
  return 0;
}
