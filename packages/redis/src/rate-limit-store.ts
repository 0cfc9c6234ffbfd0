// The shared rate-limit store on Redis: one EVALSHA per decision (EVAL once per Redis that does
// not know the script yet), Redis's clock, keys that expire when their bucket is full again.
import { InvalidInputError } from '@coffer/core';
import type { BucketRule, RateLimitStore } from '@coffer/rate-limit';
import { RATE_LIMIT_SCRIPT, RATE_LIMIT_SCRIPT_SHA1 } from './_rate-limit-script.js';
import { RedisReplyError } from './errors.js';
import { commandSender, isNoScript, type RedisClientLike } from './redis-client.js';

/** Options of {@link createRedisRateLimitStore}. */
export interface RedisRateLimitStoreOptions {
  /** Your Redis client: ioredis, node-redis, or a command function (see `RedisClientLike`). */
  client: RedisClientLike;
  /**
   * Prefix of every bucket key (default `coffer:rl:`); give each application its own. At most 100
   * characters, no `{` or `}` (the key's hash tag must be the key id's, so buckets spread over a
   * cluster).
   */
  prefix?: string;
}

/** The Redis store; see {@link createRedisRateLimitStore}. */
export interface RedisRateLimitStore extends RateLimitStore {
  readonly local: false;
  /** The key prefix in use. */
  readonly prefix: string;
  /** The Redis key of one bucket: `<prefix>{<keyId>}:<endpointClass>`. */
  keyOf(keyId: string, endpointClass: string): string;
  /**
   * One GCRA step on Redis (see `RateLimitStore.take`).
   * @throws {RedisReplyError} `REDIS_REPLY` when Redis answers with something that is not a
   *   bucket state; and whatever the client throws (connection errors).
   */
  take(keyId: string, rule: BucketRule): Promise<number>;
}

/**
 * A rate-limit store in Redis, on your own client, shared by every instance of your API: with it
 * a key's limit holds across all of them instead of multiplying by their number. Each decision is
 * one round trip running one Lua script (GCRA, atomic, on Redis's clock: instance clocks do not
 * matter). Buckets are `<prefix>{<keyId>}:<endpointClass>`: every bucket of one key in one
 * cluster slot (hash tag), keys spread over the cluster, and each bucket expires when it is full
 * again, so idle keys leave nothing behind.
 *
 * Give it to `createRateLimiter({ store })`: the limiter adds the per-call timeout, the
 * `onStoreError` fallback and the local denial cache.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` for a client that is none of the supported shapes or
 *   a malformed prefix.
 * @example
 * ```ts
 * import { createRedisRateLimitStore } from '@coffer/redis';
 * import { createRateLimiter } from '@coffer/rate-limit';
 * import { Redis } from 'ioredis';
 *
 * const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
 * const limiter = createRateLimiter({
 *   store: createRedisRateLimitStore({ client: redis, prefix: 'myapi:rl:' }),
 *   storeTimeoutMs: 50, // then the fallback decides (default: an in-memory limiter)
 * });
 * const decision = await limiter.limit({ keyId: '01HX9Y6K7EJ4T2AB', tier: 'standard', endpointClass: 'read-light' });
 * decision.source; // 'store'
 * redis.disconnect();
 * ```
 */
export function createRedisRateLimitStore(
  options: RedisRateLimitStoreOptions,
): RedisRateLimitStore {
  const send = commandSender(options?.client, 'client');
  const prefix = options.prefix ?? 'coffer:rl:';
  if (typeof prefix !== 'string' || prefix.length > 100 || /[{}]/.test(prefix)) {
    throw new InvalidInputError(
      'prefix must be a string of at most 100 characters without { or }',
      {
        details: { parameter: 'prefix' },
      },
    );
  }
  const keyOf = (keyId: string, endpointClass: string): string =>
    `${prefix}{${keyId}}:${endpointClass}`;

  const parse = (reply: unknown): number => {
    const value = typeof reply === 'string' ? Number(reply) : reply;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value === 0) {
      throw new RedisReplyError('rate-limit script');
    }
    return value;
  };

  return {
    local: false,
    prefix,
    keyOf,
    async take(keyId, rule) {
      const key = keyOf(keyId, rule.endpointClass);
      const interval = String(rule.intervalUs);
      const capacity = String(rule.capacityUs);
      try {
        return parse(
          await send(['EVALSHA', RATE_LIMIT_SCRIPT_SHA1, '1', key, interval, capacity], key),
        );
      } catch (error) {
        if (!isNoScript(error)) throw error;
        // This Redis (a restart, a failover, another cluster node) does not have the script yet:
        // EVAL runs it and caches it there for every later EVALSHA.
        return parse(await send(['EVAL', RATE_LIMIT_SCRIPT, '1', key, interval, capacity], key));
      }
    },
  };
}
