import { CofferError, type CofferErrorOptions } from '@coffer/core';

/** Where a kill switch was thrown: one key, every key of an organization, or every key. */
export type KillSwitchScope = 'key' | 'organization' | 'global';

/**
 * The request carries no usable API key: missing, malformed, failed its checksum, unknown, wrong
 * secret, expired, or a rotated-away secret past its grace period. Code `UNAUTHENTICATED`, status
 * 401. The message never says which of these it was before the secret was proven, so it cannot be
 * used to learn whether a `key_id` exists.
 *
 * @example
 * ```ts
 * import { UnauthenticatedError } from '@coffer/api-keys';
 *
 * const err = new UnauthenticatedError('The API key is not valid. Send a valid key in X-Api-Key.');
 * err.status; // 401
 * ```
 */
export class UnauthenticatedError extends CofferError {
  constructor(message: string, options: Omit<CofferErrorOptions, 'status'> = {}) {
    super('UNAUTHENTICATED', message, { ...options, status: 401 });
  }
}

/**
 * The key was valid but has been revoked. Revocation is permanent. Code `REVOKED`, status 401.
 *
 * @example
 * ```ts
 * import { RevokedKeyError } from '@coffer/api-keys';
 *
 * new RevokedKeyError('01HX9Y6K7EJ4T2AB').details; // { keyId: '01HX9Y6K7EJ4T2AB' }
 * ```
 */
export class RevokedKeyError extends CofferError {
  constructor(keyId: string) {
    super('REVOKED', 'This API key has been revoked and cannot be used again; issue a new key.', {
      status: 401,
      details: { keyId },
    });
  }
}

/**
 * A kill switch stops the key: its own (`key`), its organization's, or the global one. Code
 * `KILL_SWITCH`, status 503, `details.scope` says which. Reversible by whoever threw it.
 *
 * @example
 * ```ts
 * import { KillSwitchError } from '@coffer/api-keys';
 *
 * new KillSwitchError('global').details; // { scope: 'global' }
 * ```
 */
export class KillSwitchError extends CofferError {
  /** Which kill switch stopped the request. */
  readonly scope: KillSwitchScope;

  constructor(scope: KillSwitchScope, keyId?: string) {
    const what =
      scope === 'global'
        ? 'All API access is switched off'
        : scope === 'organization'
          ? "API access for this key's organization is switched off"
          : 'This API key is switched off';
    super('KILL_SWITCH', `${what}; retrying will not help until it is switched back on.`, {
      status: 503,
      details: keyId === undefined ? { scope } : { scope, keyId },
    });
    this.scope = scope;
  }
}

/**
 * The key is valid but lacks a scope the route requires. Code `FORBIDDEN_SCOPE`, status 403;
 * `details.missing` lists the scopes. No retry helps: the key must be re-issued with those scopes.
 *
 * @example
 * ```ts
 * import { ForbiddenScopeError } from '@coffer/api-keys';
 *
 * new ForbiddenScopeError(['projects:write']).details; // { missing: ['projects:write'] }
 * ```
 */
export class ForbiddenScopeError extends CofferError {
  constructor(missing: readonly string[]) {
    super(
      'FORBIDDEN_SCOPE',
      `This API key lacks the scope(s) ${missing.join(', ')}; issue a key that has them.`,
      { status: 403, details: { missing: [...missing] } },
    );
  }
}

/**
 * Too many failed verifications for one `key_id` in a short window; further cold verifications for
 * it are refused until the window passes. Keys already verified (cached) are not affected. Code
 * `RATE_LIMITED`, status 429, `details.retryAfterMs`.
 *
 * @example
 * ```ts
 * import { RateLimitedError } from '@coffer/api-keys';
 *
 * new RateLimitedError(1200).details; // { retryAfterMs: 1200 }
 * ```
 */
export class RateLimitedError extends CofferError {
  constructor(retryAfterMs: number) {
    super('RATE_LIMITED', 'Too many failed attempts with this API key; retry later.', {
      status: 429,
      details: { retryAfterMs },
      retryable: true,
    });
  }
}

/**
 * The verifier is already running as many secret comparisons as it is allowed to; it refuses at
 * once rather than queue without bound. Code `VERIFIER_BUSY`, status 503, retryable,
 * `details.retryAfterMs`.
 *
 * @example
 * ```ts
 * import { VerifierBusyError } from '@coffer/api-keys';
 *
 * new VerifierBusyError().retryable; // true
 * ```
 */
