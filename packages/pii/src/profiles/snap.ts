// Snap Conversions API (v3), user data parameters; Snap uses Meta's parameter names and rules.
// https://developers.snap.com/api/marketing-api/Conversions-API/Parameters — em: trim, lower case;
// ph: country code, no "00" or "+" before it, no leading 0, digits only; fn/ln: lower case, no
// punctuation, UTF-8. The page's worked examples (em, ph, fn) are known-answer tests here.
// https://developers.snap.com/api/marketing-api/Conversions-API/BestPractices — "Normalize mobile
// advertiser id by using all lowercase. Do not remove hyphens".
// Not confirmed from Snap's pages: whether `madid` is sent hashed (we send it in clear, lower-cased,
// only with keepDeviceId, as Meta's parameter of the same name is "Do not hash") and Snap's separate
// `idfa` parameter (not produced).

import { builtIn } from './check-profile.js';
import * as r from './common-rules.js';
import type { PlatformProfile } from './profile.js';

/**
 * Snap Conversions API. Same parameter names and normalization as Meta: identifiers SHA-256
 * hashed, phone as digits with country code and no `+`; IP and user agent in clear.
 *
 * | field | key | hashed | rule |
 * |---|---|---|---|
 * | e-mail | `em` | yes | trim, lower case |
 * | phone | `ph` | yes | E.164 digits without `+` (no "00", no trunk 0) |
 * | first / last name | `fn` / `ln` | yes | lower case, no punctuation or spaces, UTF-8 |
 * | date of birth | `db` | yes | `YYYYMMDD` |
 * | gender | `ge` | yes | `f` or `m` |
 * | city | `ct` | yes | lower case, letters only |
 * | state | `st` | yes | US: 2-letter code; lower case, letters only |
 * | zip | `zp` | yes | lower case, no spaces or dash; US: 5 digits; UK: sector |
 * | country | `country` | yes | ISO 3166-1 alpha-2, lower case |
 * | external id | `external_id` | yes | trimmed, case kept |
 * | IP (with `keepIp`) | `client_ip_address` | no | IPv4 or IPv6 |
 * | user agent | `client_user_agent` | no | trimmed |
 * | device id (with `keepDeviceId`) | `madid` | no | IDFA/GAID, lower case, hyphens kept |
 *
 * @example
 * ```ts
 * import { hashUserData, snap } from '@coffer/pii';
 *
 * hashUserData({ phone: '+1 650 555 1234' }, { profile: snap }).userData.ph;
 * // '6069d14bf122fdfd931dc7beb58e5dfbba395b1faf05bdcd42d12358d63d8599' (sha256 of '16505551234')
 * ```
 */
export const snap: PlatformProfile = builtIn({
  name: 'snap',
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
    state: { key: 'st', hashed: true, normalize: r.state, rule: 'US: 2-letter code; lower case' },
    zip: { key: 'zp', hashed: true, normalize: r.zip, rule: 'US: 5 digits; no spaces' },
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
  deviceId: { key: 'madid', hashed: false, lowerCase: true },
  sources: ['https://developers.snap.com/api/marketing-api/Conversions-API/Parameters'],
});
