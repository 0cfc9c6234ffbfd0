// examples/express-api-keys as it is: Express on the runtime's node:http, coffer's Express
// middleware, real sockets on 127.0.0.1; held to the same transcript as its own Node test.
import { main } from '../../../examples/express-api-keys/src/main.ts';
import { transcriptMismatch } from '../../../examples/express-api-keys/test/transcript.ts';
import { type CheckGroup, group, ok } from '../checks/check.ts';

export const expressExample: CheckGroup = group('examples/express-api-keys', [
  {
    name: 'mints through the admin API, then accepts, refuses, keeps test keys out, rate-limits, kills and revokes',
    run: async () => {
      const mismatch = transcriptMismatch(await main(() => {}));
      ok(mismatch === null, `the example run: ${mismatch}`);
    },
  },
]);
