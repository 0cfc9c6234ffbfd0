import {
  allowsNumber,
  type CallingCode,
  callingCodeAt,
  type NumberingPlan,
  planOf,
} from './calling-codes.js';
import { countryOption } from './normalize-country.js';
import { invalid, type Normalized, valid } from './normalized.js';
import { readPhone } from './phone-text.js';
import { cleanText } from './text.js';

/** Options of {@link normalizePhone}. */
export interface PhoneOptions {
  /**
   * The record's country, read as `normalizeCountry` reads it (`'GB'`, `'gb'`, `'UK'`, `'United
   * Kingdom'`), supplying the calling code for numbers written without one: `'gb'` turns
   * `07911 123456` into `+447911123456`. A country that is not recognised counts as none.
   */
  country?: string;
}

/** E.164 allows at most 15 digits after the `+`. */
const E164_MAX = 15;
/** The longest international prefix in the table has 8 digits (Australia's `14xx0011`). */
const IDD_MAX = 8;

/**
 * Normalizes a phone number to E.164 (e.g. `+16505551234`). Never returns a number other than the
 * one written: when the digits cannot be read in exactly one way, the result is `invalid_format`.
 *
 * - Characters: letters, spaces and punctuation are dropped; every Unicode decimal digit counts
 *   with its value (`٥` is 5); any other numeric character (`²`, `①`) makes the value invalid.
 *   An extension (`x 12`, `ext. 12`, `#12`, RFC 3966 `;ext=12`) is cut off, not appended.
 * - International form: a `+` before the first digit (after spaces or opening brackets, so
 *   `(+44) 7911 123456` counts). The calling code must exist and the national significant number
 *   must have a length its first digit allows there (`+91 98765 43210 12` is refused: an Indian
 *   number starting with 9 has 10 digits). A trunk prefix written after the calling code
 *   (`+44 (0)20 …`, `+36 06 30 …`) is dropped for countries whose trunk prefix starts with 0.
 *   `+0…` is invalid.
 * - With `options.country`, the digits are read every way they can be: as a national number (the
 *   trunk prefix, `0` in most countries, `8` in Russia, `06` in Hungary, `1` in the NANP, none in
 *   Italy, dropped when what follows fits), as the country's own number written with its calling
 *   code but no `+` (`447911123456` in GB), and after an international prefix (`00` anywhere;
 *   the country's own, such as `011` in the NANP or `810` in Russia). One reading: that number.
 *   None: `invalid_format` (a malformed national number is never read as a foreign one). Several
 *   different numbers: `invalid_format` (`4915112345678` in Germany could be either), except in
 *   Brazil, where 55 is also an area code and the national reading is taken (`55 99123-4567`).
 * - Without a country, `00` starts an international number; other digits can only be kept as
 *   digits (no `+`, leading zeros removed: the baseline rule), which may not match on platforms
 *   that require the country code.
 *
 * Send phones with their `+` and calling code: nothing else is unambiguous everywhere. Profiles
 * send this form (TikTok, Google) or its digits without the `+` (Meta, Snap). The numbering plans
 * (calling code, trunk prefixes, lengths by first digit, international prefixes) cover every
 * country with a plan of its own; see {@link KNOWN_CALLING_CODE_COUNTRIES}.
 *
 * @example
 * ```ts
 * import { normalizePhone } from '@coffer/pii';
 *
 * normalizePhone('+1 (650) 555-1234'); // { ok: true, value: '+16505551234' }
 * normalizePhone('07911 123456', { country: 'GB' }); // { ok: true, value: '+447911123456' }
 * normalizePhone('8 912 345-67-89', { country: 'ru' }); // { ok: true, value: '+79123456789' }
 * normalizePhone('91 98765 43210', { country: 'in' }); // { ok: true, value: '+919876543210' }
 * normalizePhone('0650 555 1234', { country: 'us' }); // { ok: false, reason: 'invalid_format' }
 * normalizePhone('+1 650 555 1234 ext. 12'); // { ok: true, value: '+16505551234' }
 * normalizePhone('650.555.1234'); // { ok: true, value: '6505551234' } (no country known)
 * ```
 */
