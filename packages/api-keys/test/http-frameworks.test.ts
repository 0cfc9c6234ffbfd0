import { once } from 'node:events';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiKeyVariables,
  type ApiKeyVerifier,
  apiKeyOf,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
  expressApiKeyAuth,
  fastifyApiKeyAuth,
  honoApiKeyAuth,
} from '../src/index.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: {
    error?: { code: string; message: string; requestId: string; details: Record<string, unknown> };
  } & Record<string, unknown>;
}

/** A plain HTTP request; an array value sends the header once per element. */
function call(
  port: number,
  path: string,
  headers: Record<string, string | string[]> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: JSON.parse(text) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const store = createMemoryApiKeyStore();
const hasher = createBcryptHasher({ cost: 4, threads: 1 });
let verifier: ApiKeyVerifier;
const manager = createApiKeyManager({ store, hasher, onChange: (c) => verifier.invalidate(c) });
verifier = createApiKeyVerifier({ store, hasher });
// A host that keeps the refusal of disagreeing headers.
const strictVerifier = createApiKeyVerifier({ store, hasher, conflictingHeaders: 'reject' });
const failingVerifier: ApiKeyVerifier = {
  verify: async () => {
    throw new Error('connection refused: postgres://admin:hunter2@db');
  },
  authenticate: async () => {
    throw new Error('connection refused: postgres://admin:hunter2@db');
  },
  invalidate: () => {},
};

interface Running {
  name: string;
  port: number;
  close: () => Promise<void>;
}
const servers: Running[] = [];

async function listen(server: Server): Promise<number> {
  if (!server.listening) await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  const ex = express();
  ex.use('/v1', expressApiKeyAuth(verifier));
  ex.use('/pii', expressApiKeyAuth(verifier, { requiredScopes: ['events:read+pii'] }));
  ex.use('/broken', expressApiKeyAuth(failingVerifier));
  ex.use('/strict', expressApiKeyAuth(strictVerifier));
  for (const path of ['/v1/whoami', '/pii/whoami', '/broken/whoami', '/strict/whoami']) {
    ex.get(path, (req, res) => {
      res.json({ organizationId: apiKeyOf(req).organizationId, scopes: apiKeyOf(req).scopes });
    });
  }
  const exServer = ex.listen(0, '127.0.0.1');
  servers.push({
    name: 'express',
    port: await listen(exServer),
    close: async () => void exServer.close(),
  });

  const fa = Fastify();
  fa.register(async (scope) => {
    scope.addHook('onRequest', fastifyApiKeyAuth(verifier));
    scope.get('/v1/whoami', async (request) => ({
      organizationId: apiKeyOf(request).organizationId,
      scopes: apiKeyOf(request).scopes,
    }));
  });
  fa.register(async (scope) => {
    scope.addHook(
      'onRequest',
      fastifyApiKeyAuth(verifier, { requiredScopes: ['events:read+pii'] }),
    );
    scope.get('/pii/whoami', async (request) => ({
      organizationId: apiKeyOf(request).organizationId,
    }));
  });
  fa.register(async (scope) => {
    scope.addHook('onRequest', fastifyApiKeyAuth(failingVerifier));
    scope.get('/broken/whoami', async () => ({}));
  });
  fa.register(async (scope) => {
    scope.addHook('onRequest', fastifyApiKeyAuth(strictVerifier));
    scope.get('/strict/whoami', async () => ({}));
  });
  await fa.listen({ port: 0, host: '127.0.0.1' });
  servers.push({
    name: 'fastify',
    port: (fa.server.address() as AddressInfo).port,
    close: () => fa.close(),
  });

  const ho = new Hono<{ Variables: ApiKeyVariables }>();
  ho.use('/v1/*', honoApiKeyAuth(verifier));
  ho.use('/pii/*', honoApiKeyAuth(verifier, { requiredScopes: ['events:read+pii'] }));
  ho.use('/broken/*', honoApiKeyAuth(failingVerifier));
  ho.use('/strict/*', honoApiKeyAuth(strictVerifier));
  for (const path of ['/v1/whoami', '/pii/whoami', '/broken/whoami', '/strict/whoami']) {
    ho.get(path, (c) =>
      c.json({ organizationId: c.get('apiKey').organizationId, scopes: c.get('apiKey').scopes }),
    );
  }
  const hoServer = serve({ fetch: ho.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  servers.push({
    name: 'hono',
    port: await listen(hoServer),
    close: async () => void hoServer.close(),
  });
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await hasher.close();
});

describe.each(['express', 'fastify', 'hono'])('%s middleware on a real port', (name) => {
  const port = (): number => {
    const found = servers.find((s) => s.name === name);
    if (found === undefined) throw new Error(`${name} did not start`);
    return found.port;
  };

  it('lets a valid key in through X-Api-Key or Authorization: Bearer', async () => {
    const m = await manager.mint({
      organizationId: `org_${name}`,
      env: 'live',
      name: 'n',
      scopes: ['events:read'],
    });
    const key = m.key.expose();
    for (const headers of [
      { 'x-api-key': key },
      { authorization: `Bearer ${key}` },
      { 'x-api-key': key, authorization: `Bearer ${key}` },
    ]) {
      const reply = await call(port(), '/v1/whoami', headers);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ organizationId: `org_${name}`, scopes: ['events:read'] });
    }
  });

  it('answers every refusal with the error envelope and the right status', async () => {
    const m = await manager.mint({
      organizationId: `org_${name}_2`,
      env: 'test',
      name: 'n',
      scopes: ['events:read'],
    });
    const other = await manager.mint({ organizationId: `org_${name}_2`, env: 'test', name: 'n2' });
    const key = m.key.expose();

    const missing = await call(port(), '/v1/whoami', { 'x-request-id': 'req_client_1' });
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(missing.body).toEqual({
      error: {
        code: 'UNAUTHENTICATED',
        message: expect.stringContaining('X-Api-Key'),
        requestId: 'req_client_1',
        details: { reason: 'missing' },
      },
    });

    // Both headers: X-Api-Key wins and Authorization is not read (the partner contract).
    const both = await call(port(), '/v1/whoami', {
      'x-api-key': key,
      authorization: `Bearer ${other.key.expose()}`,
    });
    expect(both.status).toBe(200);
    expect(both.body).toEqual({ organizationId: `org_${name}_2`, scopes: ['events:read'] });
    const conflicting = await call(port(), '/strict/whoami', {
      'x-api-key': key,
      authorization: `Bearer ${other.key.expose()}`,
    });
    expect(conflicting.status).toBe(401);
    expect(conflicting.body.error?.details).toEqual({ reason: 'conflicting_headers' });
    expect(conflicting.body.error?.requestId).toMatch(/^req_[0-9a-z]{16}$/);

    const repeated = await call(port(), '/v1/whoami', { 'x-api-key': [key, other.key.expose()] });
    expect(repeated.status).toBe(401);

    const garbage = await call(port(), '/v1/whoami', { 'x-api-key': 'lp_live_nope' });
    expect(garbage.status).toBe(401);
    expect(garbage.body.error?.code).toBe('UNAUTHENTICATED');

    const scope = await call(port(), '/pii/whoami', { 'x-api-key': key });
    expect(scope.status).toBe(403);
    expect(scope.body.error).toMatchObject({
      code: 'FORBIDDEN_SCOPE',
      details: { missing: ['events:read+pii'] },
    });

    await manager.kill(m.keyId);
    const killed = await call(port(), '/v1/whoami', { 'x-api-key': key });
    expect(killed.status).toBe(503);
    expect(killed.body.error).toMatchObject({
      code: 'KILL_SWITCH',
      details: { scope: 'key', keyId: m.keyId },
    });
    expect(killed.headers['retry-after']).toBeUndefined();

    await manager.revoke(m.keyId);
    const revoked = await call(port(), '/v1/whoami', { 'x-api-key': key });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error).toMatchObject({ code: 'REVOKED', details: { keyId: m.keyId } });

    for (const reply of [missing, conflicting, garbage, scope, killed, revoked]) {
      expect(JSON.stringify(reply.body)).not.toContain(key.slice(-43));
      expect(reply.headers['content-type']).toMatch(/^application\/json/);
    }
  });

  it('the global kill switch answers 503 before the headers are read, even with no key', async () => {
    const m = await manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    await manager.setGlobalKillSwitch(true);
    try {
      for (const headers of [
        {},
        { 'x-api-key': m.key.expose() },
        { 'x-api-key': m.key.expose(), authorization: 'Bearer other' },
      ]) {
        const reply = await call(port(), '/v1/whoami', headers);
        expect(reply.status).toBe(503);
        expect(reply.body.error).toMatchObject({
          code: 'KILL_SWITCH',
          details: { scope: 'global' },
        });
      }
    } finally {
      await manager.setGlobalKillSwitch(false);
    }
    expect((await call(port(), '/v1/whoami', { 'x-api-key': m.key.expose() })).status).toBe(200);
  });

  it('an unexpected failure is a 500 INTERNAL that reveals nothing', async () => {
    const m = await manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const reply = await call(port(), '/broken/whoami', { 'x-api-key': m.key.expose() });
    expect(reply.status).toBe(500);
    expect(reply.body.error?.code).toBe('INTERNAL');
    expect(JSON.stringify(reply.body)).not.toContain('hunter2');
  });
});
