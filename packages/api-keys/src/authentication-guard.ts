// The hook a limiter in front of authentication plugs into (e.g. `createAuthenticationGuard` of
// @coffer/rate-limit). Structural, so api-keys depends on no limiter: anything with these two
// methods works.
import type { RequestLike } from './request-headers.js';

/**
 * One authentication that is about to cost a secret compare (bcrypt): a well-formed key that is not
 * in the verifier's cache. Cached keys never reach a guard; malformed keys are refused before it.
 */
export interface AuthenticationAttempt {
  /**
   * The request passed to `verifier.authenticate` (an Express or Fastify request, a Fetch
   * `Request`), or `undefined` when `verifier.verify` was called with a bare key. A guard reads the
   * client's address from it.
   */
  readonly request: RequestLike | undefined;
  /** The `key_id` of the presented key: public, safe to log, chosen by the client. */
  readonly keyId: string;
}

/** How an attempt ended: the secret matched, or it did not (or the `key_id` does not exist). */
export type AuthenticationOutcome = 'verified' | 'failed';

/**
 * A limiter in front of authentication, given to `createApiKeyVerifier({ guard })`. The verifier
 * calls `check` before every secret compare and `record` after it, so a guard that counts failures
 * can refuse further attempts before they cost any CPU.
 *
 * @example
 * ```ts
 * import type { AuthenticationGuard } from '@coffer/api-keys';
 *
 * // Refuses a key_id after three failed compares in this process (a toy; use @coffer/rate-limit).
 * const failures = new Map<string, number>();
 * const guard: AuthenticationGuard = {
 *   check(attempt) {
 *     if ((failures.get(attempt.keyId) ?? 0) >= 3) throw new Error('refused');
 *   },
 *   record(attempt, outcome) {
 *     if (outcome === 'failed') failures.set(attempt.keyId, (failures.get(attempt.keyId) ?? 0) + 1);
 *   },
 * };
 * ```
 */
export interface AuthenticationGuard {
  /**
   * Called before the compare, once the verifier has a compare slot for it (a request refused as
   * `VERIFIER_BUSY` never reaches the guard). Return (or resolve) to let it happen; throw (or
   * reject) to refuse the request with that error instead — a `CofferError` with status 429, `retryable` and
   * `details.retryAfterMs` becomes `429` with `Retry-After` in the API-key middleware.
   */
  check(attempt: AuthenticationAttempt): void | Promise<void>;
  /**
   * Called once the compare has decided. Not called when the compare did not happen or could not
   * decide (verifier busy, store or worker error). Errors it throws go to `onBackgroundError`.
   */
  record(attempt: AuthenticationAttempt, outcome: AuthenticationOutcome): void;
}
