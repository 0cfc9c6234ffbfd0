// Framework-neutral request authentication and the error envelope every adapter answers with.
import { isCofferError, randomBytes, toBase32Crockford } from '@coffer/core';
import type { VerifiedApiKey } from './api-key-info.js';
import { ApiKeyMissingError } from './errors.js';
import type { RequestLike } from './request-headers.js';
import type { ApiKeyVerifier, VerifyApiKeyOptions } from './verifier.js';

/**
 * Authenticates one request: reads its key (`X-Api-Key`; `Authorization: Bearer` when there is no
 * `X-Api-Key`) and verifies it, with the verifier's whole order of checks (the global kill switch
 * first, even for a request that sends no key). The same as `verifier.authenticate(request,
 * options)`. Pass a bare `node:http` request as it is: its `rawHeaders` show a header sent twice.
 *
 * @throws {KillSwitchError} `KILL_SWITCH` (503) with `details.scope` `global`, `organization` or `key`.
 * @throws {UnauthenticatedError} `UNAUTHENTICATED` (401) when no key is sent, a header is repeated
 *   or malformed, or the key is not valid; and every error of {@link ApiKeyVerifier.verify}.
 * @example
 * ```ts
 * import { authenticate, type ApiKeyVerifier } from '@coffer/api-keys';
 *
 * async function handle(verifier: ApiKeyVerifier, request: Request): Promise<string> {
 *   const key = await authenticate(verifier, request, { requiredScopes: ['events:read'] });
 *   return key.organizationId;
 * }
 * ```
 */
export function authenticate(
  verifier: ApiKeyVerifier,
  request: RequestLike,
  options: VerifyApiKeyOptions = {},
): Promise<VerifiedApiKey> {
  return verifier.authenticate(request, options);
}

/** The JSON body of an error response. */
export interface ApiErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly requestId: string;
    readonly details: Readonly<Record<string, unknown>>;
  };
}

/** A ready-to-send error response. */
export interface ApiErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ApiErrorBody;
}

/**
 * A fresh request id, `req_` and 16 lower-case Crockford base32 characters.
 *
 * @example
 * ```ts
 * import { newRequestId } from '@coffer/api-keys';
 *
 * newRequestId().startsWith('req_'); // true
 * ```
 */
export function newRequestId(): string {
  return `req_${toBase32Crockford(randomBytes(10)).toLowerCase()}`;
}

const INCOMING_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id to answer with: the caller's `X-Request-Id` when it is a sane token (letters,
 * digits, `._:-`, at most 128), else a fresh one.
 *
 * @example
 * ```ts
 * import { requestIdOf } from '@coffer/api-keys';
 *
 * requestIdOf({ headers: { 'x-request-id': 'req_abc' } }); // 'req_abc'
 * ```
 */
export function requestIdOf(request: RequestLike): string {
  const headers = request.headers;
  const raw =
    typeof (headers as { get?: unknown }).get === 'function'
      ? (headers as Headers).get('x-request-id')
      : (headers as Record<string, unknown>)['x-request-id'];
  return typeof raw === 'string' && INCOMING_REQUEST_ID.test(raw) ? raw : newRequestId();
}

/** Server-side codes a client is meant to see as they are: both say what the client can do. */
const CLIENT_FACING_SERVER_CODES: ReadonlySet<string> = new Set(['KILL_SWITCH', 'VERIFIER_BUSY']);

/**
 * Turns an error into the response envelope `{ "error": { code, message, requestId, details } }`
 * with its status and headers (`WWW-Authenticate` on 401, `Retry-After` when a retry later may
 * help). A `CofferError` with a 4xx status keeps its code, message and details (written for the
 * caller; they never hold secrets), and so do `KILL_SWITCH` and `VERIFIER_BUSY`. Any other failure
 * — a store that is down or busy, a bug, a driver error — becomes a generic `500 INTERNAL` (or
 * `503 UNAVAILABLE` with `Retry-After` when it is retryable) with empty details, so internals,
 * stack traces and driver messages never reach the client. Log the original error yourself.
 *
 * @example
 * ```ts
 * import { apiKeyErrorResponse, KillSwitchError } from '@coffer/api-keys';
 *
 * const res = apiKeyErrorResponse(new KillSwitchError('organization'), 'req_1');
 * res.status; // 503
 * res.body.error.details; // { scope: 'organization' }
 * ```
 */
export function apiKeyErrorResponse(error: unknown, requestId: string): ApiErrorResponse {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  };
  const status = isCofferError(error) ? (error.status ?? 500) : 500;
  if (
    !isCofferError(error) ||
    ((status < 400 || status >= 500) && !CLIENT_FACING_SERVER_CODES.has(error.code))
  ) {
    const retryable = isCofferError(error) && error.retryable;
    if (retryable) headers['retry-after'] = '1';
    return {
      status: retryable ? 503 : 500,
      headers,
      body: {
        error: {
          code: retryable ? 'UNAVAILABLE' : 'INTERNAL',
          message: retryable
            ? 'The server could not handle the request just now; retry shortly.'
            : 'The server failed to handle the request; retry later.',
          requestId,
          details: {},
        },
      },
    };
  }
  const details = { ...(error.details ?? {}) };
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  const retryAfterMs = details.retryAfterMs;
  if (error.retryable && typeof retryAfterMs === 'number') {
    headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  }
  return {
    status,
    headers,
    body: { error: { code: error.code, message: error.message, requestId, details } },
  };
}

const verified = new WeakMap<object, VerifiedApiKey>();

/** Remembers the key a request was authenticated with (used by the framework adapters). */
export function rememberApiKey(request: object, key: VerifiedApiKey): void {
  verified.set(request, key);
}

/**
 * The verified key of a request the middleware let through: pass Express's `req`, Fastify's
 * `request`, or Hono's context `c` (where `c.get('apiKey')` works too) — the object the
 * middleware saw, not the response or reply.
 *
 * @throws {CofferError} `API_KEY_MISSING` (500) when the middleware did not run for this object:
 *   mount it before the route, and pass the request (Express, Fastify) or the context (Hono).
 * @example
 * ```ts
 * import { apiKeyOf } from '@coffer/api-keys';
 * import type { Request, Response } from 'express';
 *
 * export function whoami(req: Request, res: Response): void {
 *   res.json({ organizationId: apiKeyOf(req).organizationId });
 * }
 * ```
 */
export function apiKeyOf(request: object): VerifiedApiKey {
  const key = verified.get(request);
  if (key === undefined) {
    throw new ApiKeyMissingError();
  }
  return key;
}
