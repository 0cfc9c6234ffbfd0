import { describe, expect, it } from 'vitest';
import { main } from '../src/main.ts';

describe('examples/express-api-keys', () => {
  it('mints through the admin API, then accepts, refuses, kills and revokes on the partner API', async () => {
    expect(await main(() => {})).toEqual([
      expect.stringMatching(/^minted lp_live_[0-9A-HJKMNP-TV-Z]{16}_…$/),
      '/v1/whoami -> 200',
      '/v1/whoami -> 200',
      '/v1/whoami -> 401 UNAUTHENTICATED',
      '/v1/events -> 403 FORBIDDEN_SCOPE',
      '/v1/whoami -> 503 KILL_SWITCH (key)',
      '/v1/whoami -> 401 REVOKED',
    ]);
  });
});