export class VerifierBusyError extends CofferError {
  constructor() {
    super('VERIFIER_BUSY', 'The server is verifying too many API keys at once; retry shortly.', {
      status: 503,
      details: { retryAfterMs: 1000 },
      retryable: true,
    });
  }
}

/**
 * `apiKeyOf(request)` found no verified key for that object: the route runs without the API-key
 * middleware in front of it, or was handed another object than the one the middleware saw. A
 * server bug, not the caller's: code `API_KEY_MISSING`, status 500.
 *
 * @example
 * ```ts
 * import { ApiKeyMissingError } from '@coffer/api-keys';
 *
 * new ApiKeyMissingError().status; // 500
 * ```
 */
export class ApiKeyMissingError extends CofferError {
  constructor() {
    super(
      'API_KEY_MISSING',
      'No verified API key for this object: mount the API-key middleware before this route, and pass the object it saw (Express req, Fastify request, the Hono context c, not c.req).',
      { status: 500 },
    );
  }
}

/**
 * The key store kept answering with an older state of a key than one this verifier already judged
 * on (a lagging read replica, say), so the request is refused rather than decided on stale state.
 * Code `STALE_STATE`, status 503, retryable; `details.keyId`.
 *
 * @example
 * ```ts
 * import { StaleKeyStateError } from '@coffer/api-keys';
 *
 * new StaleKeyStateError('01HX9Y6K7EJ4T2AB').retryable; // true
 * ```
 */
export class StaleKeyStateError extends CofferError {
  constructor(keyId: string) {
    super(
      'STALE_STATE',
      'The key store answered with an older state of this API key than one already seen (a lagging replica?); retry shortly.',
      { status: 503, retryable: true, details: { keyId } },
    );
  }
}

/**
 * bcrypt could not run: the hasher was closed (`HASHER_CLOSED`; create a new one), bcrypt failed on
 * its input (`HASHER_FAILED`), or a worker thread stopped mid-compare (`HASHER_FAILED`, retryable).
 * The message never carries bcrypt's own text, which can echo its input.
 *
 * @example
 * ```ts
 * import { HasherError } from '@coffer/api-keys';
 *
 * new HasherError('closed').code; // 'HASHER_CLOSED'
 * new HasherError('worker-stopped').retryable; // true
 * ```
 */
export class HasherError extends CofferError {
  constructor(reason: 'closed' | 'failed' | 'worker-stopped') {
    if (reason === 'closed') {
      super('HASHER_CLOSED', 'The bcrypt hasher was closed; create a new one.');
    } else if (reason === 'failed') {
      super('HASHER_FAILED', 'bcrypt failed on its input.');
    } else {
      super('HASHER_FAILED', 'A bcrypt worker thread stopped; the call may be retried.', {
        retryable: true,
      });
    }
  }
}

/**
 * No API key with that `key_id` exists (management calls only; verification never says this).
 * Code `NOT_FOUND`, status 404.
 *
 * @example
 * ```ts
 * import { ApiKeyNotFoundError } from '@coffer/api-keys';
 *
 * new ApiKeyNotFoundError('01HX9Y6K7EJ4T2AB').code; // 'NOT_FOUND'
 * ```
 */
export class ApiKeyNotFoundError extends CofferError {
  constructor(keyId: string) {
    super('NOT_FOUND', 'No API key has that key id; check the id.', {
      status: 404,
      details: { keyId },
    });
  }
}

/**
 * The operation is not allowed on a revoked key (rotate, kill, unkill). Code `KEY_REVOKED`, status
 * 409. Revocation is permanent: mint a new key instead.
 *
 * @example
 * ```ts
 * import { ApiKeyRevokedError } from '@coffer/api-keys';
 *
 * new ApiKeyRevokedError('01HX9Y6K7EJ4T2AB').status; // 409
 * ```
 */
export class ApiKeyRevokedError extends CofferError {
  constructor(keyId: string) {
    super('KEY_REVOKED', 'This API key is revoked; revocation is permanent, so mint a new key.', {
      status: 409,
      details: { keyId },
    });
  }
}

/**
 * The key record changed under a concurrent update too many times in a row. Code
 * `API_KEY_CONFLICT`, status 409, retryable.
 *
 * @example
 * ```ts
 * import { ApiKeyConflictError } from '@coffer/api-keys';
 *
 * new ApiKeyConflictError('01HX9Y6K7EJ4T2AB').retryable; // true
 * ```
 */
export class ApiKeyConflictError extends CofferError {
  constructor(keyId: string) {
    super('API_KEY_CONFLICT', 'The API key was changed concurrently; retry the operation.', {
      status: 409,
      details: { keyId },
      retryable: true,
    });
  }
}
