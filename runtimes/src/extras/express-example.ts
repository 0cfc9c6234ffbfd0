// examples/express-api-keys as it is: Express on the runtime's node:http, coffer's Express
// middleware, real sockets on 127.0.0.1; the same lines its own Node test expects.
import { main } from '../../../examples/express-api-keys/src/main.ts';
import { type CheckGroup, equal, group, ok } from '../checks/check.ts';

export const expressExample: CheckGroup = group('examples/express-api-keys', [
  {
    name: 'mints through the admin API, then accepts, refuses, keeps test keys out, kills and revokes',
    run: async () => {
      const lines = await main(() => {});
      ok(
        /^minted lp_live_[0-9A-HJKMNP-TV-Z]{16}_…$/.test(lines[0] ?? ''),
        `first line: ${lines[0]}`,
      );
      ok(
        /^minted lp_test_[0-9A-HJKMNP-TV-Z]{16}_…$/.test(lines[6] ?? ''),
        `seventh line: ${lines[6]}`,
      );
      equal(
        lines.filter((_, i) => i !== 0 && i !== 6),
        [
          '/v1/whoami -> 200',
          '/v1/whoami -> 200',
          '/v1/whoami -> 200',
          '/v1/whoami -> 401 UNAUTHENTICATED',
          '/v1/events -> 403 FORBIDDEN_SCOPE',
          '/v1/whoami -> 403 WRONG_KEY_ENVIRONMENT',
          'sandbox /v1/whoami -> 200',
          'sandbox /v1/whoami -> 403 WRONG_KEY_ENVIRONMENT',
          '/v1/whoami -> 503 KILL_SWITCH (key)',
          '/v1/whoami -> 401 REVOKED',
        ],
        'the example run',
      );
    },
  },
]);
