// Field rules shared by several profiles.
import { normalizeCountry } from '../normalize-country.js';
import { normalizeEmail, normalizeEmailForGoogle } from '../normalize-email.js';
import {
  normalizeCity,
  normalizeDateOfBirth,
  normalizeExternalId,
  normalizeGender,
  normalizeName,
  normalizeState,
  normalizeZip,
} from '../normalize-fields.js';
import { normalizePhone } from '../normalize-phone.js';
import { invalid, type Normalized } from '../normalized.js';
import type { FieldContext } from './profile.js';

type Normalizer = (value: unknown, context: FieldContext) => Normalized;

export const email: Normalizer = (value) => normalizeEmail(value);
export const gmailEmail: Normalizer = (value) => normalizeEmailForGoogle(value);

/** E.164 with the `+` (TikTok, Google). A number without a known country code is refused. */
export const phoneE164: Normalizer = (value, context) => {
  const phone = normalizePhone(
    value,
    context.country === undefined ? {} : { country: context.country },
  );
  if (!phone.ok) return phone;
  return phone.value.startsWith('+') ? phone : invalid('invalid_format');
};

/**
 * E.164 (Meta, Snap, storage), or digits only when no country is known (the baseline); sent
 * without the `+` by {@link withoutPlus}.
 */
export const phone: Normalizer = (value, context) =>
  normalizePhone(value, context.country === undefined ? {} : { country: context.country });

/** The wire form of a phone for Meta and Snap: digits with the country code, no `+`. */
export const withoutPlus = (normalized: string): string =>
  normalized.startsWith('+') ? normalized.slice(1) : normalized;

export const name: Normalizer = (value) => normalizeName(value);
export const dateOfBirth: Normalizer = (value) => normalizeDateOfBirth(value);
export const gender: Normalizer = (value) => normalizeGender(value);
export const city: Normalizer = (value) => normalizeCity(value);
export const state: Normalizer = (value, context) =>
  normalizeState(value, context.country === undefined ? {} : { country: context.country });
export const zip: Normalizer = (value, context) =>
  normalizeZip(value, context.country === undefined ? {} : { country: context.country });
export const country: Normalizer = (value) => normalizeCountry(value);
export const externalId: Normalizer = (value) => normalizeExternalId(value);
