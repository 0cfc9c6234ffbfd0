// Normalizers for the remaining fields. Each is pure, total and idempotent, and never throws.
import { countryOption } from './normalize-country.js';
import { invalid, type Normalized, valid } from './normalized.js';
import { cleanId, cleanText, lettersAndDigits, lettersOnly, lower, nfc } from './text.js';

/** Lookup tables are Maps: user text such as "__proto__" must never reach an object's prototype. */
function table(entries: Record<string, string>): ReadonlyMap<string, string> {
  return new Map(Object.entries(entries));
}

function cleanedLower(input: unknown): Normalized {
  const cleaned = cleanText(input);
  return cleaned.ok ? valid(lower(cleaned.value)) : cleaned;
}

function nonEmpty(value: string): Normalized {
  return value.length === 0 ? invalid('invalid_format') : valid(value);
}

/**
 * A first or last name for Meta, TikTok and Snap: lower case, letters and digits of any script
 * only (spaces, punctuation and symbols removed; accents kept, as UTF-8).
 *
 * @example
 * ```ts
 * import { normalizeName } from '@coffer/pii';
 *
 * normalizeName("  O'Brien-Smith "); // { ok: true, value: 'obriensmith' }
 * normalizeName('José'); // { ok: true, value: 'josé' }
 * ```
 */
export function normalizeName(input: unknown): Normalized {
  const base = cleanedLower(input);
  return base.ok ? nonEmpty(lettersAndDigits(base.value)) : base;
}

const INNER_SPACE = /\s+/gu;
// Google's own formatter (googleads/data-manager-node, util/src/formatter.ts, formatGivenName and
// formatFamilyName): a leading "mr.", "mrs.", "ms." or "dr." is not part of a given name; a trailing
// ", jr.", " sr.", " 2nd", " iii", " phd", … is not part of a family name. The formatter's
// patterns are /^(?:mr|mrs|ms|dr)\.(?:\s+|$)/ and
// /(?:,\s*|\s+)(?:jr\.?|sr\.?|2nd|3rd|ii|iii|iv|v|vi|cpa|dc|dds|vm|jd|md|phd)\s?$/, applied here until
// none is left by index scans: repeating the regular expressions took quadratic time on
// "a jr jr jr …".
const TITLES = ['mr.', 'mrs.', 'ms.', 'dr.'];
const SUFFIXES = [
  'jr.',
  'jr',
  'sr.',
  'sr',
  '2nd',
  '3rd',
  'ii',
  'iii',
  'iv',
  'v',
  'vi',
  'cpa',
  'dc',
  'dds',
  'vm',
  'jd',
  'md',
  'phd',
];

/** Options of {@link normalizeNameForGoogle}. */
export interface GoogleNameOptions {
  /** `'given'` drops a title before the name (`Mr.`), `'family'` a suffix after it (`Jr.`). */
  part?: 'given' | 'family';
}

/**
 * A first or last name for Google: lower case, trimmed, inner whitespace collapsed to one space,
 * punctuation kept (`quinn-alex`), and — Google: "Don't include prefixes such as Mrs." / "Don't
 * include suffixes such as Jr." — a title removed from a given name and suffixes from a family name,
 * with the lists Google's own formatter uses. A name that is nothing but a title or suffix is
 * `invalid_format`.
 *
 * @example
 * ```ts
 * import { normalizeNameForGoogle } from '@coffer/pii';
 *
 * normalizeNameForGoogle('  Mary   Ann '); // { ok: true, value: 'mary ann' }
 * normalizeNameForGoogle(' Mr. Alex ', { part: 'given' }); // { ok: true, value: 'alex' }
 * normalizeNameForGoogle('Quinn, Jr.', { part: 'family' }); // { ok: true, value: 'quinn' }
 * ```
 */
export function normalizeNameForGoogle(
  input: unknown,
  options: GoogleNameOptions = {},
): Normalized {
  const base = cleanedLower(input);
  if (!base.ok) return base;
  // Trimmed, and every run of whitespace is now one space.
  const name = base.value.replace(INNER_SPACE, ' ');
  const part = typeof options === 'object' && options !== null ? options.part : undefined;
  // Removed until none is left, so that normalizing the result again changes nothing.
  const start = part === 'given' ? afterTitles(name) : 0;
  const end = part === 'family' ? beforeSuffixes(name) : name.length;
  // NFC again: removing spaces or an affix can bring a letter and a combining mark together.
  return nonEmpty(nfc(name.slice(start, end)));
}

/** Where `name` starts once every leading title ("mr." followed by a space or the end) is gone. */
function afterTitles(name: string): number {
  let start = 0;
  for (let found = true; found; ) {
    found = false;
    for (const title of TITLES) {
      const after = start + title.length;
      if (name.startsWith(title, start) && (after === name.length || name[after] === ' ')) {
        start = after === name.length ? after : after + 1;
        found = true;
        break;
      }
    }
  }
  return start;
}

/**
 * Where `name` ends once every trailing suffix is gone: a suffix at the very end, after a comma
 * (and any spaces) or after spaces, is removed with that separator and any spaces before it.
 */
