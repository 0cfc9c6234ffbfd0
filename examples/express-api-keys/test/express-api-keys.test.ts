import { describe, expect, it } from 'vitest';
import { main } from '../src/main.ts';

describe('examples/express-api-keys', () => {
  it('mints through the admin API, then accepts, refuses, keeps test keys out of production, kills and revokes', async () => {
    expect(await main(() => {})).toEqual([
      expect.stringMatching(/^minted lp_live_[0-9A-HJKMNP-TV-Z]{16}_…$/),
      '/v1/whoami -> 200',
      '/v1/whoami -> 200',
      '/v1/whoami -> 200',
      '/v1/whoami -> 401 UNAUTHENTICATED',
      '/v1/events -> 403 FORBIDDEN_SCOPE',
      expect.stringMatching(/^minted lp_test_[0-9A-HJKMNP-TV-Z]{16}_…$/),
      '/v1/whoami -> 403 WRONG_KEY_ENVIRONMENT',
      'sandbox /v1/whoami -> 200',
      'sandbox /v1/whoami -> 403 WRONG_KEY_ENVIRONMENT',
      '/v1/whoami -> 503 KILL_SWITCH (key)',
      '/v1/whoami -> 401 REVOKED',
    ]);
  });
});
