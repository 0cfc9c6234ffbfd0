// Every @example in the package's TSDoc, run as written against the test Redis (imports from the
// package root; the results their comments promise are asserted).

import {
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
  followApiKeyChanges,
} from '@coffer/api-keys';
import { createRateLimiter } from '@coffer/rate-limit';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createRedisApiKeyChangePublisher,
  createRedisApiKeyChangeSource,
  createRedisRateLimitStore,
  type RedisClientLike,
  RedisReplyError,
} from '../src/index.js';
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

  it('createRedisApiKeyChangePublisher and createRedisApiKeyChangeSource', async () => {
    const redis = new Redis(REDIS_URL);
    const channel = `${prefix}changes`;
    const store = createMemoryApiKeyStore();
    const hasher = createBcryptHasher({ cost: 4 });
    const verifier = createApiKeyVerifier({ store, hasher });
    const publisher = createRedisApiKeyChangePublisher({ client: redis, channel });
    const warnings: unknown[] = [];
    const manager = createApiKeyManager({
      store,
      hasher,
      onChange: (change) => {
        verifier.invalidate(change);
        publisher.publish(change).catch((error) => warnings.push(error));
      },
    });
    const subscriber = redis.duplicate();
    const follower = followApiKeyChanges(
      verifier,
      createRedisApiKeyChangeSource({ subscriber, channel }),
      { onError: (error) => warnings.push(error) },
    );
    while (!follower.stats().connected) await new Promise((r) => setTimeout(r, 10));
    const minted = await manager.mint({ organizationId: 'org_1', env: 'live', name: 'n' });
    await manager.revoke(minted.keyId);
    // Two changes, two messages: the mint and the revoke (each recorded and announced).
    while (follower.stats().applied < 2) await new Promise((r) => setTimeout(r, 10));
    expect(follower.stats()).toMatchObject({
      received: 2,
      applied: 2,
      ignored: 0,
      connects: 1,
      disconnects: 0,
      connected: true,
    });
    expect(warnings).toEqual([]);
    await follower.stop();
    subscriber.disconnect();
    redis.disconnect();
    await hasher.close();
  });

  it('RedisReplyError', () => {
    expect(new RedisReplyError('rate-limit script').code).toBe('REDIS_REPLY');
  });
});
