// The Hono middleware in this runtime: a Hono app's own fetch, with the verifier over Node's keys.
import { type ApiKeyVariables, type ApiKeyVerifier, honoApiKeyAuth } from '@coffer/api-keys';
import { Hono } from 'hono';
import { verifierForNodeKeys } from './api-keys-setup.ts';
import type { CheckContext } from './check.ts';
import { equal, group } from './check.ts';

/** The partner API the checks and the Worker serve: `/v1/whoami`, `/v1/events` (scoped). */
export function partnerApp(verifier: ApiKeyVerifier): Hono<{ Variables: ApiKeyVariables }> {
  const app = new Hono<{ Variables: ApiKeyVariables }>();
  app.use('/v1/*', honoApiKeyAuth(verifier));
  app.get('/v1/whoami', (c) => c.json({ organizationId: c.get('apiKey').organizationId }));
  app.get('/v1/admin', honoApiKeyAuth(verifier, { requiredScopes: ['admin'] }), (c) =>
    c.json({ ok: true }),
  );
  return app;
}

export const honoChecks = group('hono', [
  {
    name: 'honoApiKeyAuth answers 200, 401, 403 and 503 with the error envelope',
    run: async ({ fixture }: CheckContext) => {
      const { verifier, hasher } = await verifierForNodeKeys(fixture);
      try {
        const app = partnerApp(verifier);
        const call = async (path: string, headers: Record<string, string>) => {
          const res = await app.fetch(new Request(`http://coffer.test${path}`, { headers }));
          const body = (await res.json()) as {
            organizationId?: string;
            error?: { code: string; requestId: string };
          };
          return [res.status, body.organizationId ?? body.error?.code];
        };
        const keys = fixture.apiKeys.keys;
        equal(
          await call('/v1/whoami', { 'x-api-key': keys.valid }),
          [200, fixture.apiKeys.validOrganizationId],
          'x-api-key',
        );
        equal(
          await call('/v1/whoami', { authorization: `Bearer ${keys.valid}` }),
          [200, fixture.apiKeys.validOrganizationId],
          'bearer',
        );
        equal(await call('/v1/whoami', {}), [401, 'UNAUTHENTICATED'], 'no key');
        equal(await call('/v1/whoami', { 'x-api-key': keys.revoked }), [401, 'REVOKED'], 'revoked');
        equal(
          await call('/v1/admin', { 'x-api-key': keys.valid }),
          [403, 'FORBIDDEN_SCOPE'],
          'scope',
        );
        equal(
          await call('/v1/whoami', { 'x-api-key': keys.killed }),
          [503, 'KILL_SWITCH'],
          'killed',
        );
        const res = await app.fetch(
          new Request('http://coffer.test/v1/whoami', { headers: { 'x-request-id': 'req-123' } }),
        );
        equal(
          ((await res.json()) as { error: { requestId: string } }).error.requestId,
          'req-123',
          'request id echoed',
        );
      } finally {
        await hasher.close();
      }
    },
  },
]);
