import { InvalidInputError } from '@coffer/core';
import { BucketTable } from './_bucket-table.js';
import { tickNowUs } from './_tick-clock.js';
import type { RateLimitStore } from './rate-limit-store.js';

/** Options of {@link createMemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /**
   * Most key ids remembered (default 100,000); each holds one number per endpoint class it used.
   * Past it the least recently used id is forgotten, and comes back with a full bucket.
   */
  maxEntries?: number;
  /**
   * Milliseconds on a clock that never goes back (default: `performance.now`, read once per task).
   * Only differences matter, so it need not be the wall clock.
   */
  clock?: () => number;
}

/** The in-memory store: see {@link createMemoryRateLimitStore}. */
export interface MemoryRateLimitStore extends RateLimitStore {
  readonly local: true;
  /** Key ids currently remembered. */
  readonly size: number;
  take(keyId: string, rule: Parameters<RateLimitStore['take']>[1]): number;
}

const builtIn = new WeakSet<object>();

/** @internal Whether `store` was made by {@link createMemoryRateLimitStore} (and can be trusted). */
export function isMemoryRateLimitStore(store: unknown): boolean {
  return typeof store === 'object' && store !== null && builtIn.has(store);
}

/**
 * Buckets in this process's memory: the limiter's default store. Every process has its own, so
 * with N instances behind a load balancer a key gets N times its limit — use a shared store
 * (`createRedisRateLimitStore` of `@coffer/redis`) for a limit that holds across instances. Memory
 * is bounded by `maxEntries`; a decision is one Map lookup and a little arithmetic, no I/O.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` for a `maxEntries` that is not a positive integer.
 * @example
 * ```ts
 * import { createMemoryRateLimitStore, createRateLimiter } from '@coffer/rate-limit';
 *
 * const limiter = createRateLimiter({ store: createMemoryRateLimitStore({ maxEntries: 10_000 }) });
 * const decision = await limiter.limit({ keyId: '01HX9Y6K7EJ4T2AB', tier: 'standard', endpointClass: 'read-light' });
 * decision.allowed; // true
 * ```
 */
export function createMemoryRateLimitStore(
  options: MemoryRateLimitStoreOptions = {},
): MemoryRateLimitStore {
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new InvalidInputError('maxEntries must be a positive integer', {
      details: { parameter: 'maxEntries' },
    });
  }
  const clock = options.clock;
  const nowUs = clock === undefined ? tickNowUs : () => Math.round(clock() * 1000);
  const table = new BucketTable(maxEntries);
  const store: MemoryRateLimitStore = {
    local: true,
    get size() {
      return table.size;
    },
    take(keyId, rule) {
      return table.take(keyId, rule.endpointClass, nowUs(), rule.intervalUs, rule.capacityUs);
    },
  };
  builtIn.add(store);
  return store;
}
