// Every @example in the package's TSDoc, run as written against the test Redis (imports from the
// package root; the results their comments promise are asserted).
import { createRateLimiter } from '@coffer/rate-limit';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisRateLimitStore, type RedisClientLike, RedisReplyError } from '../src/index.js';
import { REDIS_URL, removePrefix, uniquePrefix } from './redis-server.js';

const prefix = uniquePrefix('examples');
afterAll(() => removePrefix(prefix));

describe('TSDoc examples', () => {
  it('RedisClientLike', async () => {
    const io: RedisClientLike = new Redis(REDIS_URL, { lazyConnect: true });
    const node: RedisClientLike = createClient({ url: REDIS_URL });
    expect(typeof io).toBe('object');
    expect(typeof node).toBe('object');
    (io as Redis).disconnect();
  });

  it('createRedisRateLimitStore', async () => {
    const redis = new Redis(REDIS_URL);
    const limiter = createRateLimiter({
      store: createRedisRateLimitStore({ client: redis, prefix }),
      storeTimeoutMs: 50,
    });
    const decision = await limiter.limit({
      keyId: '01HX9Y6K7EJ4T2AB',
      tier: 'standard',
      endpointClass: 'read-light',
    });
    expect(decision.source).toBe('store');
    redis.disconnect();
  });

  it('RedisReplyError', () => {
    expect(new RedisReplyError('rate-limit script').code).toBe('REDIS_REPLY');
  });
});
