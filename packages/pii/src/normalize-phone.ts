import { callingCodeOf, misplacedTrunkZeroAt } from './calling-codes.js';
import { invalid, type Normalized, valid } from './normalized.js';
import { cleanText, isPrintableAscii } from './text.js';

/** Options of {@link normalizePhone}. */
export interface PhoneOptions {
  /**
   * ISO 3166-1 alpha-2 country (any case) supplying the calling code for numbers written without
   * one, e.g. `'gb'` turns `07911 123456` into `447911123456`.
   */
  country?: string;
}

const LEADING_ZEROS = /^0+/;

/**
 * Normalizes a phone number to E.164 (e.g. `+16505551234`): symbols and letters removed, an
 * international prefix (`+` or `00`) honoured, and for a national number the calling code of
 * `options.country` added (dropping a trunk `0` where that country dials one). Without a country
 * a national number can only be digits (no `+`: the baseline rule), which may not match on
 * platforms that require the country code. Valid results have 7–15 digits (E.164's maximum).
 * Profiles drop the `+` where the platform wants digits only (Meta, Snap).
 *
 * @example
 * ```ts
 * import { normalizePhone } from '@coffer/pii';
 *
 * normalizePhone('+1 (650) 555-1234'); // { ok: true, value: '+16505551234' }
 * normalizePhone('07911 123456', { country: 'GB' }); // { ok: true, value: '+447911123456' }
 * normalizePhone('650.555.1234', { country: 'us' }); // { ok: true, value: '+16505551234' }
 * normalizePhone('650.555.1234'); // { ok: true, value: '6505551234' } (no country known)
 * ```
 */
export function normalizePhone(input: unknown, options: PhoneOptions = {}): Normalized {
  const cleaned = cleanText(input);
  if (!cleaned.ok) return cleaned;
  // NFKC folds full-width digits and plus signs (common from East Asian keyboards) to ASCII.
  const text = isPrintableAscii(cleaned.value) ? cleaned.value : cleaned.value.normalize('NFKC');
  let digits = asciiDigits(text);
  if (digits.length === 0) return invalid('invalid_format');
  let international = text.startsWith('+');
  if (!international && digits.startsWith('00')) {
    international = true;
    digits = digits.slice(2);
  }
  if (international) {
    if (digits.charCodeAt(0) === 0x30) digits = digits.replace(LEADING_ZEROS, '');
  } else {
    const country = typeof options.country === 'string' ? options.country.toLowerCase() : undefined;
    const calling = country === undefined ? undefined : callingCodeOf(country);
    if (calling === undefined) {
      // No country to go by: the baseline, digits only, without leading zeros, and no "+".
      digits = digits.replace(LEADING_ZEROS, '');
      return digits.length >= 7 && digits.length <= 15 ? valid(digits) : invalid('invalid_format');
    }
    if (calling.code === '1') {
      // North American Numbering Plan: 10 national digits, or 11 with the leading 1.
      if (digits.length === 10) digits = `1${digits}`;
      else if (!(digits.length === 11 && digits.startsWith('1'))) return invalid('invalid_format');
    } else if (calling.trunkZero && digits.startsWith('0')) {
      digits = calling.code + digits.replace(LEADING_ZEROS, '');
    } else if (!(digits.startsWith(calling.code) && digits.length >= 11)) {
      // Written without its country code (a number of 11+ digits already starting with the
      // country's code is taken as written with it, minus the "+").
      digits = calling.code + digits;
    }
  }
  // "+44 (0)20 …": the national trunk 0 written after the country code is not dialled. Checked on
  // every international result (however it was written), so normalizing the output again finds
  // nothing to change.
  const at = misplacedTrunkZeroAt(digits);
  if (at > 0) {
    digits = digits.slice(0, at) + digits.slice(at + 1);
    // Those countries' national numbers never start with 0: a second 0 is not a phone number.
    if (digits.charCodeAt(at) === 0x30) return invalid('invalid_format');
  }
  return digits.length >= 7 && digits.length <= 15
    ? valid(`+${digits}`)
    : invalid('invalid_format');
}

/** The ASCII digits of `text`, in order (what `text.replace(/\D/g, '')` gives, without a regex). */
function asciiDigits(text: string): string {
  let digits = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) digits += text[i];
  }
  return digits;
}
