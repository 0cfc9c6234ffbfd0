// `pnpm start`: the production partner API, a sandbox and the admin API on local ports; keys minted
// through the admin API, then the partner calls: accepted (in X-Api-Key, as a Bearer token, and in
// X-Api-Key next to a gateway's own Authorization header, which is not read), refused without a
// key (401), for a missing scope (403), with a test key in production (403, accepted by the
// sandbox), rate-limited on a long-running route (429, while reads of the same key go on), killed
// (503), not found by another organization's admin (404), revoked (401), and the key's audit trail.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
} from '@coffer/api-keys';
import { createAuthenticationGuard } from '@coffer/rate-limit';
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
  // The guard refuses a client address after 5 failed keys a minute, before bcrypt runs. Behind a
  // load balancer, say which proxies to believe: createAuthenticationGuard({ trustProxy: { hops: 1 } }).
  const verifier = createApiKeyVerifier({ store, hasher, guard: createAuthenticationGuard() });
  const manager = createApiKeyManager({
    store,
    hasher,
    // Every change records who made it: the admin API refuses a change without an actor.
    requireActor: true,
    onChange: (change) => verifier.invalidate(change),
  });
  const partner = createPartnerApi(verifier).listen(0, '127.0.0.1');
  const sandbox = createPartnerApi(verifier, { env: 'test' }).listen(0, '127.0.0.1');
  const admin = createAdminApi(manager).listen(0, '127.0.0.1');
  try {
    const api = await listen(partner);
    const sandboxUrl = await listen(sandbox);
    const adminUrl = await listen(admin);
    // Set by your staff authentication in production (see createAdminApi).
    const staff = { 'x-admin-actor': 'ops@example.com' };
    const mint = async (env: 'live' | 'test', tier?: string) =>
      (await (
        await fetch(`${adminUrl}/admin/orgs/org_acme/keys`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...staff },
          body: JSON.stringify({
            name: `Acme sync (${env})`,
            env,
            scopes: ['projects:read'],
            tier,
          }),
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
    // A standard key may start 5 generations at once (then 10 a minute); the 6th is refused with
    // the partner contract's envelope, while the key's reads are a separate bucket.
    const generate = () =>
      fetch(`${api}/v1/projects/prj_1/generate`, {
        method: 'POST',
        headers: { 'x-api-key': created.key },
      });
    for (let i = 0; i < 5; i++) await generate();
    const limited = await generate();
    const envelope = (await limited.json()) as {
      error: { code: string; details: { endpointClass: string; retryAfterMs: number } };
    };
    say(
      `POST /v1/projects/prj_1/generate (6th) -> ${limited.status} ${envelope.error.code} ` +
        `(${envelope.error.details.endpointClass}, tier ${limited.headers.get('x-ratelimit-tier')}, ` +
        `Retry-After ${limited.headers.get('retry-after')} s)`,
    );
    const read = await fetch(`${api}/v1/whoami`, { headers: { 'x-api-key': created.key } });
    say(
      `/v1/whoami -> ${read.status} (read-light: ${read.headers.get('x-ratelimit-remaining')} of ` +
        `${read.headers.get('x-ratelimit-limit')} left)`,
    );
    const partnerKey = await mint('live', 'partner');
    say(`minted ${partnerKey.start}_… (tier partner)`);
    const big = await fetch(`${api}/v1/projects/prj_1/generate`, {
      method: 'POST',
      headers: { 'x-api-key': partnerKey.key },
    });
    say(
      `partner-tier key: generate -> ${big.status} (${big.headers.get('x-ratelimit-remaining')} of ` +
        `${big.headers.get('x-ratelimit-limit')} left)`,
    );
    const acmeKey = `${adminUrl}/admin/orgs/org_acme/keys/${created.keyId}`;
    await fetch(`${acmeKey}/kill`, {
      method: 'POST',
      headers: { ...staff, 'x-admin-reason': 'INC-77' },
    });
    say(await call('/v1/whoami', { 'x-api-key': created.key }));
    // Another organization's admin naming Acme's key: the same 404 as a key that does not exist.
    const foreign = await fetch(`${adminUrl}/admin/orgs/org_globex/keys/${created.keyId}/kill`, {
      method: 'POST',
      headers: staff,
    });
    const foreignBody = (await foreign.json()) as { error: { code: string } };
    say(`org_globex kills Acme's key -> ${foreign.status} ${foreignBody.error.code}`);
    await fetch(`${acmeKey}/unkill`, { method: 'POST', headers: staff });
    await fetch(acmeKey, { method: 'DELETE', headers: staff });
    say(await call('/v1/whoami', { 'x-api-key': created.key }));
    const trail = (await (
      await fetch(`${adminUrl}/admin/orgs/org_acme/audit?keyId=${created.keyId}`, {
        headers: staff,
      })
    ).json()) as { entries: { type: string; actor: string; reason: string | null }[] };
    say(
      `audit: ${trail.entries.map((e) => `${e.type}${e.reason === null ? '' : ` (${e.reason})`}`).join(', ')} — by ${[...new Set(trail.entries.map((e) => e.actor))].join(', ')}`,
    );
    return lines;
  } finally {
    partner.close();
    sandbox.close();
    admin.close();
    await hasher.close();
  }
}
