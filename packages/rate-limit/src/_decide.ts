// The framework-neutral step every adapter takes: the request's verified key and class in, the
// limiter's decision out (synchronously when the store is local).
import type { RateLimitDecision } from './decision.js';
import { RateLimitKeyMissingError } from './errors.js';
import type { RateLimiter } from './limiter.js';

/** What the rate limiter reads from a verified key: `VerifiedApiKey` of `@coffer/api-keys` fits. */
export interface RateLimitKeyLike {
  /** The key's public id: the bucket's owner. */
  readonly keyId: string;
  /** The key's tier; one the policy lacks means the limiter's `defaultTier`. */
  readonly tier: string;
}

function missingKey(): RateLimitKeyMissingError {
  return new RateLimitKeyMissingError();
}

/** @internal */
export function decide<EndpointClass extends string>(
  limiter: RateLimiter<string, EndpointClass>,
  key: unknown,
  endpointClass: EndpointClass,
): RateLimitDecision<string, EndpointClass> | Promise<RateLimitDecision<string, EndpointClass>> {
  if (typeof key !== 'object' || key === null) throw missingKey();
  const { keyId, tier } = key as Partial<RateLimitKeyLike>;
  if (typeof keyId !== 'string' || typeof tier !== 'string') throw missingKey();
  return limiter.limit({ keyId, tier, endpointClass });
}

/** @internal */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}
