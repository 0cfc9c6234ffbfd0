// The server of the mixed-load bench, in its own process so the load generator does not share its
// event loop: an Express app on SQLite whose /v1/whoami is open (`noauth`), behind the API-key
// middleware (`auth`), or behind it with the authentication guard (`guard`). Prints its port,
// then on "stats" (stdin) prints its event-loop delay percentiles and exits.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  apiKeyOf,
  createApiKeyVerifier,
  createBcryptHasher,
  expressApiKeyAuth,
} from '@coffer/api-keys';
import { createAuthenticationGuard } from '@coffer/rate-limit';
import { createSqliteStore } from '@coffer/store-sqlite';
import express from 'express';

const [mode = 'guard', filename = ''] = process.argv.slice(2);
const storage = createSqliteStore({ filename });
const hasher = createBcryptHasher(); // cost 12, one worker thread per core
const verifier = createApiKeyVerifier({
  store: storage.apiKeys,
  hasher,
  ...(mode === 'guard' ? { guard: createAuthenticationGuard() } : {}),
});

const app = express();
if (mode === 'noauth') {
  app.get('/v1/whoami', (_req, res) => {
    res.json({ organizationId: 'org_bench' });
  });
} else {
  app.use('/v1', expressApiKeyAuth(verifier));
  app.get('/v1/whoami', (req, res) => {
    res.json({ organizationId: apiKeyOf(req).organizationId });
  });
}

const delay = monitorEventLoopDelay({ resolution: 5 });
const server = app.listen(0, '0.0.0.0', () => {
  const address = server.address();
  delay.enable();
  process.stdout.write(
    `port ${typeof address === 'object' && address !== null ? address.port : 0}\n`,
  );
});
server.keepAliveTimeout = 60_000;

process.stdin.on('data', async (chunk) => {
  if (!String(chunk).includes('stats')) return;
  delay.disable();
  process.stdout.write(
    `stats ${JSON.stringify({ p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6 })}\n`,
  );
  server.closeAllConnections();
  server.close();
  await hasher.close();
  await storage.close();
  process.exit(0);
});
