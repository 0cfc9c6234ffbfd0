import {
  allowsLength,
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

/**
 * Normalizes a phone number to E.164 (e.g. `+16505551234`). Never returns a number other than the
 * one written: when the digits cannot be read unambiguously, the result is `invalid_format`.
 *
 * - Characters: letters, spaces and punctuation are dropped; every Unicode decimal digit counts
 *   with its value (`٥` is 5); any other numeric character (`²`, `①`) makes the value invalid.
 *   An extension (`x 12`, `ext. 12`, `#12`, RFC 3966 `;ext=12`) is cut off, not appended.
 * - International form: a `+` before the first digit (after spaces or opening brackets, so
 *   `(+44) 7911 123456` counts), or `00`. The calling code must exist and the national part must
 *   have a length that country allows. A trunk prefix written after the calling code
 *   (`+44 (0)20 …`, `+36 06 30 …`) is dropped for countries whose trunk prefix starts with 0.
 * - National form, with `options.country`: the country's trunk prefix (`0` in most countries, `8`
 *   in Russia, `06` in Hungary, `1` in the NANP; none in Italy or Spain) is dropped when what
 *   follows has a valid national length, and the calling code is added. A number already starting
 *   with the calling code is taken as written with it only when its length is too long to be a
 *   national number there (`447911123456` in GB), never when both readings fit (`55 99123-4567`
 *   in Brazil, where 55 is also an area code, stays national). Digits that fit no national reading
 *   but form a valid international number are taken as one written without its `+`.
 * - Without a country, a national number can only be digits (no `+`, leading zeros removed: the
 *   baseline rule), which may not match on platforms that require the country code.
 *
 * Profiles send this form (TikTok, Google) or its digits without the `+` (Meta, Snap). The numbering
 * plans (calling code, trunk prefixes, national lengths) cover every country with a plan of its
 * own; see {@link KNOWN_CALLING_CODE_COUNTRIES}.
 *
 * @example
 * ```ts
 * import { normalizePhone } from '@coffer/pii';
 *
 * normalizePhone('+1 (650) 555-1234'); // { ok: true, value: '+16505551234' }
 * normalizePhone('07911 123456', { country: 'GB' }); // { ok: true, value: '+447911123456' }
 * normalizePhone('8 912 345-67-89', { country: 'ru' }); // { ok: true, value: '+79123456789' }
 * normalizePhone('+1 650 555 1234 ext. 12'); // { ok: true, value: '+16505551234' }
 * normalizePhone('650.555.1234'); // { ok: true, value: '6505551234' } (no country known)
 * ```
 */
export function normalizePhone(input: unknown, options: PhoneOptions = {}): Normalized {
  const cleaned = cleanText(input);
  if (!cleaned.ok) return cleaned;
  const phone = readPhone(cleaned.value);
  if (phone === undefined || phone.digits.length === 0) return invalid('invalid_format');
  let digits = phone.digits;
  if (phone.plus) return international(digits);
  if (digits.startsWith('00')) return international(digits.slice(2));
  const country = countryOption(options);
  const plan = country === undefined ? undefined : planOf(country);
  if (plan === undefined) {
    // No country to go by: the baseline, digits only, without leading zeros, and no "+".
    let start = 0;
    while (digits.charCodeAt(start) === 0x30) start++;
    digits = digits.slice(start);
    return digits.length >= 7 && digits.length <= E164_MAX
      ? valid(digits)
      : invalid('invalid_format');
  }
  // The NANP's international prefix is 011, not 00.
  if (plan.code === '1' && digits.startsWith('011')) return international(digits.slice(3));
  return national(digits, plan);
}

/** A national significant number `nsn` is possible in `plan`: its length, and no leading trunk 0. */
function fits(plan: NumberingPlan, nsn: string): boolean {
  return allowsLength(plan.lengths, nsn.length) && !(plan.zeroTrunk && nsn.charCodeAt(0) === 0x30);
}

function national(digits: string, plan: NumberingPlan): Normalized {
  // 1. Written with the trunk prefix: "07911 123456", "8 912 345-67-89", "06 30 123 4567".
  for (const trunk of plan.trunks) {
    if (digits.startsWith(trunk) && fits(plan, digits.slice(trunk.length))) {
      return international(plan.code + digits.slice(trunk.length));
    }
  }
  // 2. The national significant number itself.
  if (fits(plan, digits)) return international(plan.code + digits);
  // 3. Written with the calling code but no "+" (unambiguous: too long for a national number).
  if (digits.startsWith(plan.code)) {
    const rest = digits.slice(plan.code.length);
    if (fits(plan, rest)) return international(digits);
    for (const trunk of plan.trunks) {
      if (rest.startsWith(trunk) && fits(plan, rest.slice(trunk.length))) {
        return international(plan.code + rest.slice(trunk.length));
      }
    }
  }
  // 4. No national reading: an international number written without its "+", or nothing.
  return international(digits);
}

/** `digits` after the `+` (or `00`): calling code, then a national number of an allowed length. */
function international(digits: string): Normalized {
  let start = 0;
  while (digits.charCodeAt(start) === 0x30) start++;
  const number = start === 0 ? digits : digits.slice(start);
  const code: CallingCode | undefined = callingCodeAt(number);
  if (code === undefined) return invalid('invalid_format');
  let nsn = number.slice(code.code.length);
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
  if (!allowsLength(code.lengths, nsn.length) || code.code.length + nsn.length > E164_MAX) {
    return invalid('invalid_format');
  }
  return valid(`+${code.code}${nsn}`);
}
