// Decisions asked for in one tick go to Redis as one script call: correct per bucket (also for
// one bucket asked twice), on both clients; per hash slot on a cluster (switched on by CROSSSLOT);
// malformed batch replies; and the slot function against Redis Cluster's published values.
import { createHash } from 'node:crypto';
import { createRateLimiter, type RateLimitDecision } from '@coffer/rate-limit';
import { afterAll, describe, expect, it } from 'vitest';
import { keySlot } from '../src/_key-slot.js';
import {
  RATE_LIMIT_BATCH_SCRIPT,
  RATE_LIMIT_BATCH_SCRIPT_SHA1,
} from '../src/_rate-limit-script.js';
import { createRedisRateLimitStore, type RedisCommandFunction } from '../src/index.js';
import { CLIENTS, connect } from './clients.js';
import { REDIS_URL, removePrefix, uniquePrefix } from './redis-server.js';

const prefix = uniquePrefix('batching');
afterAll(() => removePrefix(prefix));

const rule = { rate: 1, per: 'minute', burst: 10 } as const;
const policy = { standard: { read: rule, write: rule } };

it('the batch script SHA constant is the SHA-1 of its text', () => {
  expect(createHash('sha1').update(RATE_LIMIT_BATCH_SCRIPT).digest('hex')).toBe(
    RATE_LIMIT_BATCH_SCRIPT_SHA1,
  );
});

it('keySlot matches Redis Cluster (CRC16/XMODEM, hash tags)', () => {
  expect(keySlot('foo')).toBe(12182);
  expect(keySlot('bar')).toBe(5061);
  expect(keySlot('hello')).toBe(866);
  expect(keySlot('123456789')).toBe(0x31c3 % 16384);
  expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
  expect(keySlot('{}.x')).toBe(keySlot('{}.x')); // empty tag: the whole key
  expect(keySlot('{}.x')).not.toBe(keySlot(''));
  expect(keySlot('coffer:rl:{K}:read')).toBe(keySlot('coffer:rl:{K}:write'));
});

for (const name of CLIENTS) {
  describe(name, () => {
    it('64 concurrent decisions in one batch: exact per bucket, in the order asked', async () => {
      const c = await connect(name, REDIS_URL);
      try {
        const limiter = createRateLimiter({
          policy,
          store: createRedisRateLimitStore({ client: c.client, prefix: `${prefix}${name}:` }),
          denialCache: false,
        });
        const keys = ['a', 'b', 'c', 'd'].map((k) => `${k}-${Math.random()}`);
        const decisions = (await Promise.all(
          Array.from({ length: 64 }, (_, i) =>
            limiter.limit({
              keyId: keys[i % 4] as string,
              tier: 'standard',
              endpointClass: 'read',
            }),
          ),
        )) as RateLimitDecision[];
        for (const key of keys) {
          const mine = decisions.filter((d) => d.keyId === key);
          expect(mine.filter((d) => d.allowed)).toHaveLength(10);
          // In the order asked: the first ten admitted, remaining counting down.
          expect(mine.slice(0, 10).map((d) => d.remaining)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
          expect(mine.every((d) => d.source === 'store')).toBe(true);
        }
      } finally {
        await c.close();
      }
    });
  });
}

describe('with a command function', () => {
  const makeCounting = (reply: (args: string[]) => unknown) => {
    const calls: string[][] = [];
    const send: RedisCommandFunction = async (args) => {
      calls.push(args);
      return reply(args);
    };
    return { calls, send };
  };

  it('one tick, one call; separate ticks, separate calls; batch: false sends each alone', async () => {
    const answer = (args: string[]) =>
      args[0] === 'EVALSHA' && args[2] !== '1'
        ? Array.from({ length: Number(args[2]) }, () => 1000)
        : 1000;
    for (const batch of [true, false]) {
      const { calls, send } = makeCounting(answer);
      const store = createRedisRateLimitStore({ client: send, batch });
      const limiter = createRateLimiter({ policy, store });
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          limiter.limit({ keyId: `k${i}`, tier: 'standard', endpointClass: 'read' }),
        ),
      );
      await limiter.limit({ keyId: 'k9', tier: 'standard', endpointClass: 'read' });
      expect(calls.map((a) => a[2])).toEqual(batch ? ['5', '1'] : ['1', '1', '1', '1', '1', '1']);
      if (batch) {
        expect(calls[0]?.slice(3, 8)).toEqual([0, 1, 2, 3, 4].map((i) => `coffer:rl:{k${i}}:read`));
        expect(calls[0]?.slice(8, 10)).toEqual(['60000000', '600000000']);
      }
    }
  });

  it('a tick of 600 decisions goes in calls of at most 256 buckets', async () => {
    const { calls, send } = makeCounting((args) =>
      Array.from({ length: Number(args[2]) }, () => 1000),
    );
    const limiter = createRateLimiter({
      policy,
      store: createRedisRateLimitStore({ client: send }),
    });
    await Promise.all(
      Array.from({ length: 600 }, (_, i) =>
        limiter.limit({ keyId: `k${i}`, tier: 'standard', endpointClass: 'read' }),
      ),
    );
    expect(calls.map((a) => a[2])).toEqual(['256', '256', '88']);
  });

  it('a CROSSSLOT refusal switches to one batch per hash slot and retries', async () => {
    const { calls, send } = makeCounting((args) => {
      const n = Number(args[2]);
      const keys = args.slice(3, 3 + n);
      if (new Set(keys.map(keySlot)).size > 1) {
        throw new Error("CROSSSLOT Keys in request don't hash to the same slot");
      }
      return n === 1 ? 1000 : keys.map(() => 1000);
    });
    const limiter = createRateLimiter({
      policy,
      store: createRedisRateLimitStore({ client: send }),
      denialCache: false,
    });
    const ask = () =>
      Promise.all(
        ['x', 'y', 'x', 'y'].map((keyId) =>
          limiter.limit({ keyId, tier: 'standard', endpointClass: 'read' }),
        ),
      );
    const first = await ask();
    expect(first.every((d) => d.source === 'store' && d.allowed)).toBe(true);
    const slots = calls
      .slice(1)
      .map((a) => new Set(a.slice(3, 3 + Number(a[2])).map(keySlot)).size);
    expect(slots.every((n) => n === 1)).toBe(true);
    calls.length = 0;
    await ask();
    expect(calls.map((a) => a[2]).sort()).toEqual(['2', '2']); // straight to per-slot batches
  });

  it('a batch reply of the wrong shape is REDIS_REPLY for every decision in it', async () => {
    for (const reply of ['OK', [1], [1, 2, 3], [1, 'x'], null]) {
      const { send } = makeCounting((args) => (args[2] === '1' ? 1000 : reply));
      const store = createRedisRateLimitStore({ client: send });
      const rule1 = { tier: 't', endpointClass: 'c', intervalUs: 1, burst: 1, capacityUs: 1 };
      const results = await Promise.allSettled([store.take('a', rule1), store.take('b', rule1)]);
      expect(results.some((r) => r.status === 'rejected')).toBe(true);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'REDIS_REPLY' });
      }
    }
  });
});
