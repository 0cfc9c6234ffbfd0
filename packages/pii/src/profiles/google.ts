// Google Ads enhanced conversions / Customer Match user identifiers (UserIdentifier, AddressInfo).
// https://developers.google.com/google-ads/api/docs/conversions/enhanced-conversions/web#normalize_and_hash_user-provided_data
// https://support.google.com/google-ads/answer/7474263 (Customer Match data formatting)
import * as r from './common-rules.js';
import type { PlatformProfile } from './profile.js';

/**
 * Google Ads. E-mail (with Gmail dot removal — Google only), phone (E.164 with `+`), first and last
 * name are SHA-256 hashed; city, state, country code and postal code are sent in clear.
 *
 * @example
 * ```ts
 * import { google, hashUserData } from '@coffer/pii';
 *
 * hashUserData({ email: 'John.Doe@gmail.com' }, { profile: google }).userData.hashed_email;
 * ```
 */
export const google: PlatformProfile = {
  name: 'google',
  fields: {
    email: {
      key: 'hashed_email',
      hashed: true,
      normalize: r.gmailEmail,
      rule: 'trim, lower case; gmail.com/googlemail.com: no dots before @',
    },
    phone: {
      key: 'hashed_phone_number',
      hashed: true,
      normalize: r.phoneE164,
      rule: 'E.164 with +',
    },
    firstName: {
      key: 'hashed_first_name',
      hashed: true,
      normalize: r.googleName,
      rule: 'trim, lower case',
    },
    lastName: {
      key: 'hashed_last_name',
      hashed: true,
      normalize: r.googleName,
      rule: 'trim, lower case',
    },
    city: { key: 'city', hashed: false, normalize: r.plain, rule: 'trim, lower case' },
    state: { key: 'state', hashed: false, normalize: r.state, rule: 'US: 2-letter code' },
    zip: { key: 'postal_code', hashed: false, normalize: r.zip, rule: 'US: 5 digits; no spaces' },
    country: { key: 'country_code', hashed: false, normalize: r.country, rule: 'ISO alpha-2' },
  },
  ipKey: null,
  userAgentKey: null,
  deviceId: null,
  sources: [
    'https://developers.google.com/google-ads/api/docs/conversions/enhanced-conversions/web',
    'https://support.google.com/google-ads/answer/7474263',
  ],
};
