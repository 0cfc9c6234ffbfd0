// Meta Conversions API, `user_data` customer information parameters.
// https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters
// Meta's SDK, facebook-nodejs-business-sdk, src/objects/serverside/utils.js
// (ServerSideUtils.normalizeAndHash), is compared against in this package's tests: the hashes are
// equal where it applies the page's rules, and where it does less (names, birth dates, ZIP+4, UK
// postcodes, state names, national phone numbers, external id case) we follow the page, and the
// tests pin each difference.

import { builtIn } from './check-profile.js';
import * as r from './common-rules.js';
import type { PlatformProfile } from './profile.js';

/**
 * Meta (Facebook/Instagram) Conversions API. Every identifier is SHA-256 hashed; IP, user agent,
 * `fbc` and `fbp` are sent in clear.
 *
 * | field | key | hashed | rule |
 * |---|---|---|---|
 * | e-mail | `em` | yes | trim, lower case |
 * | phone | `ph` | yes | E.164 digits without `+` (no leading zeros; country code added) |
 * | first / last name | `fn` / `ln` | yes | lower case, no punctuation or spaces, UTF-8 |
 * | date of birth | `db` | yes | `YYYYMMDD` |
 * | gender | `ge` | yes | `f` or `m` |
 * | city | `ct` | yes | lower case, letters only (no punctuation, spaces or digits) |
 * | state | `st` | yes | 2-letter ANSI code for US states (US or no country), else letters, lower case |
 * | zip | `zp` | yes | lower case, no spaces or dash; US: 5 digits; UK: area, district, sector |
 * | country | `country` | yes | ISO 3166-1 alpha-2, lower case |
 * | external id | `external_id` | yes | as given, trimmed, case kept (hashing recommended) |
 * | IP (with `keepIp`) | `client_ip_address` | no | IPv4 or IPv6 |
 * | user agent | `client_user_agent` | no | trimmed |
 * | device id (with `keepDeviceId`) | `madid` | no | IDFA/GAID as given |
 *
 * @example
 * ```ts
 * import { hashUserData, meta } from '@coffer/pii';
 *
 * hashUserData({ email: 'Joe@Example.com' }, { profile: meta }).userData.em;
 * // '2481f36dfc515ca76451aaadf1399026942a01ee50c6d0a61988b43cef039bc2' (sha256 of 'joe@example.com')
 * ```
 */
export const meta: PlatformProfile = builtIn({
  name: 'meta',
  fields: {
    email: { key: 'em', hashed: true, normalize: r.email, rule: 'trim, lower case' },
    phone: {
      key: 'ph',
      hashed: true,
      normalize: r.phone,
      format: r.withoutPlus,
      rule: 'digits with country code, no +',
    },
    firstName: {
      key: 'fn',
      hashed: true,
      normalize: r.name,
      rule: 'lower case, letters and digits only',
    },
    lastName: {
      key: 'ln',
      hashed: true,
      normalize: r.name,
      rule: 'lower case, letters and digits only',
    },
    dateOfBirth: { key: 'db', hashed: true, normalize: r.dateOfBirth, rule: 'YYYYMMDD' },
    gender: { key: 'ge', hashed: true, normalize: r.gender, rule: 'f or m' },
    city: {
      key: 'ct',
      hashed: true,
      normalize: r.city,
      rule: 'lower case, no spaces or punctuation',
    },
    state: {
      key: 'st',
      hashed: true,
      normalize: r.state,
      rule: 'US: 2-letter code; lower case, no spaces',
    },
    zip: { key: 'zp', hashed: true, normalize: r.zip, rule: 'US: 5 digits; UK: sector; no spaces' },
    country: {
      key: 'country',
      hashed: true,
      normalize: r.country,
      rule: 'ISO alpha-2, lower case',
    },
    externalId: {
      key: 'external_id',
      hashed: true,
      normalize: r.externalId,
      rule: 'trimmed, case kept',
    },
  },
  ipKey: 'client_ip_address',
  userAgentKey: 'client_user_agent',
  deviceId: { key: 'madid', hashed: false, lowerCase: false },
  sources: [
    'https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters',
  ],
});
