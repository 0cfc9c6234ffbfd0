import {
  allowsNumber,
  argentineMobile,
  type CallingCode,
  callingCodeAt,
  DIALLED_PREFIXES_AFTER_00,
  type NumberingPlan,
  PLANS_WITH_ZERO_NUMBERS,
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
 *   (`+44 (0)20 …`, `+36 06 30 …`) is dropped for countries whose trunk prefix starts with 0,
 *   except before the numbers there that start with 0 as dialled (Japan's `+81 0066 33 123456`).
 *   Argentina's national mobile form after the calling code (`+54 11 15 2345 6789`) is read as
 *   `+5491123456789`. `+0…` is invalid.
 * - With `options.country`, the digits are read every way they can be: as a national number (the
 *   trunk prefix, `0` in most countries, `8` in Russia, `06` in Hungary, `1` in the NANP, none in
 *   Italy, dropped when what follows fits), as the country's own number written with its calling
 *   code but no `+` (`447911123456` in GB), and after an international prefix (`00` anywhere;
 *   the country's own, such as `011` in the NANP or `810` in Russia). National numbers include
 *   those that start with 0 as dialled (Japan's `0066-33-123456` freephone numbers: where `00` is
 *   not the country's prefix, such digits do not lead abroad) and Argentina's mobile form
 *   `011 15-2345-6789` (`+5491123456789`). One reading: that number.
 *   None: `invalid_format` (a malformed national number is never read as a foreign one). Several
 *   different numbers: `invalid_format` (`4915112345678` in Germany could be either), except in
 *   Brazil, where 55 is also an area code and the national reading is taken when a subscriber
 *   number follows it (`55 99123-4567`).
 * - Without a country, `00` starts an international number when the digits read one way: the
 *   prefix may also have been a longer one dialled somewhere (`000`, `001`, `0011`, `009`), so
 *   `009 1 802 885 5193` (+91… after `00`, +1… after Nigeria's `009`) is `invalid_format`, and
 *   so are digits that are a national number as dialled in a country whose trunk prefix is 0
 *   (`0066 33 123456`: a Japanese freephone number, or a Thai one). Other digits can only be kept
 *   as digits (no `+`, leading zeros removed: the baseline rule), which may not match on platforms
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
 * normalizePhone('011 15-2345-6789', { country: 'ar' }); // { ok: true, value: '+5491123456789' }
 * normalizePhone('0066-33-123456', { country: 'jp' }); // { ok: true, value: '+81006633123456' }
 * normalizePhone('0044 7911 123456'); // { ok: true, value: '+447911123456' }
 * normalizePhone('009 1 802 885 5193'); // { ok: false, reason: 'invalid_format' } (009 or 00?)
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
  if (digits.startsWith('00')) return withoutCountry(digits);
  // No country to go by: the baseline, digits only, without leading zeros, and no "+".
  let start = 0;
  while (digits.charCodeAt(start) === 0x30) start++;
  const bare = digits.slice(start);
  return bare.length >= 7 && bare.length <= E164_MAX ? valid(bare) : invalid('invalid_format');
}

/**
 * A national significant number `nsn` is possible in `plan`: a length its first digit allows, at
 * most 15 digits with the calling code, and, where the trunk prefix is 0, no leading 0 unless the
 * plan has such numbers (Japan's `0066…` freephone numbers, dialled as written).
 */
function fits(plan: NumberingPlan, nsn: string): boolean {
  if (!allowsNumber(plan.calling, nsn) || plan.code.length + nsn.length > E164_MAX) return false;
  if (!plan.zeroTrunk || nsn.charCodeAt(0) !== 0x30) return true;
  return plan.zeroNumbers?.test(nsn) === true;
}

/**
 * Whether `digits` are, as written, one of the plan's national numbers that start with 0 despite a
 * trunk 0 (Japan's 0066…), even one too long for E.164 (Uruguay's 0004… has up to 13 digits).
 */
function isZeroNumber(plan: NumberingPlan, digits: string): boolean {
  return plan.zeroNumbers?.test(digits) === true && allowsNumber(plan.calling, digits);
}

/** The national reading: without the trunk prefix if one is written, else the digits as they are. */
function nationalReading(digits: string, plan: NumberingPlan): string | undefined {
  for (const trunk of plan.trunks) {
    const nsn = digits.slice(trunk.length);
    if (digits.startsWith(trunk) && fits(plan, nsn)) return `+${plan.code}${nsn}`;
  }
  if (fits(plan, digits)) return `+${plan.code}${digits}`;
  if (plan.code === '54') {
    // Argentina's mobile numbers written the national way: (0) area code, 15, subscriber number.
    const mobile = argentineMobile(digits.charCodeAt(0) === 0x30 ? digits.slice(1) : digits);
    if (mobile !== undefined) return `+54${mobile}`;
  }
  return undefined;
}

/**
 * Whether `national` is +55, area code 55, then a subscriber number: 8 digits starting with 2-5
 * (fixed line) or 7, or 9 digits starting with 9 (mobile), as libphonenumber's Brazilian fixed-line
 * and mobile patterns have them. `55 800 95 9869` (0800 95 9869 written with the calling code) is
 * not one: 800… follows no area code.
 */
function isBrazilianArea55(national: string | undefined): boolean {
  if (national === undefined || !national.startsWith('+5555')) return false;
  const subscriber = national.slice(5);
  const first = subscriber.charCodeAt(0);
  return subscriber.length === 8
    ? (first >= 0x32 && first <= 0x35) || first === 0x37
    : subscriber.length === 9 && first === 0x39;
}

/** Exactly one distinct reading: that number; none or several: invalid. */
function onlyReading(readings: ReadonlySet<string>): Normalized {
  if (readings.size !== 1) return invalid('invalid_format');
  const [only = ''] = readings;
  return valid(only);
}

/** Every reading of `digits` given the record's country; exactly one distinct number, or invalid. */
function withCountry(digits: string, plan: NumberingPlan): Normalized {
  const readings = new Set<string>();
  const national = nationalReading(digits, plan);
  if (national !== undefined) readings.add(national);
  // The country's own number written with its calling code but no "+".
  if (digits.startsWith(plan.code)) {
    const coded = international(digits);
    // Brazil: 55 is an area code too; when what follows it is a subscriber number, the national
    // reading stands, as documented.
    if (coded.ok && !(plan.code === '55' && isBrazilianArea55(national))) readings.add(coded.value);
  }
  // After an international prefix: "00" anywhere (the ITU's recommended prefix, what Meta's and
  // Snap's rules strip), and the country's own ("011", "810", "0011", …). Where "00" is not the
  // country's own (Japan dials 010), digits that are a national number there as written (Japan's
  // 0066… freephone numbers) are that number: "00" does not lead abroad from there.
  const prefixes = plan.idd;
  const first = digits[0] ?? '';
  if (first !== '0' && !plan.iddStarts.includes(first)) return onlyReading(readings);
  const foreign00 =
    prefixes !== undefined &&
    digits.startsWith('00') &&
    !prefixes.test('00') &&
    (national !== undefined || isZeroNumber(plan, digits));
  for (let length = 1; length <= IDD_MAX && length < digits.length; length++) {
    const prefix = digits.slice(0, length);
    const own = prefixes?.test(prefix) === true;
    if (!own && (prefix !== '00' || foreign00)) continue;
    const abroad = international(digits.slice(length));
    if (abroad.ok) readings.add(abroad.value);
  }
  return onlyReading(readings);
}

/**
 * Without a country, digits starting with `00`: the number after the international prefix when
 * exactly one prefix gives one. The country the number was dialled from is not known, so besides
 * `00` every longer prefix dialled somewhere that the digits start with counts (Nigeria's `009`,
 * Mongolia's `001`, Australia's `0011`, Kenya's `000`): `009 1 802 885 5193` reads as +91… after
 * `00` and as +1… after `009`, and is refused. So are digits that are a national number as
 * written in a country whose trunk prefix is 0 (Japan's `0066 33 123456` is no Thai number).
 */
function withoutCountry(digits: string): Normalized {
  if (PLANS_WITH_ZERO_NUMBERS.some((plan) => isZeroNumber(plan, digits))) {
    return invalid('invalid_format');
  }
  const readings = new Set<string>();
  const after00 = international(digits.slice(2));
  if (after00.ok) readings.add(after00.value);
  for (const prefix of DIALLED_PREFIXES_AFTER_00) {
    if (!digits.startsWith(prefix)) continue;
    const abroad = international(digits.slice(prefix.length));
    if (abroad.ok) readings.add(abroad.value);
  }
  return onlyReading(readings);
}

/** `digits` after the `+` (or an international prefix): a calling code, then a possible NSN. */
function international(digits: string): Normalized {
  const code: CallingCode | undefined = callingCodeAt(digits);
  if (code === undefined) return invalid('invalid_format');
  let nsn = digits.slice(code.code.length);
  const length = code.code.length + nsn.length;
  if (code.zeroNumbers?.test(nsn) === true && allowsNumber(code, nsn) && length <= E164_MAX) {
    // A number that starts with 0 as dialled in its country (Japan's 0066…), not a trunk prefix.
    return valid(`+${code.code}${nsn}`);
  }
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
  // "+54 11 15 1234 5678": Argentina's national mobile form after the calling code.
  if (code.code === '54') nsn = argentineMobile(nsn) ?? nsn;
  if (!allowsNumber(code, nsn) || code.code.length + nsn.length > E164_MAX) {
    return invalid('invalid_format');
  }
  return valid(`+${code.code}${nsn}`);
}