function beforeSuffixes(name: string): number {
  let end = name.length;
  for (let found = true; found; ) {
    found = false;
    for (const suffix of SUFFIXES) {
      const at = end - suffix.length;
      if (at < 0 || !name.startsWith(suffix, at)) continue;
      let separator = at;
      while (separator > 0 && name[separator - 1] === ' ') separator--;
      if (separator > 0 && name[separator - 1] === ',') separator--;
      else if (separator === at) continue; // glued to the word before: "boardds" keeps its "dds"
      end = separator;
      while (end > 0 && name[end - 1] === ' ') end--;
      found = true;
      break;
    }
  }
  return end;
}

// YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD (one separator throughout) or YYYYMMDD, optionally followed by
// an ISO 8601 / RFC 3339 time of day (hours 00-23, minutes 00-59, seconds 00-60 for a leap second)
// and offset (hours 00-23); nothing else after it: "T99:99" is not a time.
const DATE =
  /^(\d{4})([-/.]?)(\d{2})\2(\d{2})(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::(?:[0-5]\d|60)(?:\.\d{1,9})?)?(?:Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?)?$/;

/** The earliest time zone is UTC+14: a birth "today" there is still tomorrow in UTC. */
const EARLIEST_OFFSET_MS = 14 * 60 * 60 * 1000;

/**
 * A date of birth as `YYYYMMDD` from `YYYY-MM-DD`, `YYYY/MM/DD`, `YYYY.MM.DD`, `YYYYMMDD` or an ISO
 * date-time. The date must exist (leap years included), lie in 1900 or later (Meta: "from 1900 to
 * current year") and not after today (in the earliest time zone, UTC+14). Trailing text, day-first
 * and month-first forms are refused: `03/04/1990` is ambiguous.
 *
 * @example
 * ```ts
 * import { normalizeDateOfBirth } from '@coffer/pii';
 *
 * normalizeDateOfBirth('1990-02-28'); // { ok: true, value: '19900228' }
 * normalizeDateOfBirth('1990-02-30'); // { ok: false, reason: 'invalid_format' }
 * normalizeDateOfBirth('1990-02-28 is my birthday'); // { ok: false, reason: 'invalid_format' }
 * ```
 */
export function normalizeDateOfBirth(input: unknown): Normalized {
  const cleaned = cleanText(input);
  if (!cleaned.ok) return cleaned;
  const match = DATE.exec(cleaned.value);
  if (match === null) return invalid('invalid_format');
  const [, y = '', , m = '', d = ''] = match;
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (
    year < 1900 ||
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    date.getTime() > Date.now() + EARLIEST_OFFSET_MS
  ) {
    return invalid('invalid_format');
  }
  return valid(`${y}${m}${d}`);
}

const GENDERS: ReadonlyMap<string, string> = table({
  f: 'f',
  female: 'f',
  woman: 'f',
  w: 'f',
  m: 'm',
  male: 'm',
  man: 'm',
});

/**
 * Gender as the platforms take it: `f` or `m` (from `f`, `female`, `woman`, `m`, `male`, `man`, any
 * case). Anything else is `invalid_format` and is left out rather than guessed.
 *
 * @example
 * ```ts
 * import { normalizeGender } from '@coffer/pii';
 *
 * normalizeGender(' Female '); // { ok: true, value: 'f' }
 * ```
 */
export function normalizeGender(input: unknown): Normalized {
  const base = cleanedLower(input);
  if (!base.ok) return base;
  const value = GENDERS.get(base.value);
  return value === undefined ? invalid('invalid_format') : valid(value);
}

/**
 * A city for Meta and Snap: lower case, letters of any script only: spaces, punctuation, symbols
 * and digits removed (`"New York"` → `newyork`), as Meta asks ("no punctuation, no special
 * characters, and no spaces") and as `facebook-nodejs-business-sdk` does (it strips digits too).
 *
 * @example
 * ```ts
 * import { normalizeCity } from '@coffer/pii';
 *
 * normalizeCity('San Francisco'); // { ok: true, value: 'sanfrancisco' }
 * normalizeCity('Paris 75015'); // { ok: true, value: 'paris' }
 * ```
 */
export function normalizeCity(input: unknown): Normalized {
  const base = cleanedLower(input);
  return base.ok ? nonEmpty(lettersOnly(base.value)) : base;
}

