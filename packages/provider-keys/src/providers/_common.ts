// What the built-in providers share (internal): the base URL option, and reading how long a
// rate limit lasts.
import { InvalidInputError } from '@coffer/core';
import type {
  ClassifyContext,
  FailureClassification,
  UpstreamReply,
} from '../provider-definition.js';
import { parseRetryAfter } from '../retry-after.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Checks a `baseUrl` option: `https:` (or `http:` to a loopback host, for a local stand-in), no
 * credentials, query or fragment. Returns it without a trailing slash.
 */
export function checkBaseUrl(value: unknown, fallback: string, parameter: string): string {
  if (value === undefined) return fallback;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  const allowed =
    url !== undefined &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === '' &&
    (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)));
  if (!allowed || typeof value !== 'string') {
    throw new InvalidInputError(
      `${parameter} must be an https: URL without credentials, query or fragment (http: only to 127.0.0.1, ::1 or localhost)`,
      { details: { parameter } },
    );
  }
  return value.replace(/\/+$/, '');
}

/** A rate-limited classification with the wait, when one is known. */
export function rateLimited(retryAfterMs: number | undefined): FailureClassification {
  return retryAfterMs === undefined
    ? { kind: 'rate_limited' }
    : { kind: 'rate_limited', retryAfterMs };
}

/** The standard `Retry-After` header's wait. */
export function retryAfterHeader(
  reply: UpstreamReply,
  context: ClassifyContext,
): number | undefined {
  return parseRetryAfter(reply.header('retry-after'), context.now);
}

/** The largest of the defined waits, or `undefined`. */
export function longest(waits: readonly (number | undefined)[]): number | undefined {
  let best: number | undefined;
  for (const wait of waits)
    if (wait !== undefined && (best === undefined || wait > best)) best = wait;
  return best;
}

/** An auth failure. */
export function authFailed(reason: string): FailureClassification {
  return { kind: 'auth_failed', reason };
}

/** Nothing to change. */
export const OTHER: FailureClassification = Object.freeze({ kind: 'other' });
