// Google Ads (enhanced conversions, Customer Match) and the Data Manager API: user identifiers.
// https://developers.google.com/data-manager/api/devguides/concepts/formatting ("Format user
//   data": e-mail lower case, for gmail.com / googlemail.com remove every "." before the "@"; phone
//   "Include the plus sign (+) and the country code", e.g. "(800)555-0100" → "+18005550100"; given
//   and family name lower case without prefixes ("Mrs.") or suffixes ("Jr."), hashed; region code
//   and postal code "Don't hash")
// https://developers.google.com/google-ads/api/docs/conversions/upload-online ("Normalize and hash
//   user-provided data": hash e-mail, phone, first and last name; do not hash country, state, city
//   or postal code)
// Reference implementation, whose tests are our known answers: Google's own formatter,
//   https://github.com/googleads/data-manager-node/blob/main/util/src/formatter.ts (also strips a
//   Gmail "+tag", and keeps punctuation such as hyphens in names: "Quinn-Alex" → "quinn-alex").
// The Data Manager REST reference describes names as "with no punctuation"; we follow the
// formatting guide and Google's formatter, which keep it.

import { builtIn } from './check-profile.js';
import * as r from './common-rules.js';
import * as g from './google-rules.js';
import type { PlatformProfile } from './profile.js';

/**
 * Google Ads. E-mail, phone, first and last name are SHA-256 hashed; city, state, postal code and
 * country code are sent in clear. Gmail handling is Google's only.
 *
 * | field | key | hashed | rule |
 * |---|---|---|---|
 * | e-mail | `hashed_email` | yes | trim, lower case; `gmail.com` / `googlemail.com`: `+tag` and dots before `@` removed |
 * | phone | `hashed_phone_number` | yes | E.164 with `+` (no country code known: dropped) |
 * | first name | `hashed_first_name` | yes | trim, lower case, spaces collapsed, `mr.`/`mrs.`/`ms.`/`dr.` removed |
 * | last name | `hashed_last_name` | yes | trim, lower case, spaces collapsed, `jr.`/`sr.`/`ii`/`phd`/… removed |
 * | city | `city` | no | lower case, punctuation removed, spaces collapsed |
 * | state | `state` | no | lower case, punctuation removed, spaces collapsed |
 * | zip | `postal_code` | no | as written (no truncation), trimmed, upper case |
 * | country | `country_code` | no | ISO 3166-1 alpha-2, upper case |
 * | date of birth, gender, external id, IP, user agent, device id | — | — | not sent |
 *
 * @example
 * ```ts
 * import { google, hashUserData } from '@coffer/pii';
 *
 * hashUserData({ email: 'Cloudy.SanFrancisco+shopping@gmail.com' }, { profile: google }).userData;
 * // { hashed_email: '223ebda6f6889b1494551ba902d9d381daf2f642bae055888e96343d53e9f9c4' }
 * // (sha256 of 'cloudysanfrancisco@gmail.com')
 * ```
 */
export const google: PlatformProfile = builtIn({
  name: 'google',
  fields: {
    email: {
      key: 'hashed_email',
      hashed: true,
      normalize: r.gmailEmail,
      rule: 'trim, lower case; gmail.com/googlemail.com: no +tag, no dots before @',
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
      normalize: g.givenName,
      rule: 'trim, lower case, no title (mr., mrs., ms., dr.)',
    },
    lastName: {
      key: 'hashed_last_name',
      hashed: true,
      normalize: g.familyName,
      rule: 'trim, lower case, no suffix (jr., sr., ii, phd, …)',
    },
    city: {
      key: 'city',
      hashed: false,
      normalize: g.placeInClear,
      rule: 'lower case, no punctuation',
    },
    state: {
      key: 'state',
      hashed: false,
      normalize: g.placeInClear,
      rule: 'lower case, no punctuation',
    },
    zip: {
      key: 'postal_code',
      hashed: false,
      normalize: g.postalCodeInClear,
      rule: 'as written, upper case',
    },
    country: {
      key: 'country_code',
      hashed: false,
      normalize: g.regionCode,
      rule: 'ISO alpha-2, upper case',
    },
  },
  ipKey: null,
  userAgentKey: null,
  deviceId: null,
  sources: [
    'https://developers.google.com/data-manager/api/devguides/concepts/formatting',
    'https://developers.google.com/google-ads/api/docs/conversions/upload-online',
    'https://github.com/googleads/data-manager-node/blob/main/util/src/formatter.ts',
  ],
});
