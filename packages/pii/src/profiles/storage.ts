import { builtIn } from './check-profile.js';
import * as r from './common-rules.js';
import { KEYED, type PlatformProfile } from './profile.js';

/**
 * For your own database: every field normalized as for Meta (phone in E.164 without `+`) and keyed
 * by its own name, stored as `<version>:` + HMAC-SHA-256(pepper, SHA-256 hex of the value)
 * (`hashUserData` requires `pepper` with this profile; see `hmacForStorage`). IP, user agent and
 * device id are never stored. No platform's documentation applies: the rules are Meta's, so the
 * stored value of a person is the same whichever SDK sent the event.
 *
 * | field | key | rule (then keyed) |
 * |---|---|---|
 * | e-mail | `email` | trim, lower case |
 * | phone | `phone` | E.164 digits without `+` |
 * | first / last name | `firstName` / `lastName` | lower case, letters and digits only |
 * | date of birth | `dateOfBirth` | `YYYYMMDD` |
 * | gender | `gender` | `f` or `m` |
 * | city | `city` | lower case, letters only |
 * | state | `state` | US: 2-letter code; lower case, letters only |
 * | zip | `zip` | lower case, no spaces; US: 5 digits; UK: sector |
 * | country | `country` | ISO 3166-1 alpha-2, lower case |
 * | external id | `externalId` | trimmed, case kept |
 * | IP, user agent, device id | — | never stored |
 *
 * @example
 * ```ts
 * import { randomBytes } from '@coffer/core';
 * import { createPepper, hashUserData, storage } from '@coffer/pii';
 *
 * const pepper = createPepper({ current: 'v1', keys: { v1: randomBytes(32) } });
 * hashUserData({ email: 'joe@example.com' }, { profile: storage, pepper }).userData.email; // 'v1:…'
 * ```
 */
export const storage: PlatformProfile = builtIn({
  name: 'storage',
  fields: {
    email: { key: 'email', hashed: true, normalize: r.email, rule: 'trim, lower case' },
    phone: {
      key: 'phone',
      hashed: true,
      normalize: r.phone,
      format: r.withoutPlus,
      rule: 'digits with country code',
    },
    firstName: {
      key: 'firstName',
      hashed: true,
      normalize: r.name,
      rule: 'lower case, letters and digits',
    },
    lastName: {
      key: 'lastName',
      hashed: true,
      normalize: r.name,
      rule: 'lower case, letters and digits',
    },
    dateOfBirth: { key: 'dateOfBirth', hashed: true, normalize: r.dateOfBirth, rule: 'YYYYMMDD' },
    gender: { key: 'gender', hashed: true, normalize: r.gender, rule: 'f or m' },
    city: { key: 'city', hashed: true, normalize: r.city, rule: 'lower case, no spaces' },
    state: { key: 'state', hashed: true, normalize: r.state, rule: 'US: 2-letter code' },
    zip: { key: 'zip', hashed: true, normalize: r.zip, rule: 'US: 5 digits' },
    country: { key: 'country', hashed: true, normalize: r.country, rule: 'ISO alpha-2' },
    externalId: { key: 'externalId', hashed: true, normalize: r.externalId, rule: 'trimmed' },
  },
  ipKey: null,
  userAgentKey: null,
  deviceId: null,
  sources: [],
  [KEYED]: true,
});
