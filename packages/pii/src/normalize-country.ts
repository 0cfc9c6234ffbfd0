// Countries: the record's `country` field, and the `country` option the other normalizers take.
import { ISO_COUNTRIES } from './iso-countries.js';
import { invalid, type Normalized, valid } from './normalized.js';
import { cleanText, lettersAndDigits, lower } from './text.js';

/** Lookup tables are Maps: user text such as "__proto__" must never reach an object's prototype. */
const COUNTRY_ALIASES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    uk: 'gb',
    usa: 'us',
    unitedstates: 'us',
    unitedstatesofamerica: 'us',
    unitedkingdom: 'gb',
    greatbritain: 'gb',
    deutschland: 'de',
    germany: 'de',
    france: 'fr',
    canada: 'ca',
  }),
);

/**
 * A country as a lower-case ISO 3166-1 alpha-2 code. Two-letter input must be an officially
 * assigned code (`zz` is refused); `uk` and a few common names are mapped (`"United States"`,
 * `"U.S.A."` → `us`; `uk`, `"United Kingdom"` → `gb`); full-width letters typed by an East Asian
 * input method count as letters (`ＪＰ` → `jp`); anything else is `invalid_format`.
 *
 * @example
 * ```ts
 * import { normalizeCountry } from '@coffer/pii';
 *
 * normalizeCountry(' US '); // { ok: true, value: 'us' }
 * normalizeCountry('United Kingdom'); // { ok: true, value: 'gb' }
 * normalizeCountry('ZZ'); // { ok: false, reason: 'invalid_format' }
 * ```
 */
export function normalizeCountry(input: unknown): Normalized {
  const cleaned = cleanText(input);
  if (!cleaned.ok) return cleaned;
  const letters = lettersAndDigits(lower(cleaned.value));
  const value = COUNTRY_ALIASES.get(letters) ?? letters;
  return ISO_COUNTRIES.has(value) ? valid(value) : invalid('invalid_format');
}

/**
 * The `country` of a normalizer's options, read as {@link normalizeCountry} reads a record's
 * country (`'GB'`, `'uk'`, `'United Kingdom'`, `'ＧＢ'`): a lower-case alpha-2 code, or `undefined`
 * when the options are not an object or the country is missing or not recognised (then the value
 * is normalized as without a country, as `hashUserData` does with an invalid record country).
 */
export function countryOption(options: unknown): string | undefined {
  if (typeof options !== 'object' || options === null) return undefined;
  const country: unknown = (options as { country?: unknown }).country;
  if (typeof country !== 'string') return undefined;
  // Hot path: hashUserData passes the lower-case code it has already checked.
  if (country.length === 2 && ISO_COUNTRIES.has(country)) return country;
  const resolved = normalizeCountry(country);
  return resolved.ok ? resolved.value : undefined;
}

/**
 * A country given by the developer (`defaultCountry`): exactly an officially assigned ISO 3166-1
 * alpha-2 code, any case, surrounding spaces allowed; names and aliases (`'UK'`, `'USA'`) are not
 * accepted there. `undefined` when it is not one.
 */
export function isoCountryCode(input: unknown): string | undefined {
  if (typeof input !== 'string') return undefined;
  const code = input.trim();
  if (!/^[A-Za-z]{2}$/.test(code)) return undefined;
  const lowered = code.toLowerCase();
  return ISO_COUNTRIES.has(lowered) ? lowered : undefined;
}
