// The Redis store on both clients against the shared Redis: GCRA through the script, the key
// layout (prefix, hash tag, class), TTLs that end when the bucket is full, Redis's clock, the
// script's SHA, NOSCRIPT recovery, isolation of classes and keys, and malformed options.
import { createHash } from 'node:crypto';
import { createRateLimiter, type RateLimitDecision } from '@coffer/rate-limit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keySlot } from '../src/_key-slot.js';
import { RATE_LIMIT_SCRIPT, RATE_LIMIT_SCRIPT_SHA1 } from '../src/_rate-limit-script.js';
import { createRedisRateLimitStore } from '../src/index.js';
import { CLIENTS, connect, type TestClient } from './clients.js';
import { REDIS_URL, removePrefix, uniquePrefix } from './redis-server.js';

const prefix = uniquePrefix('store');
let admin: Redis;

beforeAll(async () => {
  admin = new Redis(REDIS_URL);
});
afterAll(async () => {
  await removePrefix(prefix);
  admin.disconnect();
});

const rule = (burst: number, perSecond: number) =>
  ({ rate: perSecond, per: 'second', burst }) as const;

it('the script SHA constant is the SHA-1 of the script text', () => {
  expect(createHash('sha1').update(RATE_LIMIT_SCRIPT).digest('hex')).toBe(RATE_LIMIT_SCRIPT_SHA1);
});

for (const name of CLIENTS) {
  describe(name, () => {
    let c: TestClient;
    const p = `${prefix}${name}:`;
    beforeAll(async () => {
      c = await connect(name, REDIS_URL);
    });
    afterAll(async () => {
      await c.close();
    });

    const limiterWith = (burst: number, perSecond: number, extra = {}) =>
      createRateLimiter({
        policy: {
          standard: { read: rule(burst, perSecond), write: rule(burst, perSecond) },
          partner: { read: rule(burst * 10, perSecond), write: rule(burst * 10, perSecond) },
        },
        store: createRedisRateLimitStore({ client: c.client, prefix: p }),
        denialCache: false,
        ...extra,
      });

    it('admits the burst, refuses the next with an exact wait, and stores one key with a TTL', async () => {
      const limiter = limiterWith(3, 1); // 3 at once, then one per second
      const keyId = `k-${Math.random()}`;
      const take = () => limiter.limit({ keyId, tier: 'standard', endpointClass: 'read' });
      const decisions: RateLimitDecision[] = [];
      for (let i = 0; i < 4; i++) decisions.push(await take());
      expect(decisions.map((d) => [d.allowed, d.remaining, d.source])).toEqual([
        [true, 2, 'store'],
        [true, 1, 'store'],
        [true, 0, 'store'],
        [false, 0, 'store'],
      ]);
      const refused = decisions[3] as RateLimitDecision;
      expect(refused.retryAfterMs).toBeGreaterThan(900);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(1000);
      const key = `${p}{${keyId}}:read`;
      expect(await admin.exists(key)).toBe(1);
      const ttl = await admin.pttl(key);
      expect(ttl).toBeGreaterThan(2800);
      expect(ttl).toBeLessThanOrEqual(3000);
      // The value is the bucket's TAT on Redis's clock, in µs.
      const [seconds, micros] = (await admin.time()) as [string | number, string | number];
      const redisNowUs = Number(seconds) * 1e6 + Number(micros);
      const tat = Number(await admin.get(key));
      expect(tat - redisNowUs).toBeGreaterThan(2_800_000);
      expect(tat - redisNowUs).toBeLessThanOrEqual(3_000_000);
      await new Promise((r) => setTimeout(r, refused.retryAfterMs + 20));
      expect((await take()).allowed).toBe(true);
    });

    it('an idle bucket vanishes once it is full again', async () => {
      const limiter = limiterWith(2, 20); // full again 50 ms after one request
      const keyId = `idle-${Math.random()}`;
      await limiter.limit({ keyId, tier: 'standard', endpointClass: 'read' });
      expect(await admin.exists(`${p}{${keyId}}:read`)).toBe(1);
      await new Promise((r) => setTimeout(r, 120));
      expect(await admin.exists(`${p}{${keyId}}:read`)).toBe(0);
    });

    it('classes of one key and keys of one class are separate buckets (one slot per key)', async () => {
      const limiter = limiterWith(1, 0.001);
      const a = `a-${Math.random()}`;
      const b = `b-${Math.random()}`;
      expect(
        (await limiter.limit({ keyId: a, tier: 'standard', endpointClass: 'write' })).allowed,
      ).toBe(true);
      expect(
        (await limiter.limit({ keyId: a, tier: 'standard', endpointClass: 'write' })).allowed,
      ).toBe(false);
      expect(
        (await limiter.limit({ keyId: a, tier: 'standard', endpointClass: 'read' })).allowed,
      ).toBe(true);
      expect(
        (await limiter.limit({ keyId: b, tier: 'standard', endpointClass: 'write' })).allowed,
      ).toBe(true);
      expect(keySlot(`${p}{${a}}:write`)).toBe(keySlot(`${p}{${a}}:read`));
    });

    it('the tier in effect comes from the policy; the bucket from the key id', async () => {
      const limiter = limiterWith(1, 0.001);
      const keyId = `t-${Math.random()}`;
      expect(
        (await limiter.limit({ keyId, tier: 'standard', endpointClass: 'read' })).allowed,
      ).toBe(true);
      const partner = await limiter.limit({ keyId, tier: 'partner', endpointClass: 'read' });
      expect([partner.allowed, partner.limit, partner.remaining, partner.tier]).toEqual([
        true,
        10,
        8,
        'partner',
      ]);
    });

    it('a bucket key holding something else is a store error, answered by the fallback', async () => {
      const events: unknown[] = [];
      const limiter = limiterWith(5, 1, { onStoreEvent: (e: unknown) => events.push(e) });
      const keyId = `w-${Math.random()}`;
      await admin.hset(`${p}{${keyId}}:read`, 'x', '1');
      const d = await limiter.limit({ keyId, tier: 'standard', endpointClass: 'read' });
      expect([d.allowed, d.source]).toEqual([true, 'fallback-local']);
      expect(events).toEqual([
        expect.objectContaining({ type: 'store-unavailable', reason: 'error' }),
      ]);
    });
  });
}

