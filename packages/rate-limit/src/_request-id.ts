// Request ids exactly as @coffer/api-keys makes them (its `requestIdOf`), so a 401 from the key
// middleware and a 429 from this one carry ids of one shape, and a caller's `X-Request-Id` is
// echoed by both or by neither. rate-limit depends on core only, hence this copy; a test runs both
// on the same inputs.
import { randomBytes, toBase32Crockford } from '@coffer/core';

const INCOMING_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** `req_` and 16 lower-case Crockford base32 characters (80 random bits). */
export function newRequestId(): string {
  return `req_${toBase32Crockford(randomBytes(10)).toLowerCase()}`;
}

/** The caller's `X-Request-Id` when it is a sane token (letters, digits, `._:-`, ≤ 128), else a new id. */
export function requestIdFromHeaders(headers: unknown): string {
  let raw: unknown;
  if (typeof headers === 'object' && headers !== null) {
    raw =
      typeof (headers as { get?: unknown }).get === 'function'
        ? (headers as Headers).get('x-request-id')
        : (headers as Record<string, unknown>)['x-request-id'];
  }
  return typeof raw === 'string' && INCOMING_REQUEST_ID.test(raw) ? raw : newRequestId();
}
