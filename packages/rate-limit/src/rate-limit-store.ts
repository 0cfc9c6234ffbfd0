// Where buckets live. The limiter hands a store one bucket (a key id and its compiled rule) per
// decision; the store runs GCRA on it atomically and answers with one signed number.
import type { BucketRule } from './policy.js';

export type { BucketRule } from './policy.js';

/**
 * A store of GCRA buckets: the in-memory one (`createMemoryRateLimitStore`) or a shared one such as
 * `createRedisRateLimitStore` of `@coffer/redis`. Implement it to keep buckets elsewhere.
 *
 * @example
 * ```ts
 * import { createMemoryRateLimitStore, type RateLimitStore } from '@coffer/rate-limit';
 *
 * const store: RateLimitStore = createMemoryRateLimitStore();
 * store.local; // true: decided in this process, no I/O
 * ```
 */
export interface RateLimitStore {
  /**
   * True when decisions are made in this process without I/O (the memory store). The limiter then
   * skips its denial cache and timeouts; a shared store (`false`) gets both.
   */
  readonly local: boolean;
  /**
   * Takes one request from the bucket of `keyId` under `rule` (GCRA, atomically), or refuses it.
   * Buckets are per `(keyId, rule.endpointClass)`; the tier only picks the numbers.
   *
   * Returns, in microseconds: when admitted, a positive number — how long until the bucket is
   * full again (`tat − now`, at least `rule.intervalUs`); when refused, a negative number — minus
   * how long until one request would be admitted. A refusal changes nothing.
   */
  take(keyId: string, rule: BucketRule): number | Promise<number>;
}
