// Production takes only live keys, the sandbox only test keys; the refusal is the full envelope.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
} from '@coffer/api-keys';
import { afterAll, describe, expect, it } from 'vitest';
import { createPartnerApi } from '../src/app.ts';

const store = createMemoryApiKeyStore();
const hasher = createBcryptHasher({ cost: 4, threads: 0 });
const verifier = createApiKeyVerifier({ store, hasher });
const manager = createApiKeyManager({ store, hasher });
const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers) server.close();
  await hasher.close();
});

async function serve(env?: 'live' | 'test'): Promise<string> {
  const server = createPartnerApi(verifier, env === undefined ? {} : { env }).listen(
    0,
    '127.0.0.1',
  );
  servers.push(server);
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/whoami`;
}

describe('examples/express-api-keys: one environment per deployment', () => {
  it('production (the default) refuses a genuine test key with 403 WRONG_KEY_ENVIRONMENT', async () => {
    const production = await serve();
    const sandbox = await serve('test');
    const live = await manager.mint({ organizationId: 'org_1', env: 'live', name: 'prod' });
    const test = await manager.mint({ organizationId: 'org_1', env: 'test', name: 'ci' });

    const refused = await fetch(production, {
      headers: { 'x-api-key': test.key.expose(), 'x-request-id': 'req-env-1' },
    });
    expect(refused.status).toBe(403);
    const text = await refused.text();
    expect(JSON.parse(text)).toEqual({
      error: {
        code: 'WRONG_KEY_ENVIRONMENT',
        message: expect.stringContaining('accepts only live keys'),
        requestId: 'req-env-1',
        details: { expected: 'live', actual: 'test' },
      },
    });
    expect(text).not.toContain(test.key.expose().slice(-43));

    const ok = async (url: string, key: string) =>
      (await fetch(url, { headers: { 'x-api-key': key } })).status;
    expect(await ok(production, live.key.expose())).toBe(200);
    expect(await ok(sandbox, test.key.expose())).toBe(200);
    expect(await ok(sandbox, live.key.expose())).toBe(403);
  });
});
