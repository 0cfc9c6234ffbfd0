import * as r from './common-rules.js';
import { KEYED, type PlatformProfile } from './profile.js';

/**
 * For your own database: every field normalized as for Meta (phone in E.164 without `+`) and keyed
 * by its own name, hashed with HMAC-SHA-256 under a versioned pepper (`hashUserData` requires
 * `pepper` with this profile). IP, user agent and device id are never stored.
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
export const storage: PlatformProfile = {
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
};
