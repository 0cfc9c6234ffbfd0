// Express, Fastify and Hono over real sockets, each behind @coffer/api-keys' middleware: headers
// on every response, the 429 envelope byte for byte, Retry-After consistent with retryAfterMs,
// classes by route / classify / method, class and key isolation, tiers from the key, and no throw
// for a route the host forgot to classify.
import { once } from 'node:events';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ApiKeyVariables,
  apiKeyOf,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
  expressApiKeyAuth,
  fastifyApiKeyAuth,
  honoApiKeyAuth,
} from '@coffer/api-keys';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRateLimiter,
  expressRateLimit,
  fastifyRateLimit,
  honoRateLimit,
} from '../src/index.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function call(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string | string[]> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

const rule = (burst: number) => ({ rate: 1, per: 'minute', burst }) as const;
const policy = {
  standard: { 'read-light': rule(3), 'write-light': rule(2), 'long-running': rule(1) },
  partner: { 'read-light': rule(30), 'write-light': rule(20), 'long-running': rule(10) },
};
const classify = (path: string) =>
  path.startsWith('/v1/throws')
    ? (() => {
        throw new Error('classify bug');
      })()
    : path.startsWith('/v1/nonsense')
      ? 'no-such-class'
      : path.startsWith('/v1/search')
        ? 'long-running'
        : undefined;

const store = createMemoryApiKeyStore();
const hasher = createBcryptHasher({ cost: 4, threads: 1 });
const verifier = createApiKeyVerifier({ store, hasher });
const manager = createApiKeyManager({ store, hasher });

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
  // Express: app-wide limiter with classify, an explicit class on /v1/generate.
  const exLimits = expressRateLimit(createRateLimiter({ policy }), {
    apiKey: apiKeyOf,
    classify: (req) => classify((req as unknown as { originalUrl: string }).originalUrl) as never,
  });
  const ex = express();
  ex.use('/v1', expressApiKeyAuth(verifier));
  ex.post('/v1/generate', exLimits.as('long-running'), (_req, res) => {
    res.status(202).json({ ok: true });
  });
  ex.use('/v1', exLimits);
  ex.all('/v1/*rest', (_req, res) => {
    res.json({ ok: true });
  });
  ex.get('/unauthenticated/x', exLimits, (_req, res) => {
    res.json({ ok: true });
  });
  const exServer = ex.listen(0, '127.0.0.1');
  servers.push({
    name: 'express',
    port: await listen(exServer),
    close: () => new Promise((r) => exServer.close(() => r())),
  });

  // Fastify: hooks in order, the class in the route's config.
  const fa = Fastify();
  fa.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/unauthenticated')) return undefined;
    return fastifyApiKeyAuth(verifier)(request, reply);
  });
  fa.addHook(
    'onRequest',
    fastifyRateLimit(createRateLimiter({ policy }), {
      apiKey: apiKeyOf,
      classify: (request) => classify((request as unknown as { url: string }).url) as never,
    }),
  );
  fa.post('/v1/generate', { config: { endpointClass: 'long-running' } }, async (_req, reply) => {
    reply.code(202);
    return { ok: true };
  });
  fa.all('/v1/*', async () => ({ ok: true }));
  fa.get('/unauthenticated/x', async () => ({ ok: true }));
  await fa.listen({ port: 0, host: '127.0.0.1' });
  servers.push({
    name: 'fastify',
    port: (fa.server.address() as AddressInfo).port,
    close: () => fa.close(),
  });

  // Hono: app-wide limiter; the explicit class on /v1/generate wins because it runs first there.
  const hoLimits = honoRateLimit(createRateLimiter({ policy }), {
    classify: (c) => classify(new URL(c.req.raw.url).pathname) as never,
  });
  const ho = new Hono<{ Variables: ApiKeyVariables }>();
  ho.use('/v1/*', honoApiKeyAuth(verifier));
  ho.post('/v1/generate', hoLimits.as('long-running'), (c) => c.json({ ok: true }, 202));
  ho.use('/v1/*', hoLimits);
  ho.all('/v1/*', (c) => c.json({ ok: true }));
  ho.get('/unauthenticated/x', hoLimits, (c) => c.json({ ok: true }));
  const hoServer = serve({ fetch: ho.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  servers.push({
    name: 'hono',
    port: await listen(hoServer),
    close: () => new Promise((r) => hoServer.close(() => r())),
  });
});

