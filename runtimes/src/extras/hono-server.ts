// The Hono partner API behind the runtime's own HTTP server (Bun.serve, Deno.serve) on 127.0.0.1:
// real sockets, including a header sent twice and two key headers that disagree (X-Api-Key wins).
import { verifierForNodeKeys } from '../checks/api-keys-setup.ts';
import type { CheckContext, CheckGroup } from '../checks/check.ts';
import { equal, group } from '../checks/check.ts';
import { partnerApp } from '../checks/hono.ts';

/** Starts `fetch` on an ephemeral 127.0.0.1 port. */
export type Serve = (
  fetch: (request: Request) => Response | Promise<Response>,
) => Promise<{ readonly url: string; close(): Promise<void> }>;

export function honoServerGroup(label: string, serve: Serve): CheckGroup {
  return group(`hono on ${label}`, [
    {
      name: 'honoApiKeyAuth over a real socket: 200, 401, a header sent twice, X-Api-Key wins over Authorization',
      run: async ({ fixture }: CheckContext) => {
        const { verifier, hasher } = await verifierForNodeKeys(fixture);
        const app = partnerApp(verifier);
        const server = await serve((request) => app.fetch(request));
        try {
          const call = async (headers: Headers) => {
            const res = await fetch(`${server.url}/v1/whoami`, { headers });
            const body = (await res.json()) as {
              organizationId?: string;
              error?: { code: string };
            };
            return [res.status, body.organizationId ?? body.error?.code];
          };
          const keys = fixture.apiKeys.keys;
          equal(
            await call(new Headers({ 'x-api-key': keys.valid })),
            [200, fixture.apiKeys.validOrganizationId],
            'valid key',
          );
          equal(await call(new Headers()), [401, 'UNAUTHENTICATED'], 'no key');
          const twice = new Headers();
          twice.append('x-api-key', keys.valid);
          twice.append('x-api-key', keys.valid);
          equal(await call(twice), [401, 'UNAUTHENTICATED'], 'X-Api-Key sent twice');
          equal(
            await call(
              new Headers({ 'x-api-key': keys.valid, authorization: `Bearer ${keys.revoked}` }),
            ),
            [200, fixture.apiKeys.validOrganizationId],
            'X-Api-Key wins when Authorization disagrees (the partner contract, D15)',
          );
        } finally {
          await server.close();
          await hasher.close();
        }
      },
    },
  ]);
}
