// The typed errors of @coffer/rate-limit. A 429 for a rate-limited *request* is not an error here:
// the limiter returns a decision and the middleware answers it (http-response.ts).
import { CofferError } from '@coffer/core';

/** Which budget of the authentication guard refused: the client address's or the key_id's. */
export type AuthenticationThrottleReason = 'address' | 'key_id';

/**
 * The authentication guard refused a secret compare: the client address (or, with `perKeyId`, the
 * `key_id`) has used up its budget of failed authentications. Code `RATE_LIMITED`, status 429,
 * retryable; `details.retryAfterMs` says when the budget has room again and `details.reason` which
 * budget refused. The API-key middleware answers it with `429` and `Retry-After`.
 *
 * @example
 * ```ts
 * import { AuthenticationThrottledError } from '@coffer/rate-limit';
 *
 * const err = new AuthenticationThrottledError('address', 1200);
 * [err.code, err.status, err.details]; // ['RATE_LIMITED', 429, { retryAfterMs: 1200, reason: 'address' }]
 * ```
 */
export class AuthenticationThrottledError extends CofferError {
  /** @param reason Which budget refused. @param retryAfterMs When it has room again, in ms. */
  constructor(reason: AuthenticationThrottleReason, retryAfterMs: number) {
    super(
      'RATE_LIMITED',
      reason === 'address'
        ? 'Too many failed authentications from this client; retry later.'
        : 'Too many failed authentications with this API key id; retry later.',
      { status: 429, retryable: true, details: { retryAfterMs, reason } },
    );
  }
}

/**
 * A rate-limit middleware ran on a request that has no verified API key: it was mounted before
 * the API-key middleware (or on a route without it). Code `API_KEY_MISSING`, status 500 — a
 * mistake in the app's setup, not the client's.
 *
 * @example
 * ```ts
 * import { RateLimitKeyMissingError } from '@coffer/rate-limit';
 *
 * new RateLimitKeyMissingError().status; // 500
 * ```
 */
export class RateLimitKeyMissingError extends CofferError {
  constructor() {
    super(
      'API_KEY_MISSING',
      'This request has no verified API key for the rate limiter; mount the API-key middleware before it.',
      { status: 500 },
    );
  }
}
