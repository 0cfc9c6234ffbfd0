// @coffer/rate-limit in this runtime: the in-memory limiter (GCRA on a clock the check drives, and
// on the runtime's own clock), the 429 envelope, honoRateLimit behind honoApiKeyAuth in a Hono
// app's fetch, and the authentication guard refusing an address before any compare.
import { type ApiKeyVariables, createApiKeyVerifier, honoApiKeyAuth } from '@coffer/api-keys';
import {
  createAuthenticationGuard,
  createMemoryRateLimitStore,
  createRateLimiter,
  honoRateLimit,
  type RateLimitDecision,
  rateLimitedResponse,
} from '@coffer/rate-limit';
import { Hono } from 'hono';
import { verifierForNodeKeys } from './api-keys-setup.ts';
import type { CheckContext } from './check.ts';
import { equal, group, ok } from './check.ts';

const ENVELOPE =
  /^\{"error":\{"code":"RATE_LIMITED","requestId":"req_[0-9a-hjkmnp-tv-z]{16}","details":\{"endpointClass":"long-running","retryAfterMs":(\d+)\}\}\}$/;

export const rateLimitChecks = group('rate-limit', [
  {
    name: 'the in-memory limiter: the burst at once, then refused with the exact wait; buckets per key and class',
    run: () => {
      const now = { ms: 0 };
      const limiter = createRateLimiter({
        policy: {
          standard: {
            read: { rate: 2, per: 'second', burst: 3 },
            write: { rate: 1, per: 'minute', burst: 1 },
          },
        },
        store: createMemoryRateLimitStore({ clock: () => now.ms }),
      });
      const take = (keyId: string, endpointClass: 'read' | 'write') =>
        limiter.limit({ keyId, tier: 'standard', endpointClass }) as RateLimitDecision;
      equal(
        [take('k', 'read'), take('k', 'read'), take('k', 'read')].map((d) => d.remaining),
        [2, 1, 0],
        'burst remaining',
      );
      const refused = take('k', 'read');
      equal(
        [refused.allowed, refused.retryAfterMs, refused.source],
        [false, 500, 'store'],
        'refused',
      );
      ok(take('k', 'write').allowed && take('other', 'read').allowed, 'other buckets untouched');
      now.ms = 499;
      ok(!take('k', 'read').allowed, '1 ms early: refused');
      now.ms = 500;
      ok(take('k', 'read').allowed, 'after retryAfterMs: admitted');
      const denied = take('k', 'write');
      const response = rateLimitedResponse(denied, 'req_0123456789abcdef');
      equal(
        response.body,
        '{"error":{"code":"RATE_LIMITED","requestId":"req_0123456789abcdef","details":{"endpointClass":"write","retryAfterMs":59500}}}',
        'envelope (taken at 0, refused at 500 ms)',
      );
      equal(response.headers['retry-after'], '60', 'Retry-After');
    },
  },
  {
    name: "the default store on this runtime's own clock admits the burst and refuses the next",
    run: async () => {
      const limiter = createRateLimiter({
        policy: { standard: { read: { rate: 1, per: 'hour', burst: 2 } } },
      });
      const request = { keyId: 'k', tier: 'standard', endpointClass: 'read' } as const;
      const decisions = [await limiter.limit(request), await limiter.limit(request)];
      // A clock that stands still during a request (workerd's) only makes the limiter stricter.
      await new Promise((resolve) => setTimeout(resolve, 5));
      const third = await limiter.limit(request);
      equal(
        [...decisions.map((d) => d.allowed), third.allowed],
        [true, true, false],
        'burst then refusal',
      );
      ok(third.retryAfterMs > 3_500_000 && third.retryAfterMs <= 3_600_000, 'wait about an hour');
    },
  },
  {
    name: 'honoRateLimit behind honoApiKeyAuth: headers on every response, the 429 envelope, classes apart',
    run: async ({ fixture }: CheckContext) => {
      const { verifier, hasher } = await verifierForNodeKeys(fixture);
      try {
        const rule = (burst: number) => ({ rate: 1, per: 'minute', burst }) as const;
        const limits = honoRateLimit(
          createRateLimiter({
            policy: {
              standard: { 'read-light': rule(3), 'write-light': rule(2), 'long-running': rule(1) },
            },
          }),
        );
        const app = new Hono<{ Variables: ApiKeyVariables }>();
        app.use('/v1/*', honoApiKeyAuth(verifier));
        app.get('/v1/projects', limits, (c) => c.json([]));
        app.post('/v1/generate', limits.as('long-running'), (c) => c.json({}, 202));
        const call = (method: string, path: string) =>
          app.fetch(
            new Request(`http://coffer.test${path}`, {
              method,
              headers: { 'x-api-key': fixture.apiKeys.keys.valid },
            }),
          );
        const read = await call('GET', '/v1/projects');
        equal(
          [
            read.status,
            read.headers.get('x-ratelimit-limit'),
            read.headers.get('x-ratelimit-remaining'),
            read.headers.get('x-ratelimit-reset'),
            read.headers.get('x-ratelimit-endpoint-class'),
            read.headers.get('x-ratelimit-tier'),
          ],
          [200, '3', '2', '60', 'read-light', 'standard'],
          'allowed read',
        );
        equal((await call('POST', '/v1/generate')).status, 202, 'first long-running');
        const refused = await call('POST', '/v1/generate');
        equal(
          [
            refused.status,
            refused.headers.get('retry-after'),
            refused.headers.get('content-type'),
            refused.headers.get('x-ratelimit-remaining'),
          ],
          [429, '60', 'application/json; charset=utf-8', '0'],
          '429 headers',
        );
        const body = await refused.text();
        const waited = Number(ENVELOPE.exec(body)?.[1]);
        ok(waited > 59_000 && waited <= 60_000, `429 envelope byte for byte: ${body}`);
        equal(
          (await call('GET', '/v1/projects')).headers.get('x-ratelimit-remaining'),
          '1',
          'read-light untouched by long-running',
        );
      } finally {
        await hasher.close();
      }
    },
  },
  {
    name: 'the authentication guard refuses an address past its budget before any compare',
    run: async ({ fixture }: CheckContext) => {
      const { store, hasher } = await verifierForNodeKeys(fixture);
      let compares = 0;
      const verifier = createApiKeyVerifier({
        store,
        hasher: {
          hash: (k) => hasher.hash(k),
          dummyHash: () => hasher.dummyHash(),
          close: () => hasher.close(),
          verify: (k, h) => {
            compares += 1;
            return hasher.verify(k, h);
          },
        },
        failedAttempts: false,
        guard: createAuthenticationGuard({
          perAddress: { rate: 1, per: 'hour', burst: 1 },
          // No socket outside Node: the platform's header (Workers: CF-Connecting-IP).
          clientAddress: (request) =>
            request instanceof Request ? request.headers.get('cf-connecting-ip') : null,
        }),
      });
      try {
        const app = new Hono<{ Variables: ApiKeyVariables }>();
        app.use('/v1/*', honoApiKeyAuth(verifier));
        app.get('/v1/whoami', (c) => c.json({ organizationId: c.get('apiKey').organizationId }));
        const call = async (key: string, address: string) => {
          const res = await app.fetch(
            new Request('http://coffer.test/v1/whoami', {
              headers: { 'x-api-key': key, 'cf-connecting-ip': address },
            }),
          );
          const body = (await res.json()) as { error?: { code: string } };
          return [res.status, body.error?.code ?? 'ok'];
        };
        const unknown = fixture.apiKeys.keys.unknown;
        equal(await call(unknown, '203.0.113.9'), [401, 'UNAUTHENTICATED'], 'first forgery');
        equal(await call(unknown, '203.0.113.9'), [429, 'RATE_LIMITED'], 'second: refused');
        equal(compares, 1, 'one compare');
        equal(
          await call(fixture.apiKeys.keys.valid, '198.51.100.7'),
          [200, 'ok'],
          'another address',
        );
      } finally {
        await hasher.close();
      }
    },
  },
]);