describe('createRedisRateLimitStore options', () => {
  it('refuses a client of no supported shape and a malformed prefix', () => {
    for (const client of [null, undefined, {}, 'redis://x', { call: 1 }]) {
      expect(() => createRedisRateLimitStore({ client: client as never })).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', details: { parameter: 'client' } }),
      );
    }
    for (const bad of ['{app}:', 'a}', 'x'.repeat(101), 7]) {
      expect(() =>
        createRedisRateLimitStore({ client: async () => 1, prefix: bad as never }),
      ).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', details: { parameter: 'prefix' } }),
      );
    }
  });

  it('keys are <prefix>{<keyId>}:<class>; a command function sees the key for routing', async () => {
    const seen: Array<[string[], string | undefined]> = [];
    const store = createRedisRateLimitStore({
      client: async (args, key) => {
        seen.push([args, key]);
        return 1000;
      },
    });
    expect(store.keyOf('01HX9Y6K7EJ4T2AB', 'read-light')).toBe(
      'coffer:rl:{01HX9Y6K7EJ4T2AB}:read-light',
    );
    const limiter = createRateLimiter({ store });
    await limiter.limit({
      keyId: '01HX9Y6K7EJ4T2AB',
      tier: 'standard',
      endpointClass: 'read-light',
    });
    expect(seen).toEqual([
      [
        [
          'EVALSHA',
          RATE_LIMIT_SCRIPT_SHA1,
          '1',
          'coffer:rl:{01HX9Y6K7EJ4T2AB}:read-light',
          '200000',
          '12000000',
        ],
        'coffer:rl:{01HX9Y6K7EJ4T2AB}:read-light',
      ],
    ]);
  });

  it('a reply that is not a bucket state is REDIS_REPLY (and never echoed)', async () => {
    for (const reply of ['OK', null, 0, 1.5, [1], 'secret-ish']) {
      const store = createRedisRateLimitStore({ client: async () => reply });
      const error = await store
        .take('k', { tier: 't', endpointClass: 'c', intervalUs: 1, burst: 1, capacityUs: 1 })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'REDIS_REPLY', retryable: true });
      expect(String((error as Error).message)).not.toContain('secret');
    }
  });
});
