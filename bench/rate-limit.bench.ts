// rate-limit: an in-memory decision against a bare Map get + set of the same key; Redis decisions
// per second at concurrency 64 against rate-limiter-flexible's RateLimiterRedis on the same Redis
// and client; the latency the Express middleware adds on Redis over loopback (p99); and the mixed
// load of the authentication guard (80 % valid keys, 15 % forged from a few addresses, 5 %
// garbage, 32 connections, Express + SQLite, bcrypt cost 12) against the same app without auth.
import { createRateLimiter, expressRateLimit } from '@coffer/rate-limit';
import { createRedisRateLimitStore } from '@coffer/redis';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { BenchContext } from './harness.ts';
import { runMixedLoad } from './rate-limit-mixed-load.ts';

const REDIS_URL = process.env.COFFER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const KEY_ID = '01HX9Y6K7EJ4T2AB';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export default async function (b: BenchContext): Promise<void> {
  // 1. In memory: one decision (policy lookup, GCRA, decision object) vs one Map get + set.
  const memory = createRateLimiter({
    policy: { standard: { 'read-light': { rate: 1_000_000, per: 'second', burst: 1_000_000 } } },
  });
  const request = { keyId: KEY_ID, tier: 'standard', endpointClass: 'read-light' } as const;
  const map = new Map<string, number>();
  const mapKey = `${KEY_ID}:read-light`;
  await b.compare({
    name: 'rate-limit: in-memory decision vs a bare Map get + set of the same key',
    target: 0.3,
    baseline: {
      name: 'Map get+set',
      fn: () => {
        map.set(mapKey, (map.get(mapKey) ?? 0) + 1);
      },
    },
    subject: () => memory.limit(request),
  });

  // 2. Redis, 64 decisions in flight from one process, on one ioredis client shared by both.
  const redis = new Redis(REDIS_URL);
  const prefix = `coffer-bench:${process.pid}:`;
  try {
    const wide = { rate: 1_000_000, per: 'second', burst: 1_000_000 } as const;
    const ours = createRateLimiter({
      policy: { standard: { 'read-light': wide, 'write-light': wide } },
      store: createRedisRateLimitStore({ client: redis, prefix: `${prefix}ours:` }),
      storeTimeoutMs: 5000,
    });
    const flexible = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}rlf`,
      points: 1_000_000_000,
      duration: 60,
    });
    const keys = Array.from({ length: 512 }, (_, i) => `key-${i}`);
    let n = 0;
    const batch64 = (decide: (key: string) => Promise<unknown>) => {
      const all: Promise<unknown>[] = [];
      for (let i = 0; i < 64; i++) all.push(decide(keys[n++ % keys.length] as string));
      return Promise.all(all);
    };
    const ourDecision = async (keyId: string) => {
      const d = await ours.limit({ keyId, tier: 'standard', endpointClass: 'read-light' });
      if (d.source !== 'store') throw new Error(`bench decision came from ${d.source}`);
    };
    await batch64(ourDecision);
    await batch64((key) => flexible.consume(key));
    await b.compare({
      name: 'rate-limit: Redis decisions/s at concurrency 64 vs rate-limiter-flexible RateLimiterRedis (same Redis, same ioredis client)',
      target: 1.0,
      baseline: {
        name: 'RateLimiterRedis.consume',
        fn: () => batch64((key) => flexible.consume(key)),
      },
      subject: () => batch64(ourDecision),
      roundMs: 400,
    });

    // 3. The latency the Express middleware adds, on Redis over loopback: from the middleware's
    // call to its next(), one request at a time, p99 over many.
    let fromStore = 0;
    const measured = createRateLimiter({
      policy: { standard: { 'read-light': wide, 'write-light': wide } },
      store: createRedisRateLimitStore({ client: redis, prefix: `${prefix}mw:` }),
      onDecision: (d) => {
        if (d.source === 'store') fromStore += 1;
      },
    });
    const limits = expressRateLimit(measured, {
      apiKey: () => ({ keyId: KEY_ID, tier: 'standard' }),
    });
    const res = { status: () => res, setHeader: () => res, end: () => res };
    const once = () =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        limits({ method: 'GET', headers: {} }, res, (error?: unknown) =>
          error === undefined ? resolve(performance.now() - started) : reject(error),
        );
      });
    const ping = async () => {
      const started = performance.now();
      await redis.ping();
      return performance.now() - started;
    };
    for (let i = 0; i < 500; i++) await once();
    // Interleaved with a bare PING on the same client, so both see the same machine.
    const samples: number[] = [];
    const pings: number[] = [];
    fromStore = 0;
    for (let i = 0; i < 5000; i++) {
      samples.push(await once());
      pings.push(await ping());
    }
    if (fromStore !== 5000) throw new Error(`only ${fromStore} of 5000 decisions went to Redis`);
    samples.sort((x, y) => x - y);
    pings.sort((x, y) => x - y);
    b.report({
      name: 'rate-limit: a bare ioredis PING round trip over loopback, p50',
      value: Math.round(percentile(pings, 50) * 1000) / 1000,
      unit: 'ms',
    });
    b.report({
      name: 'rate-limit: a bare ioredis PING round trip over loopback, p99 (the noise floor)',
      value: Math.round(percentile(pings, 99) * 1000) / 1000,
      unit: 'ms',
    });
    b.report({
      name: 'rate-limit: added latency of the Express middleware on Redis over loopback, p50',
      value: Math.round(percentile(samples, 50) * 1000) / 1000,
      unit: 'ms',
    });
    b.report({
      name: 'rate-limit: added latency of the Express middleware on Redis over loopback, p99',
      value: Math.round(percentile(samples, 99) * 1000) / 1000,
      unit: 'ms',
      target: 1,
      atMost: true,
    });
  } finally {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (found.length > 0) await redis.del(...found);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  }

  // 4. The guard in front of authentication under the mixed load.
  await runMixedLoad(b);
}
