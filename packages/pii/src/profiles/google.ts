// Google Ads enhanced conversions / Customer Match user identifiers (UserIdentifier, AddressInfo).
// https://developers.google.com/google-ads/api/docs/conversions/upload-online ("Normalize and hash
//   user-provided data": hash e-mail, phone, first and last name, street address; do NOT hash
//   country, state, city or postal code; trim, lower-case, phone in E.164)
// https://developers.google.com/data-manager/api/get-started/formatting (e-mail: lower case, and for
//   gmail.com / googlemail.com remove every "." before the "@"; phone: E.164 with "+" and country code)
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
    'https://developers.google.com/google-ads/api/docs/conversions/upload-online',
    'https://developers.google.com/data-manager/api/get-started/formatting',
    'https://support.google.com/google-ads/answer/7474263',
  ],
};
