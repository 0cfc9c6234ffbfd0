// TikTok Events API 2.0, `user` object of POST https://business-api.tiktok.com/open_api/v1.3/event/track/
// https://business-api.tiktok.com/portal/docs?id=1771100865818625 (Events API 2.0: parameters).
// What TikTok's reference confirms: `email`, `phone` and `external_id` "must be hashed with SHA-256
// on the client side"; `ip` ("Non-hashed public IP address") and `user_agent` ("Non-hashed user
// agent") in clear. TikTok's own server-side tag (https://github.com/tiktok/gtm-template-eapi,
// template.js) trims and lower-cases email and phone before hashing, and hashes external_id with its
// case kept; it sends no other identifier in `user` (besides ttclid and the _ttp cookie, which are
// not PII fields here).
// Phone in E.164 with the "+": TikTok's pages that we could read give no normalized phone example;
// Segment's TikTok Conversions destination (segmentio/action-destinations, tiktok-conversions
// formatter.ts) formats phones as "+" and digits (E.164), as does the field help TikTok shows for
// it ("E.164 standard format, e.g. +14150000000"). Not confirmed on TikTok's own page.
// Not produced: Segment's integration also sends first_name, last_name, city, state, country and
// zip_code in `user`, but we found no TikTok page stating whether or how those are normalized and
// hashed, and app-event device ids (idfa, gaid) likewise; sending them unconfirmed could leak them
// in clear or never match, so the profile leaves them out until TikTok documents them.

import { builtIn } from './check-profile.js';
import * as r from './common-rules.js';
import type { PlatformProfile } from './profile.js';

/**
 * TikTok Events API. E-mail, phone (E.164 with `+`) and external id are SHA-256 hashed; IP and user
 * agent in clear. Other fields are left out of the payload (see the source comment for why).
 *
 * | field | key | hashed | rule |
 * |---|---|---|---|
 * | e-mail | `email` | yes | trim, lower case |
 * | phone | `phone` | yes | E.164 with `+` (no country code known: dropped) |
 * | external id | `external_id` | yes | trimmed, case kept |
 * | IP (with `keepIp`) | `ip` | no | IPv4 or IPv6 |
 * | user agent | `user_agent` | no | trimmed |
 * | names, birth date, gender, address, country, device id | — | — | not sent |
 *
 * @example
 * ```ts
 * import { hashUserData, tiktok } from '@coffer/pii';
 *
 * hashUserData({ phone: '(650) 555-1234', country: 'US' }, { profile: tiktok }).userData.phone;
 * // 'a2996076d3ad4af5dc818b908b3d8e354f26ededf7df0e0aa6ac354143805ee0' (sha256 of '+16505551234')
 * ```
 */
export const tiktok: PlatformProfile = builtIn({
  name: 'tiktok',
  fields: {
    email: { key: 'email', hashed: true, normalize: r.email, rule: 'trim, lower case' },
    phone: { key: 'phone', hashed: true, normalize: r.phoneE164, rule: 'E.164 with +' },
    externalId: {
      key: 'external_id',
      hashed: true,
      normalize: r.externalId,
      rule: 'trimmed, case kept',
    },
  },
  ipKey: 'ip',
  userAgentKey: 'user_agent',
  deviceId: null,
  sources: [
    'https://business-api.tiktok.com/portal/docs?id=1771100865818625',
    'https://github.com/tiktok/gtm-template-eapi/blob/main/template.js',
  ],
});
