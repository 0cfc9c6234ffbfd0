import { describe, expect, it } from 'vitest';
import { main } from '../src/main.ts';

describe('examples/express-api-keys', () => {
  it('mints through the admin API, then accepts, refuses, keeps test keys out of production, rate-limits, kills and revokes', async () => {
    expect(await main(() => {})).toEqual([
      expect.stringMatching(/^minted lp_live_[0-9A-HJKMNP-TV-Z]{16}_…$/),
      '/v1/whoami -> 200',
      '/v1/whoami -> 200',
      '/v1/whoami -> 401 UNAUTHENTICATED',
      '/v1/events -> 403 FORBIDDEN_SCOPE',
      expect.stringMatching(/^minted lp_test_[0-9A-HJKMNP-TV-Z]{16}_…$/),
      '/v1/whoami -> 403 WRONG_KEY_ENVIRONMENT',
      'sandbox /v1/whoami -> 200',
      'sandbox /v1/whoami -> 403 WRONG_KEY_ENVIRONMENT',
      expect.stringMatching(
        /^POST \/v1\/projects\/prj_1\/generate \(6th\) -> 429 RATE_LIMITED \(long-running, tier standard, Retry-After [56] s\)$/,
      ),
      expect.stringMatching(/^\/v1\/whoami -> 200 \(read-light: 5[0-9] of 60 left\)$/),
      expect.stringMatching(/^minted lp_live_[0-9A-HJKMNP-TV-Z]{16}_… \(tier partner\)$/),
      'partner-tier key: generate -> 202 (19 of 20 left)',
      '/v1/whoami -> 503 KILL_SWITCH (key)',
      '/v1/whoami -> 401 REVOKED',
    ]);
  });
});