afterAll(async () => {
  for (const s of servers) await s.close();
  await hasher.close();
});

const keyFor = async (tier?: string) =>
  (
    await manager.mint({
      organizationId: 'org_1',
      env: 'live',
      name: 'rl',
      ...(tier === undefined ? {} : { tier }),
    })
  ).key.expose();

const ENVELOPE =
  /^\{"error":\{"code":"RATE_LIMITED","requestId":"([^"]+)","details":\{"endpointClass":"([a-z-]+)","retryAfterMs":(\d+)\}\}\}$/;

for (const name of ['express', 'fastify', 'hono']) {
  describe(`${name}`, () => {
    const port = () => {
      const found = servers.find((s) => s.name === name);
      if (found === undefined) throw new Error('server not started');
      return found.port;
    };

    it('puts the rate-limit headers on every allowed response, with the defaults by method', async () => {
      const key = await keyFor();
      const get = await call(port(), 'GET', '/v1/items', { 'x-api-key': key });
      expect(get.status).toBe(200);
      expect({
        limit: get.headers['x-ratelimit-limit'],
        remaining: get.headers['x-ratelimit-remaining'],
        reset: get.headers['x-ratelimit-reset'],
        class: get.headers['x-ratelimit-endpoint-class'],
        tier: get.headers['x-ratelimit-tier'],
        retryAfter: get.headers['retry-after'],
      }).toEqual({
        limit: '3',
        remaining: '2',
        reset: '60',
        class: 'read-light',
        tier: 'standard',
        retryAfter: undefined,
      });
      const post = await call(port(), 'POST', '/v1/items', { 'x-api-key': key });
      expect(post.headers['x-ratelimit-endpoint-class']).toBe('write-light');
      expect(post.headers['x-ratelimit-remaining']).toBe('1');
      const del = await call(port(), 'DELETE', '/v1/items', { 'x-api-key': key });
      expect(del.headers['x-ratelimit-endpoint-class']).toBe('write-light');
      const head = await call(port(), 'HEAD', '/v1/items', { 'x-api-key': key });
      expect(head.headers['x-ratelimit-endpoint-class']).toBe('read-light');
    });

    it('answers 429 with the envelope byte for byte and Retry-After consistent with retryAfterMs', async () => {
      const key = await keyFor();
      const ok = await call(port(), 'POST', '/v1/generate', { 'x-api-key': key });
      expect(ok.status).toBe(202);
      expect(ok.headers['x-ratelimit-endpoint-class']).toBe('long-running');
      const refused = await call(port(), 'POST', '/v1/generate', {
        'x-api-key': key,
        'x-request-id': 'req_partner-trace.42',
      });
      expect(refused.status).toBe(429);
      const match = ENVELOPE.exec(refused.text);
      expect(match).not.toBeNull();
      const retryAfterMs = Number(match?.[3]);
      expect(refused.text).toBe(
        `{"error":{"code":"RATE_LIMITED","requestId":"req_partner-trace.42","details":{"endpointClass":"long-running","retryAfterMs":${retryAfterMs}}}}`,
      );
      expect(retryAfterMs).toBeGreaterThan(55_000);
      expect(retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(refused.headers['retry-after']).toBe(String(Math.ceil(retryAfterMs / 1000)));
      expect(refused.headers).toMatchObject({
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'x-ratelimit-limit': '1',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.ceil(retryAfterMs / 1000)),
        'x-ratelimit-endpoint-class': 'long-running',
        'x-ratelimit-tier': 'standard',
      });
      // The envelope is the seed's, and nothing more.
      expect(Object.keys(JSON.parse(refused.text).error)).toEqual(['code', 'requestId', 'details']);
    });

    it('a request id of the api-keys shape when the caller sends none (or a bad or doubled one)', async () => {
      const key = await keyFor();
      await call(port(), 'POST', '/v1/generate', { 'x-api-key': key });
      for (const extra of [{}, { 'x-request-id': 'has space' }, { 'x-request-id': ['a', 'b'] }]) {
        const refused = await call(port(), 'POST', '/v1/generate', { 'x-api-key': key, ...extra });
        expect(refused.status).toBe(429);
        expect(ENVELOPE.exec(refused.text)?.[1]).toMatch(/^req_[0-9a-hjkmnp-tv-z]{16}$/);
      }
    });

    it('exhausting long-running leaves read-light and write-light of the same key untouched', async () => {
      const key = await keyFor();
      await call(port(), 'POST', '/v1/generate', { 'x-api-key': key });
      for (let i = 0; i < 5; i++) {
        expect((await call(port(), 'POST', '/v1/generate', { 'x-api-key': key })).status).toBe(429);
      }
      const read = await call(port(), 'GET', '/v1/items', { 'x-api-key': key });
      expect([read.status, read.headers['x-ratelimit-remaining']]).toEqual([200, '2']);
      const write = await call(port(), 'PUT', '/v1/items', { 'x-api-key': key });
      expect([write.status, write.headers['x-ratelimit-remaining']]).toEqual([200, '1']);
    });

    it('two keys never share a bucket', async () => {
      const a = await keyFor();
      const b = await keyFor();
      await call(port(), 'POST', '/v1/generate', { 'x-api-key': a });
      expect((await call(port(), 'POST', '/v1/generate', { 'x-api-key': a })).status).toBe(429);
      const other = await call(port(), 'POST', '/v1/generate', { 'x-api-key': b });
      expect([other.status, other.headers['x-ratelimit-remaining']]).toEqual([202, '0']);
    });

    it("the key's tier picks the numbers and is named in X-RateLimit-Tier", async () => {
      const key = await keyFor('partner');
      const reply = await call(port(), 'POST', '/v1/generate', { 'x-api-key': key });
      expect(reply.headers['x-ratelimit-tier']).toBe('partner');
      expect(reply.headers['x-ratelimit-limit']).toBe('10');
      expect(reply.headers['x-ratelimit-remaining']).toBe('9');
    });

    it('classify decides where it answers; a throwing or unknown classify falls back to the method', async () => {
      const key = await keyFor();
      const search = await call(port(), 'GET', '/v1/search', { 'x-api-key': key });
      expect(search.headers['x-ratelimit-endpoint-class']).toBe('long-running');
      const thrown = await call(port(), 'POST', '/v1/throws', { 'x-api-key': key });
      expect([thrown.status, thrown.headers['x-ratelimit-endpoint-class']]).toEqual([
        200,
        'write-light',
      ]);
      const nonsense = await call(port(), 'GET', '/v1/nonsense', { 'x-api-key': key });
      expect([nonsense.status, nonsense.headers['x-ratelimit-endpoint-class']]).toEqual([
        200,
        'read-light',
      ]);
    });

    it('the auth middleware still answers first: a bad key is 401 without rate-limit headers', async () => {
      const reply = await call(port(), 'GET', '/v1/items', { 'x-api-key': 'lp_live_nope' });
      expect(reply.status).toBe(401);
      expect(reply.headers['x-ratelimit-limit']).toBeUndefined();
    });

    it('mounted without the API-key middleware: a 500 through the error handler, not a crash and not unlimited', async () => {
      const reply = await call(port(), 'GET', '/unauthenticated/x');
      expect(reply.status).toBe(500);
      expect(reply.headers['x-ratelimit-limit']).toBeUndefined();
      const after = await call(port(), 'GET', '/v1/items', { 'x-api-key': await keyFor() });
      expect(after.status).toBe(200);
    });
  });
}
