// `pnpm start`: the production partner API, a sandbox and the admin API on local ports; keys minted
// through the admin API, then the partner calls: accepted (in X-Api-Key, as a Bearer token, and in
// X-Api-Key next to a gateway's own Authorization header, which is not read), refused without a
// key (401), for a missing scope (403), with a test key in production (403, accepted by the
// sandbox), killed (503), revoked (401).
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
} from '@coffer/api-keys';
import { createAdminApi, createPartnerApi } from './app.ts';

async function listen(server: Server): Promise<string> {
  if (!server.listening) await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function main(log: (line: string) => void = console.log): Promise<string[]> {
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    log(line);
  };
  // Production: createPostgresStore(...).apiKeys or createSqliteStore(...).apiKeys, cost 12.
  const store = createMemoryApiKeyStore();
  const hasher = createBcryptHasher({ cost: 10 });
  const verifier = createApiKeyVerifier({ store, hasher });
  const manager = createApiKeyManager({
    store,
    hasher,
    onChange: (change) => verifier.invalidate(change),
  });
  const partner = createPartnerApi(verifier).listen(0, '127.0.0.1');
  const sandbox = createPartnerApi(verifier, { env: 'test' }).listen(0, '127.0.0.1');
  const admin = createAdminApi(manager).listen(0, '127.0.0.1');
  try {
    const api = await listen(partner);
    const sandboxUrl = await listen(sandbox);
    const adminUrl = await listen(admin);
    const mint = async (env: 'live' | 'test') =>
      (await (
        await fetch(`${adminUrl}/admin/orgs/org_acme/keys`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Acme sync (${env})`, env, scopes: ['projects:read'] }),
        })
      ).json()) as { key: string; keyId: string; start: string };
    const created = await mint('live');
    say(`minted ${created.start}_…`);

    const call = async (
      path: string,
      headers: Record<string, string>,
      base: string = api,
    ): Promise<string> => {
      const res = await fetch(`${base}${path}`, { headers });
      const body = (await res.json()) as { error?: { code: string; details?: { scope?: string } } };
      const scope = body.error?.details?.scope;
      return `${path} -> ${res.status}${body.error ? ` ${body.error.code}` : ''}${scope ? ` (${scope})` : ''}`;
    };
    say(await call('/v1/whoami', { 'x-api-key': created.key }));
    say(await call('/v1/whoami', { authorization: `Bearer ${created.key}` }));
    // Both headers (a gateway added its own token): X-Api-Key wins, Authorization is not read.
    say(
      await call('/v1/whoami', {
        'x-api-key': created.key,
        authorization: 'Bearer gateway-session-token',
      }),
    );
    say(await call('/v1/whoami', {}));
    say(await call('/v1/events', { 'x-api-key': created.key }));
    const testKey = await mint('test');
    say(`minted ${testKey.start}_…`);
    say(await call('/v1/whoami', { 'x-api-key': testKey.key }));
    say(`sandbox ${await call('/v1/whoami', { 'x-api-key': testKey.key }, sandboxUrl)}`);
    say(`sandbox ${await call('/v1/whoami', { 'x-api-key': created.key }, sandboxUrl)}`);
    await fetch(`${adminUrl}/admin/keys/${created.keyId}/kill`, { method: 'POST' });
    say(await call('/v1/whoami', { 'x-api-key': created.key }));
    await fetch(`${adminUrl}/admin/keys/${created.keyId}/unkill`, { method: 'POST' });
    await fetch(`${adminUrl}/admin/keys/${created.keyId}`, { method: 'DELETE' });
    say(await call('/v1/whoami', { 'x-api-key': created.key }));
    return lines;
  } finally {
    partner.close();
    sandbox.close();
    admin.close();
    await hasher.close();
  }
}
