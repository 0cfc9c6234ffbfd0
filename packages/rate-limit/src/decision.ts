/**
 * Where a decision came from: the store (`store`); this process's memory of a denial the store
 * gave earlier for the same bucket (`denial-cache`, no round trip); or, while the store is failing,
 * the `onStoreError` fallback (`fallback-local`, `fallback-allow`, `fallback-deny`).
 */
export type RateLimitSource =
  | 'store'
  | 'denial-cache'
  | 'fallback-local'
  | 'fallback-allow'
  | 'fallback-deny';

/**
 * One rate-limit decision: whether the request may proceed and the bucket's state after it, in the
 * numbers the rate-limit headers carry. Nothing in it is secret.
 */
export interface RateLimitDecision<
  Tier extends string = string,
  EndpointClass extends string = string,
> {
  /** Whether the request may proceed. */
  readonly allowed: boolean;
  /** The bucket's key id (an API key's `key_id`). */
  readonly keyId: string;
  /** The tier in effect: the key's own, or the limiter's `defaultTier` when the policy lacks it. */
  readonly tier: Tier;
  readonly endpointClass: EndpointClass;
  /** The bucket's size: requests a full bucket admits at once (the rule's `burst`). */
  readonly limit: number;
  /** Requests the bucket admits right now, after this one. */
  readonly remaining: number;
  /** Milliseconds until the bucket is full again (rounded up). */
  readonly resetMs: number;
  /** Milliseconds until one request would be admitted (rounded up); 0 when allowed. */
  readonly retryAfterMs: number;
  readonly source: RateLimitSource;
}
