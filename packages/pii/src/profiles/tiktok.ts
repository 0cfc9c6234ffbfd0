// TikTok Events API 2.0, `user` object (web events).
// https://business-api.tiktok.com/portal/docs?id=1771100865818625 (Events API 2.0: parameters)
// TikTok requires email, phone and external_id SHA-256 hashed ("It must be hashed with SHA-256 on
// the client side", POST https://business-api.tiktok.com/open_api/v1.3/event/track/ `user` object);
// ip and user_agent are sent unhashed. Phone in E.164 with the "+" before hashing: TikTok's
// advanced-matching guidance, not re-confirmed against the page for this release.
import * as r from './common-rules.js';
import type { PlatformProfile } from './profile.js';

/**
 * TikTok Events API. E-mail, phone (E.164 with `+`) and external id are SHA-256 hashed; IP and user
 * agent in clear. TikTok's web `user` object takes no name, birth date or address fields here, so
 * those are left out of the payload.
 *
 * @example
 * ```ts
 * import { hashUserData, tiktok } from '@coffer/pii';
 *
 * hashUserData({ phone: '(650) 555-1234', country: 'US' }, { profile: tiktok }).userData.phone;
 * ```
 */
export const tiktok: PlatformProfile = {
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
  sources: ['https://business-api.tiktok.com/portal/docs?id=1771100865818625'],
};
