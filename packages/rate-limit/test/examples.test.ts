// Every @example in the package's TSDoc, run as written (imports from the package root; the
// results their comments promise are asserted).
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
} from '@coffer/api-keys';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AuthenticationThrottledError,
  createAuthenticationGuard,
  createClientAddressResolver,
  createMemoryRateLimitStore,
  createRateLimiter,
  DEFAULT_RATE_POLICY,
  endpointClassByMethod,
  expressRateLimit,
  fastifyRateLimit,
  honoClientAddress,
  honoRateLimit,
  RateLimitKeyMissingError,
  type RateLimitStore,
  rateLimitedResponse,
  rateLimitHeaders,
  rememberClientAddress,
} from '../src/index.js';

const hasher = createBcryptHasher({ cost: 4, threads: 1 });
afterAll(() => hasher.close());
const store = createMemoryApiKeyStore();
const verifier: ApiKeyVerifier = createApiKeyVerifier({ store, hasher });
const manager = createApiKeyManager({ store, hasher });

describe('TSDoc examples', () => {
  it('AuthenticationThrottledError', () => {
    const err = new AuthenticationThrottledError('address', 1200);
    expect([err.code, err.status, err.details]).toEqual([
      'RATE_LIMITED',
      429,
      { retryAfterMs: 1200, reason: 'address' },
    ]);
    expect(err.retryable).toBe(true);
  });

  it('RateLimitKeyMissingError', () => {
    expect(new RateLimitKeyMissingError().status).toBe(500);
    expect(new RateLimitKeyMissingError().code).toBe('API_KEY_MISSING');
  });

  it('DEFAULT_RATE_POLICY', () => {
    expect(DEFAULT_RATE_POLICY.standard['write-light']).toEqual({
      rate: 60,
      per: 'minute',
      burst: 20,
    });
  });

  it('RateLimitStore and createMemoryRateLimitStore', async () => {
    const s: RateLimitStore = createMemoryRateLimitStore();
    expect(s.local).toBe(true);
    const limiter = createRateLimiter({
      store: createMemoryRateLimitStore({ maxEntries: 10_000 }),
    });
    const decision = await limiter.limit({
      keyId: '01HX9Y6K7EJ4T2AB',
      tier: 'standard',
      endpointClass: 'read-light',
    });
    expect(decision.allowed).toBe(true);
  });

  it('createRateLimiter', async () => {
    const limiter = createRateLimiter();
    const decision = await limiter.limit({
      keyId: '01HX9Y6K7EJ4T2AB',
      tier: 'standard',
      endpointClass: 'write-light',
    });
    expect(decision.allowed).toBe(true);
    expect(decision.limit).toBe(20);
    expect(decision.remaining).toBe(19);
    const custom = createRateLimiter({
      policy: {
        free: {
          search: { rate: 1, per: 'second', burst: 5 },
          export: { rate: 2, per: 'hour', burst: 1 },
        },
        paid: {
          search: { rate: 20, per: 'second', burst: 50 },
          export: { rate: 1, per: 'minute', burst: 3 },
        },
      },
      defaultTier: 'free',
    });
    expect(custom.endpointClasses).toEqual(['search', 'export']);
  });

  it('rateLimitHeaders', async () => {
    const limiter = createRateLimiter();
    const decision = await limiter.limit({
      keyId: '01HX9Y6K7EJ4T2AB',
      tier: 'standard',
      endpointClass: 'read-light',
    });
    expect(rateLimitHeaders(decision)['x-ratelimit-remaining']).toBe('59');
  });

  it('rateLimitedResponse', async () => {
    const limiter = createRateLimiter({
      policy: { standard: { 'write-light': { rate: 1, per: 'minute', burst: 1 } } },
      store: createMemoryRateLimitStore({ clock: () => 0 }),
    });
    const request = {
      keyId: '01HX9Y6K7EJ4T2AB',
      tier: 'standard',
      endpointClass: 'write-light',
    } as const;
    await limiter.limit(request);
    const refused = await limiter.limit(request);
    const response = rateLimitedResponse(refused, 'req_7k2m9q4w1x8c3v5b');
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('60');
    expect(response.body).toBe(
      '{"error":{"code":"RATE_LIMITED","requestId":"req_7k2m9q4w1x8c3v5b","details":{"endpointClass":"write-light","retryAfterMs":60000}}}',
    );
  });

  it('endpointClassByMethod', () => {
    expect(endpointClassByMethod('GET')).toBe('read-light');
    expect(endpointClassByMethod('post')).toBe('write-light');
  });

  it('expressRateLimit', async () => {
    const limits = expressRateLimit(createRateLimiter(), { apiKey: apiKeyOf });
    const app = express();
    app.use('/v1', expressApiKeyAuth(verifier));
    app.get('/v1/projects', limits, (_req, res) => {
      res.json([]);
    });
    app.post('/v1/generate', limits.as('long-running'), (_req, res) => {
      res.status(202).json({});
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    const key = (await manager.mint({ organizationId: 'o', env: 'live', name: 'n' })).key.expose();
    const res = await fetch(`http://127.0.0.1:${port}/v1/generate`, {
      method: 'POST',
      headers: { 'x-api-key': key },
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-ratelimit-endpoint-class')).toBe('long-running');
    await new Promise((r) => server.close(r));
  });

  it('fastifyRateLimit', async () => {
    const app = Fastify();
    app.addHook('onRequest', fastifyApiKeyAuth(verifier));
    app.addHook('onRequest', fastifyRateLimit(createRateLimiter(), { apiKey: apiKeyOf }));
    app.get('/v1/projects', async () => []);
    app.post('/v1/generate', { config: { endpointClass: 'long-running' } }, async () => ({}));
    const key = (await manager.mint({ organizationId: 'o', env: 'live', name: 'n' })).key.expose();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/generate',
      headers: { 'x-api-key': key },
    });
    expect(res.headers['x-ratelimit-endpoint-class']).toBe('long-running');
    const get = await app.inject({
      method: 'GET',
      url: '/v1/projects',
      headers: { 'x-api-key': key },
    });
    expect(get.headers['x-ratelimit-endpoint-class']).toBe('read-light');
    await app.close();
  });

  it('honoRateLimit and honoClientAddress', async () => {
    const limits = honoRateLimit(createRateLimiter());
    const app = new Hono<{ Variables: ApiKeyVariables }>();
    app.use('/v1/*', honoClientAddress(), honoApiKeyAuth(verifier));
    app.get('/v1/projects', limits, (c) => c.json([]));
    app.post('/v1/generate', limits.as('long-running'), (c) => c.json({}, 202));
    const key = (await manager.mint({ organizationId: 'o', env: 'live', name: 'n' })).key.expose();
    const res = await app.request('/v1/generate', {
      method: 'POST',
      headers: { 'x-api-key': key },
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-ratelimit-endpoint-class')).toBe('long-running');
  });

  it('createClientAddressResolver and rememberClientAddress', () => {
    const clientAddress = createClientAddressResolver({ trustProxy: { hops: 1 } });
    expect(
      clientAddress({
        socket: { remoteAddress: '10.0.0.2' },
        headers: { 'x-forwarded-for': '198.51.100.7, 203.0.113.9' },
      }),
    ).toBe('203.0.113.9');
    expect(
      createClientAddressResolver()({ socket: { remoteAddress: '::ffff:10.0.0.2' }, headers: {} }),
    ).toBe('10.0.0.2');
    const request = new Request('http://localhost/v1/whoami');
    rememberClientAddress(request, '203.0.113.9');
    expect(createClientAddressResolver()(request)).toBe('203.0.113.9');
  });

  it('createAuthenticationGuard', async () => {
    const guard = createAuthenticationGuard({
      trustProxy: { hops: 1 },
      perAddress: { rate: 10, per: 'minute', burst: 10 },
    });
    const cheap = createBcryptHasher({ cost: 4 });
    const guarded = createApiKeyVerifier({
      store: createMemoryApiKeyStore(),
      hasher: cheap,
      guard,
    });
    await expect(guarded.verify('lp_live_x')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await cheap.close();
  });
});
