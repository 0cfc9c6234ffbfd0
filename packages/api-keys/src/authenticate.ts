// Framework-neutral request authentication and the error envelope every adapter answers with.
import { CofferError, isCofferError, randomBytes, toBase32Crockford } from '@coffer/core';
import type { VerifiedApiKey } from './api-key-info.js';
import { UnauthenticatedError } from './errors.js';
import { type HeadersLike, readApiKey } from './request-headers.js';
import type { ApiKeyVerifier, VerifyApiKeyOptions } from './verifier.js';

/** Anything with headers: a Fetch `Request`, Node's `IncomingMessage`, Fastify's or Express's request. */
export interface RequestLike {
  readonly headers: HeadersLike;
}

/**
 * Authenticates one request: reads its key (`X-Api-Key`, then `Authorization: Bearer`) and
 * verifies it, with the verifier's whole order of checks.
 *
 * @throws {UnauthenticatedError} `UNAUTHENTICATED` (401) when no key is sent, the headers conflict,
 *   or the key is not valid; and every error of {@link ApiKeyVerifier.verify}.
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
  // Not an async function: the hot path stays one promise deep.
  let key: string | null;
  try {
    key = readApiKey(request.headers);
  } catch (error) {
    return Promise.reject(error);
  }
  if (key === null) {
    return Promise.reject(
      new UnauthenticatedError(
        'No API key was sent. Send it in the X-Api-Key header (or Authorization: Bearer).',
        { details: { reason: 'missing' } },
      ),
    );
  }
  return verifier.verify(key, options);
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

/**
 * Turns an error into the response envelope `{ "error": { code, message, requestId, details } }`
 * with its status and headers (`WWW-Authenticate` on 401, `Retry-After` when a retry later may
 * help). A `CofferError` keeps its code and message (they never hold secrets); anything else
 * becomes a `500 INTERNAL` with a generic message, so stack traces and driver messages never reach
 * the client.
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
  if (!isCofferError(error)) {
    return {
      status: 500,
      headers,
      body: {
        error: {
          code: 'INTERNAL',
          message: 'The server failed to check the API key; retry later.',
          requestId,
          details: {},
        },
      },
    };
  }
  const status = error.status ?? 500;
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
 * The verified key of a request that the Express or Fastify middleware let through.
 *
 * @throws {CofferError} `API_KEY_MISSING` (500) when the middleware did not run for this request:
 *   mount it before the route.
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
    throw new CofferError(
      'API_KEY_MISSING',
      'This request was not authenticated by the API-key middleware; mount it before this route.',
      { status: 500 },
    );
  }
  return key;
}
