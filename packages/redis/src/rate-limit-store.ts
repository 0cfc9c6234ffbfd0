// The shared rate-limit store on Redis: one EVALSHA per decision (EVAL once per Redis that does
// not know the script yet), Redis's clock, keys that expire when their bucket is full again.
import { InvalidInputError } from '@coffer/core';
import type { BucketRule, RateLimitStore } from '@coffer/rate-limit';
import { keySlot } from './_key-slot.js';
import {
  RATE_LIMIT_BATCH_SCRIPT,
  RATE_LIMIT_BATCH_SCRIPT_SHA1,
  RATE_LIMIT_SCRIPT,
  RATE_LIMIT_SCRIPT_SHA1,
} from './_rate-limit-script.js';
import { RedisReplyError } from './errors.js';
import {
  commandSender,
  isNoScript,
  type RedisClientLike,
  type SendCommand,
} from './redis-client.js';

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
  /**
   * Decisions asked for in the same tick (a burst of concurrent requests) go to Redis as one
   * script call for all their buckets (default `true`). Requests arriving one by one are sent at
   * once, alone: batching never waits.
   */
  batch?: boolean;
  /**
   * The client is a Redis Cluster client (default `false`): a batch then only holds buckets of one
   * hash slot. A batch refused with `CROSSSLOT` switches this on by itself.
   */
  cluster?: boolean;
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

  const batching = options.batch ?? true;
  let bySlot = options.cluster ?? false;
  let queue: Pending[] = [];

  const single = (p: Pending): void => {
    const args = [p.key, p.interval, p.capacity];
    script(send, RATE_LIMIT_SCRIPT_SHA1, RATE_LIMIT_SCRIPT, args, 1, p.key).then(
      (reply) => settle(p, reply),
      (error: unknown) => p.reject(error),
    );
  };

  const many = (batch: Pending[]): void => {
    const args: string[] = [];
    for (const p of batch) args.push(p.key);
    for (const p of batch) args.push(p.interval, p.capacity);
    const first = (batch[0] as Pending).key;
    script(
      send,
      RATE_LIMIT_BATCH_SCRIPT_SHA1,
      RATE_LIMIT_BATCH_SCRIPT,
      args,
      batch.length,
      first,
    ).then(
      (reply) => {
        if (!Array.isArray(reply) || reply.length !== batch.length) {
          const error = new RedisReplyError('rate-limit batch script');
          for (const p of batch) p.reject(error);
          return;
        }
        for (const [i, p] of batch.entries()) settle(p, reply[i]);
      },
      (error: unknown) => {
        if (!bySlot && isCrossSlot(error)) {
          // A cluster: from now on batch per hash slot, and send this batch again that way.
          bySlot = true;
          dispatch(batch);
          return;
        }
        for (const p of batch) p.reject(error);
      },
    );
  };

  const dispatch = (batch: Pending[]): void => {
    if (batch.length === 1) {
      single(batch[0] as Pending);
      return;
    }
    if (batch.length > MAX_BATCH) {
      // One script call must not hold Redis for long: a huge tick goes in several.
      for (let i = 0; i < batch.length; i += MAX_BATCH) dispatch(batch.slice(i, i + MAX_BATCH));
      return;
    }
    if (!bySlot) {
      many(batch);
      return;
    }
    const groups = new Map<number, Pending[]>();
    for (const p of batch) {
      const slot = keySlot(p.key);
      const group = groups.get(slot);
      if (group === undefined) groups.set(slot, [p]);
      else group.push(p);
    }
    for (const group of groups.values()) {
      if (group.length === 1) single(group[0] as Pending);
      else many(group);
    }
  };

  const flush = (): void => {
    const batch = queue;
    queue = [];
    dispatch(batch);
  };

  return {
    local: false,
    prefix,
    keyOf,
    take(keyId, rule) {
      return new Promise<number>((resolve, reject) => {
        const pending: Pending = {
          key: keyOf(keyId, rule.endpointClass),
          interval: String(rule.intervalUs),
          capacity: String(rule.capacityUs),
          resolve,
          reject,
        };
        if (!batching) {
          single(pending);
          return;
        }
        queue.push(pending);
        if (queue.length === 1) queueMicrotask(flush);
      });
    },
  };
}

/** Most buckets in one script call. */
const MAX_BATCH = 256;

interface Pending {
  readonly key: string;
  readonly interval: string;
  readonly capacity: string;
  resolve(value: number): void;
  reject(error: unknown): void;
}

function settle(p: Pending, reply: unknown): void {
  const value = typeof reply === 'string' ? Number(reply) : reply;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value === 0) {
    p.reject(new RedisReplyError('rate-limit script'));
  } else {
    p.resolve(value);
  }
}

function isCrossSlot(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message.includes('CROSSSLOT');
}

/**
 * Runs a script by its SHA; when this Redis (a restart, a failover, another cluster node) does
 * not have it yet, EVAL runs it and caches it there for every later EVALSHA.
 */
async function script(
  send: SendCommand,
  sha: string,
  text: string,
  keysAndArgs: string[],
  keyCount: number,
  routeKey: string,
): Promise<unknown> {
  const tail = [String(keyCount), ...keysAndArgs];
  try {
    return await send(['EVALSHA', sha, ...tail], routeKey);
  } catch (error) {
    if (!isNoScript(error)) throw error;
    return send(['EVAL', text, ...tail], routeKey);
  }
}
