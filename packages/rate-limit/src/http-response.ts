// A decision in HTTP: the rate-limit headers every response carries, and the 429 answer with the
// partner contract's envelope, byte for byte:
//   {"error":{"code":"RATE_LIMITED","requestId":"req_…","details":{"endpointClass":"write-light","retryAfterMs":1240}}}
import type { RateLimitDecision } from './decision.js';

/**
 * The rate-limit headers for a decision, for every response (allowed or not), lower-case names:
 * `x-ratelimit-limit` (the bucket's size), `x-ratelimit-remaining` (requests admitted right now),
 * `x-ratelimit-reset` (whole seconds, rounded up, until the bucket is full again),
 * `x-ratelimit-endpoint-class`, `x-ratelimit-tier`, and on a refusal `retry-after` (whole seconds,
 * rounded up from `retryAfterMs`, at least 1).
 *
 * @example
 * ```ts
 * import { createRateLimiter, rateLimitHeaders } from '@coffer/rate-limit';
 *
 * const limiter = createRateLimiter();
 * const decision = await limiter.limit({ keyId: '01HX9Y6K7EJ4T2AB', tier: 'standard', endpointClass: 'read-light' });
 * rateLimitHeaders(decision)['x-ratelimit-remaining']; // '59'
 * ```
 */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'x-ratelimit-limit': String(decision.limit),
    'x-ratelimit-remaining': String(decision.remaining),
    'x-ratelimit-reset': String(Math.ceil(decision.resetMs / 1000)),
    'x-ratelimit-endpoint-class': decision.endpointClass,
    'x-ratelimit-tier': decision.tier,
  };
  if (!decision.allowed) headers['retry-after'] = retryAfterSeconds(decision.retryAfterMs);
  return headers;
}

/** `Retry-After` for a wait of `ms`: whole seconds, rounded up, at least 1. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

/** The body of a 429, as the partner contract writes it. */
export interface RateLimitedBody {
  readonly error: {
    readonly code: 'RATE_LIMITED';
    readonly requestId: string;
    readonly details: { readonly endpointClass: string; readonly retryAfterMs: number };
  };
}

/** A ready-to-send 429. `body` is the exact JSON text; `json` the same as an object. */
export interface RateLimitedResponse {
  readonly status: 429;
  /** The rate-limit headers, `retry-after`, `content-type` and `cache-control: no-store`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly json: RateLimitedBody;
}

/**
 * The `429 RATE_LIMITED` response for a refused decision: the headers of {@link rateLimitHeaders},
 * and the envelope `{ "error": { "code", "requestId", "details": { "endpointClass",
 * "retryAfterMs" } } }` serialized in exactly that order.
 *
 * @example
 * ```ts
 * import { createMemoryRateLimitStore, createRateLimiter, rateLimitedResponse } from '@coffer/rate-limit';
 *
 * const limiter = createRateLimiter({
 *   policy: { standard: { 'write-light': { rate: 1, per: 'minute', burst: 1 } } },
 *   store: createMemoryRateLimitStore({ clock: () => 0 }), // a clock that stands still
 * });
 * const request = { keyId: '01HX9Y6K7EJ4T2AB', tier: 'standard', endpointClass: 'write-light' } as const;
 * await limiter.limit(request);
 * const refused = await limiter.limit(request);
 * const response = rateLimitedResponse(refused, 'req_7k2m9q4w1x8c3v5b');
 * response.status; // 429
 * response.headers['retry-after']; // '60'
 * response.body; // '{"error":{"code":"RATE_LIMITED","requestId":"req_7k2m9q4w1x8c3v5b","details":{"endpointClass":"write-light","retryAfterMs":60000}}}'
 * ```
 */
export function rateLimitedResponse(
  decision: RateLimitDecision,
  requestId: string,
): RateLimitedResponse {
  const json: RateLimitedBody = {
    error: {
      code: 'RATE_LIMITED',
      requestId,
      details: { endpointClass: decision.endpointClass, retryAfterMs: decision.retryAfterMs },
    },
  };
  const headers = rateLimitHeaders(decision);
  headers['retry-after'] = retryAfterSeconds(decision.retryAfterMs);
  headers['content-type'] = 'application/json; charset=utf-8';
  headers['cache-control'] = 'no-store';
  return { status: 429, headers, body: JSON.stringify(json), json };
}