// US states and DC by name (letters only, lower case) → USPS code, so "New York" and "NY" agree.
const US_STATES: ReadonlyMap<string, string> = table({
  alabama: 'al',
  alaska: 'ak',
  arizona: 'az',
  arkansas: 'ar',
  california: 'ca',
  colorado: 'co',
  connecticut: 'ct',
  delaware: 'de',
  districtofcolumbia: 'dc',
  florida: 'fl',
  georgia: 'ga',
  hawaii: 'hi',
  idaho: 'id',
  illinois: 'il',
  indiana: 'in',
  iowa: 'ia',
  kansas: 'ks',
  kentucky: 'ky',
  louisiana: 'la',
  maine: 'me',
  maryland: 'md',
  massachusetts: 'ma',
  michigan: 'mi',
  minnesota: 'mn',
  mississippi: 'ms',
  missouri: 'mo',
  montana: 'mt',
  nebraska: 'ne',
  nevada: 'nv',
  newhampshire: 'nh',
  newjersey: 'nj',
  newmexico: 'nm',
  newyork: 'ny',
  northcarolina: 'nc',
  northdakota: 'nd',
  ohio: 'oh',
  oklahoma: 'ok',
  oregon: 'or',
  pennsylvania: 'pa',
  rhodeisland: 'ri',
  southcarolina: 'sc',
  southdakota: 'sd',
  tennessee: 'tn',
  texas: 'tx',
  utah: 'ut',
  vermont: 'vt',
  virginia: 'va',
  washington: 'wa',
  westvirginia: 'wv',
  wisconsin: 'wi',
  wyoming: 'wy',
});

/** Options of {@link normalizeState}. */
export interface StateOptions {
  /**
   * Country of the address, if known, read as `normalizeCountry` reads it (`'US'`, `'us'`, `'USA'`);
   * a country that is not recognised counts as none.
   */
  country?: string;
}

/**
 * A state or region: lower case, letters only (Meta: "no punctuation, no special characters, and no
 * spaces"; digits go too, as in `facebook-nodejs-business-sdk`). A US state written out becomes
 * its two-letter code (`"New York"` → `ny`, as Meta asks for ANSI abbreviations) only when the
 * address is in the US or its country is unknown: `Georgia` in Georgia (`GE`) stays `georgia`.
 *
 * @example
 * ```ts
 * import { normalizeState } from '@coffer/pii';
 *
 * normalizeState('California'); // { ok: true, value: 'ca' }
 * normalizeState('Georgia', { country: 'GE' }); // { ok: true, value: 'georgia' }
 * normalizeState('Île-de-France'); // { ok: true, value: 'îledefrance' }
 * ```
 */
export function normalizeState(input: unknown, options: StateOptions = {}): Normalized {
  const base = cleanedLower(input);
  if (!base.ok) return base;
  const value = lettersOnly(base.value);
  if (value.length === 0) return invalid('invalid_format');
  const country = countryOption(options);
  if (country !== undefined && country !== 'us') return valid(value);
  return valid(US_STATES.get(value) ?? value);
}

/** Options of {@link normalizeZip}. */
export interface ZipOptions {
  /**
   * Country of the address, if known, read as `normalizeCountry` reads it (`'GB'`, `'UK'`, `'United
   * Kingdom'`); a country that is not recognised counts as none.
   */
  country?: string;
}

const US_ZIP = /^(\d{5})(?:\d{4})?$/;
const UK_POSTCODE = /^([a-z]{1,2}\d[a-z\d]?)(\d)[a-z]{2}$/;

/**
 * A postal code: lower case, no spaces or dashes. US ZIP codes keep their first five digits (ZIP+4
 * dropped); UK postcodes keep area, district and sector (the last two characters, the unit, are
 * dropped), both as Meta specifies. Without a country, a 5- or 9-digit code is taken as a US ZIP.
 *
 * @example
 * ```ts
 * import { normalizeZip } from '@coffer/pii';
 *
 * normalizeZip('94025-1234'); // { ok: true, value: '94025' }
 * normalizeZip('SW1A 1AA', { country: 'gb' }); // { ok: true, value: 'sw1a1' }
 * ```
 */
export function normalizeZip(input: unknown, options: ZipOptions = {}): Normalized {
  const base = cleanedLower(input);
  if (!base.ok) return base;
  const value = lettersAndDigits(base.value);
  if (value.length === 0) return invalid('invalid_format');
  const country = countryOption(options);
  const us = US_ZIP.exec(value);
  if ((country === 'us' || country === undefined) && us !== null) return valid(us[1] ?? value);
  if (country === 'us') return invalid('invalid_format');
  if (country === 'gb') {
    // Outward code and the inward code's sector digit; the unit letters go. Idempotent: a code
    // already in sector form does not match the full pattern and is kept.
    const full = UK_POSTCODE.exec(value);
    if (full !== null) return valid(`${full[1] ?? ''}${full[2] ?? ''}`);
  }
  return valid(value);
}

/**
 * An external (your own) user id: trimmed, NFC, invisible characters removed. Case and width are
 * kept, by design (`ＡＢＣ` is not folded to `ABC`, unlike in the other fields): ids are case-sensitive (`User-42` and `user-42` are two users), as TikTok's own
 * server-side tag hashes them (it lower-cases e-mail and phone, not `external_id`). Send the id the
 * same way everywhere, or lower-case it yourself if your ids are case-insensitive.
 *
 * @example
 * ```ts
 * import { normalizeExternalId } from '@coffer/pii';
 *
 * normalizeExternalId(' user-42 '); // { ok: true, value: 'user-42' }
 * ```
 */
export function normalizeExternalId(input: unknown): Normalized {
  return cleanId(input);
}
