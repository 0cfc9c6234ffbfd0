// `pnpm start`: both APIs on local ports, a key minted through the admin API, then the partner
// calls: accepted, refused for a missing scope, killed (503), revoked (401).
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
  const admin = createAdminApi(manager).listen(0, '127.0.0.1');
  try {
    const api = await listen(partner);
    const adminUrl = await listen(admin);
    const created = (await (
      await fetch(`${adminUrl}/admin/orgs/org_acme/keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Acme sync', env: 'live', scopes: ['projects:read'] }),
      })
    ).json()) as { key: string; keyId: string; start: string };
    say(`minted ${created.start}_…`);

    const call = async (path: string, headers: Record<string, string>): Promise<string> => {
      const res = await fetch(`${api}${path}`, { headers });
      const body = (await res.json()) as { error?: { code: string; details?: { scope?: string } } };
      const scope = body.error?.details?.scope;
      return `${path} -> ${res.status}${body.error ? ` ${body.error.code}` : ''}${scope ? ` (${scope})` : ''}`;
    };
    say(await call('/v1/whoami', { 'x-api-key': created.key }));
    say(await call('/v1/whoami', { authorization: `Bearer ${created.key}` }));
    say(await call('/v1/whoami', {}));
    say(await call('/v1/events', { 'x-api-key': created.key }));
    await fetch(`${adminUrl}/admin/keys/${created.keyId}/kill`, { method: 'POST' });
    say(await call('/v1/whoami', { 'x-api-key': created.key }));
    await fetch(`${adminUrl}/admin/keys/${created.keyId}/unkill`, { method: 'POST' });
    await fetch(`${adminUrl}/admin/keys/${created.keyId}`, { method: 'DELETE' });
    say(await call('/v1/whoami', { 'x-api-key': created.key }));
    return lines;
  } finally {
    partner.close();
    admin.close();
    await hasher.close();
  }
}