export function normalizePhone(input: unknown, options: PhoneOptions = {}): Normalized {
  const cleaned = cleanText(input);
  if (!cleaned.ok) return cleaned;
  const phone = readPhone(cleaned.value);
  if (phone === undefined || phone.digits.length === 0) return invalid('invalid_format');
  const digits = phone.digits;
  if (phone.plus) return international(digits);
  const country = countryOption(options);
  const plan = country === undefined ? undefined : planOf(country);
  if (plan !== undefined) return withCountry(digits, plan);
  if (digits.startsWith('00')) return international(digits.slice(2));
  // No country to go by: the baseline, digits only, without leading zeros, and no "+".
  let start = 0;
  while (digits.charCodeAt(start) === 0x30) start++;
  const bare = digits.slice(start);
  return bare.length >= 7 && bare.length <= E164_MAX ? valid(bare) : invalid('invalid_format');
}

/**
 * A national significant number `nsn` is possible in `plan`: a length its first digit allows, no
 * leading trunk 0, and at most 15 digits with the calling code.
 */
function fits(plan: NumberingPlan, nsn: string): boolean {
  return (
    allowsNumber(plan.calling, nsn) &&
    !(plan.zeroTrunk && nsn.charCodeAt(0) === 0x30) &&
    plan.code.length + nsn.length <= E164_MAX
  );
}

/** The national reading: without the trunk prefix if one is written, else the digits as they are. */
function nationalReading(digits: string, plan: NumberingPlan): string | undefined {
  for (const trunk of plan.trunks) {
    const nsn = digits.slice(trunk.length);
    if (digits.startsWith(trunk) && fits(plan, nsn)) return `+${plan.code}${nsn}`;
  }
  return fits(plan, digits) ? `+${plan.code}${digits}` : undefined;
}

/** Every reading of `digits` given the record's country; exactly one distinct number, or invalid. */
function withCountry(digits: string, plan: NumberingPlan): Normalized {
  let found = nationalReading(digits, plan);
  // The country's own number written with its calling code but no "+".
  if (digits.startsWith(plan.code)) {
    const coded = international(digits);
    if (coded.ok && coded.value !== found) {
      // Brazil: 55 is an area code too, and a national number there always has one (10 or 11
      // digits); the national reading stands, as documented.
      if (found !== undefined && plan.code !== '55') return invalid('invalid_format');
      found ??= coded.value;
    }
  }
  // After an international prefix: "00", and the country's own ("011", "810", "0011", …).
  const prefixes = plan.idd;
  const first = digits[0] ?? '';
  if (first !== '0' && !plan.iddStarts.includes(first)) {
    return found === undefined ? invalid('invalid_format') : valid(found);
  }
  for (let length = 1; length <= IDD_MAX && length < digits.length; length++) {
    const prefix = digits.slice(0, length);
    if (!(length === 2 && prefix === '00') && (prefixes === undefined || !prefixes.test(prefix))) {
      continue;
    }
    const abroad = international(digits.slice(length));
    if (!abroad.ok || abroad.value === found) continue;
    if (found !== undefined) return invalid('invalid_format');
    found = abroad.value;
  }
  return found === undefined ? invalid('invalid_format') : valid(found);
}

/** `digits` after the `+` (or an international prefix): a calling code, then a possible NSN. */
function international(digits: string): Normalized {
  const code: CallingCode | undefined = callingCodeAt(digits);
  if (code === undefined) return invalid('invalid_format');
  let nsn = digits.slice(code.code.length);
  if (code.zeroTrunks.length > 0) {
    // "+44 (0)20 …": the national trunk prefix written after the calling code is not dialled.
    for (const trunk of code.zeroTrunks) {
      if (nsn.startsWith(trunk)) {
        nsn = nsn.slice(trunk.length);
        break;
      }
    }
    // Those countries' national numbers never start with 0: a second 0 is not a phone number.
    if (nsn.charCodeAt(0) === 0x30) return invalid('invalid_format');
  }
  if (!allowsNumber(code, nsn) || code.code.length + nsn.length > E164_MAX) {
    return invalid('invalid_format');
  }
  return valid(`+${code.code}${nsn}`);
}
