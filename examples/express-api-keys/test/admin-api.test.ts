// The admin API answers a caller's mistakes as 4xx in the error envelope, never as a 500; one
// organization's admin cannot tell another's keys from keys that do not exist; every change is
// audited with its actor, reason and request id.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiKeyManager, createBcryptHasher, createMemoryApiKeyStore } from '@coffer/api-keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApi } from '../src/app.ts';

const hasher = createBcryptHasher({ cost: 4, threads: 0 });
const manager = createApiKeyManager({
  store: createMemoryApiKeyStore(),
  hasher,
  requireActor: true,
});
const staff = { 'x-admin-actor': 'ops@example.com' };
const json = { 'content-type': 'application/json', ...staff };

async function mint(org: string): Promise<{ keyId: string }> {
  const res = await fetch(`${base}/admin/orgs/${org}/keys`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ name: 'k', env: 'test', metadata: { webhookSecret: 'vault_1' } }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { keyId: string };
}
let server: Server | undefined;
let base = '';
beforeAll(async () => {
  server = createAdminApi(manager).listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  await hasher.close();
});

describe('examples/express-api-keys: the admin API', () => {
  it.each([
    ['malformed JSON', { 'content-type': 'application/json' }, '{"name": '],
    ['no JSON content type (no body parsed)', { 'content-type': 'text/plain' }, 'name=x'],
    ['a JSON array', { 'content-type': 'application/json' }, '[]'],
    ['a bad env', { 'content-type': 'application/json' }, '{"env":"prod","name":"x"}'],
  ])('%s → 400 INVALID_INPUT in the envelope', async (_, headers, body) => {
    const res = await fetch(`${base}/admin/orgs/org_1/keys`, {
      method: 'POST',
      headers: { ...headers, ...staff },
      body,
    });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: { code: string; requestId: string } };
    expect(json.error.code).toBe('INVALID_INPUT');
    expect(json.error.requestId).toMatch(/^req_/);
  });

  it('an unknown key id → 404 NOT_FOUND; a malformed one → 400', async () => {
    const kill = (path: string) => fetch(`${base}${path}/kill`, { method: 'POST', headers: staff });
    expect((await kill('/admin/orgs/org_1/keys/0000000000000000')).status).toBe(404);
    expect((await kill('/admin/orgs/org_1/keys/nope')).status).toBe(400);
  });

  it("another organization's key is answered exactly as a missing one, on every route; nothing changes", async () => {
    const { keyId } = await mint('org_acme');
    const missing = '0000000000000000';
    const routes: Array<[string, string, string | undefined]> = [
      ['GET', '', undefined],
      ['PATCH', '', '{"name":"stolen"}'],
      ['POST', '/kill', undefined],
      ['POST', '/unkill', undefined],
      ['DELETE', '', undefined],
    ];
    for (const [method, suffix, body] of routes) {
      const call = async (id: string) => {
        const res = await fetch(`${base}/admin/orgs/org_globex/keys/${id}${suffix}`, {
          method,
          headers: json,
          ...(body === undefined ? {} : { body }),
        });
        const { error } = (await res.json()) as { error: { code: string; message: string } };
        return { status: res.status, code: error.code, message: error.message };
      };
      const other = await call(keyId);
      const none = await call(missing);
      expect(other, `${method} ${suffix}`).toEqual(none);
      expect(other.status).toBe(404);
    }
    const own = await fetch(`${base}/admin/orgs/org_acme/keys/${keyId}`, { headers: staff });
    expect(await own.json()).toMatchObject({ name: 'k', status: 'active', revision: 1 });
    const theirs = (await (
      await fetch(`${base}/admin/orgs/org_globex/keys`, { headers: staff })
    ).json()) as { keys: unknown[] };
    expect(theirs.keys).toEqual([]);
    const trail = (await (
      await fetch(`${base}/admin/orgs/org_globex/audit?keyId=${keyId}`, { headers: staff })
    ).json()) as { entries: unknown[] };
    expect(trail.entries).toEqual([]);
  });

  it('a change without X-Admin-Actor is 400 and changes nothing; with one it is audited, and If-Match pins the revision', async () => {
    const { keyId } = await mint('org_audit');
    const url = `${base}/admin/orgs/org_audit/keys/${keyId}`;
    const anonymous = await fetch(`${url}/kill`, { method: 'POST' });
    expect(anonymous.status).toBe(400);
    const patched = await fetch(url, {
      method: 'PATCH',
      headers: { ...json, 'if-match': '1', 'x-admin-reason': 'rename', 'x-request-id': 'req_abc' },
      body: JSON.stringify({ name: 'renamed', metadata: { webhookSecret: 'vault_2' } }),
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({
      name: 'renamed',
      metadata: { webhookSecret: 'vault_2' },
      revision: 2,
    });
    const stale = await fetch(url, {
      method: 'PATCH',
      headers: { ...json, 'if-match': '1' },
      body: JSON.stringify({ name: 'again' }),
    });
    expect(stale.status).toBe(409);
    const trail = (await (
      await fetch(`${base}/admin/orgs/org_audit/audit`, { headers: staff })
    ).json()) as {
      entries: { type: string; actor: string; reason: string | null; requestId: string }[];
    };
    expect(trail.entries.map((e) => [e.type, e.actor, e.reason])).toEqual([
      ['updated', 'ops@example.com', 'rename'],
      ['minted', 'ops@example.com', null],
    ]);
    expect(trail.entries[0]?.requestId).toBe('req_abc');
  });

  it('a well-formed request mints (201) and returns the key once', async () => {
    const res = await fetch(`${base}/admin/orgs/org_1/keys`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: 'ci', env: 'test', scopes: ['events:read'] }),
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { key: string }).key).toMatch(/^lp_test_/);
  });
});
