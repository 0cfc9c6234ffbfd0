// The admin API answers a caller's mistakes as 4xx in the error envelope, never as a 500.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiKeyManager, createBcryptHasher, createMemoryApiKeyStore } from '@coffer/api-keys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApi } from '../src/app.ts';

const hasher = createBcryptHasher({ cost: 4, threads: 0 });
const manager = createApiKeyManager({ store: createMemoryApiKeyStore(), hasher });
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
    const res = await fetch(`${base}/admin/orgs/org_1/keys`, { method: 'POST', headers, body });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: { code: string; requestId: string } };
    expect(json.error.code).toBe('INVALID_INPUT');
    expect(json.error.requestId).toMatch(/^req_/);
  });

  it('an unknown key id → 404 NOT_FOUND; a malformed one → 400', async () => {
    expect(
      (await fetch(`${base}/admin/keys/0000000000000000/kill`, { method: 'POST' })).status,
    ).toBe(404);
    expect((await fetch(`${base}/admin/keys/nope/kill`, { method: 'POST' })).status).toBe(400);
  });

  it('a well-formed request mints (201) and returns the key once', async () => {
    const res = await fetch(`${base}/admin/orgs/org_1/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ci', env: 'test', scopes: ['events:read'] }),
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { key: string }).key).toMatch(/^lp_test_/);
  });
});
