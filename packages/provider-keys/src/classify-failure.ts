import { InvalidInputError } from '@coffer/core';
import { type HeadersLike, isHeadersLike } from './_headers.js';
import { checkedClassification, makeReply, parseBody } from './_reply.js';
import { ProviderDefinitionError } from './errors.js';
import type { FailureClassification, ProviderDefinition } from './provider-definition.js';

/**
 * An answer from the provider to the host's real call, as the host has it: the status, the
 * headers (a fetch `Headers`, or a plain object such as Node's `IncomingHttpHeaders`) and, when
 * it has read it, the body (parsed JSON, or its text / bytes, which are parsed here when at most
 * 64 KiB). A fetch `Response` fits as it is (its body is then not read).
 */
export interface UpstreamResponse {
  /** The HTTP status, an integer from 100 to 599. */
  readonly status: number;
  /** The response headers, when the host has them. */
  readonly headers?: HeadersLike;
  /** The body, when the host has read it. */
  readonly body?: unknown;
}

/** Options of {@link classifyUpstreamFailure}. */
export interface ClassifyOptions {
  /** Milliseconds since the epoch to measure `Retry-After` dates against (default now). */
  readonly now?: number;
}

const OTHER: FailureClassification = Object.freeze({ kind: 'other' });

/**
 * Says what a failed answer from the host's real call with a customer's key means for that key —
 * the classification `reportFailure` acts on:
 *
 * - `auth_failed` with a reason (`key_rejected`, `permission_denied`, `billing`, …): mark the key
 *   invalid and tell its owner;
 * - `rate_limited`, with `retryAfterMs` when the provider said how long (capped at an hour):
 *   keep the key, fall back until then;
 * - `other`: change nothing (a 5xx, a malformed request, a 2xx, an answer about the host itself
 *   such as OpenAI's unsupported-region 403).
 *
 * Pure: it reads only what it is given. The body is untrusted: no getter on it runs, only its own
 * data properties are read.
 *
 * @param provider The provider's definition.
 * @param response The status, headers and (optionally) body of the failed answer.
 * @param options `now` for `Retry-After` dates.
 * @returns The classification.
 * @throws {InvalidInputError} `INVALID_INPUT` when `status` is not an integer from 100 to 599 or
 *   `headers` is not an object.
 * @throws {ProviderDefinitionError} `PROVIDER_DEFINITION_FAILED` when a host-added provider's
 *   `classifyFailure` throws or answers something undocumented.
 *
 * @example
 * ```ts
 * import { classifyUpstreamFailure, google, openai } from '@coffer/provider-keys';
 *
 * classifyUpstreamFailure(openai, { status: 401 }); // { kind: 'auth_failed', reason: 'key_rejected' }
 * classifyUpstreamFailure(openai, { status: 429, headers: { 'retry-after': '20' } });
 * // { kind: 'rate_limited', retryAfterMs: 20000 }
 * classifyUpstreamFailure(google, {
 *   status: 400,
 *   body: {
 *     error: {
 *       code: 400,
 *       status: 'INVALID_ARGUMENT',
 *       details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
 *     },
 *   },
 * }); // { kind: 'auth_failed', reason: 'key_rejected' }
 * classifyUpstreamFailure(openai, { status: 503 }); // { kind: 'other' }
 * ```
 */
export function classifyUpstreamFailure(
  provider: ProviderDefinition,
  response: UpstreamResponse,
  options: ClassifyOptions = {},
): FailureClassification {
  if (typeof response !== 'object' || response === null) {
    throw new InvalidInputError('response must be an object with a status', {
      details: { parameter: 'response' },
    });
  }
  let status: unknown;
  let headers: unknown;
  let body: unknown;
  try {
    status = response.status;
    headers = response.headers;
    body =
      typeof Response !== 'undefined' && response instanceof Response ? undefined : response.body;
  } catch {
    throw new InvalidInputError('response could not be read (a getter threw)', {
      details: { parameter: 'response' },
    });
  }
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    throw new InvalidInputError('response.status must be an integer from 100 to 599', {
      details: { parameter: 'response.status' },
    });
  }
  if (!isHeadersLike(headers)) {
    throw new InvalidInputError('response.headers must be a Headers object or a plain object', {
      details: { parameter: 'response.headers' },
    });
  }
  const now = options.now ?? Date.now();
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new InvalidInputError('options.now must be a finite number of milliseconds', {
      details: { parameter: 'options.now' },
    });
  }
  if (status >= 200 && status < 300) return OTHER;
  const reply = makeReply(status, headers, parseBody(body));
  let result: unknown;
  try {
    result = provider.classifyFailure(reply, { now });
  } catch {
    throw new ProviderDefinitionError(provider.id, 'classifyFailure', 'threw');
  }
  return checkedClassification(provider.id, result);
}
