// Google's field rules that no other platform shares: the address fields Google takes in clear
// and its name rules. Each is pure, total and idempotent.
// Sources: https://developers.google.com/data-manager/api/devguides/concepts/formatting and Google's
// own formatter, https://github.com/googleads/data-manager-node/blob/main/util/src/formatter.ts
// (formatCity, formatAdministrativeArea, formatPostalCode, formatRegionCode).
import { normalizeCountry } from '../normalize-country.js';
import { normalizeNameForGoogle } from '../normalize-fields.js';
import { invalid, type Normalized, valid } from '../normalized.js';
import { cleanText, lower, nfc, upper } from '../text.js';
import type { FieldContext } from './profile.js';

type Normalizer = (value: unknown, context: FieldContext) => Normalized;

export const givenName: Normalizer = (value) => normalizeNameForGoogle(value, { part: 'given' });
export const familyName: Normalizer = (value) => normalizeNameForGoogle(value, { part: 'family' });

// Google's formatter removes "all punctuation and special characters, leaving only alphanumeric
// characters and whitespace".
const NOT_WORD = /[^\p{L}\p{M}\p{N}\s]/gu;
const SPACES = /\s+/gu;

/**
 * City or state in clear: lower case, punctuation and symbols removed, whitespace collapsed, NFC
 * (again after each removal, like every rule here, so a second pass changes nothing).
 */
export const placeInClear: Normalizer = (value) => {
  const cleaned = cleanText(value);
  if (!cleaned.ok) return cleaned;
  // NFC again after the removal: "dr.\u0301" loses its "." and r + U+0301 must compose to ŕ.
  const place = nfc(lower(cleaned.value).replace(NOT_WORD, '').replace(SPACES, ' ').trim());
  return place.length === 0 ? invalid('invalid_format') : valid(place);
};

/**
 * Postal code in clear, as written: "Both US and international zip and postal codes are allowed"
 * (ZIP+4 "may improve your match rate"), so nothing is cut off. Trimmed, whitespace collapsed,
 * upper-cased (`sw1a 1aa` and `SW1A 1AA` are one code).
 */
export const postalCodeInClear: Normalizer = (value) => {
  const cleaned = cleanText(value);
  if (!cleaned.ok) return cleaned;
  return valid(upper(nfc(cleaned.value.replace(SPACES, ' '))));
};

/** ISO 3166-1 alpha-2 in clear, upper case (`US`), as Google's formatter returns it. */
export const regionCode: Normalizer = (value) => {
  const country = normalizeCountry(value);
  return country.ok ? valid(country.value.toUpperCase()) : country;
};
