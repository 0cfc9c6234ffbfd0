import { InvalidInputError } from '@coffer/core';
import { keyText } from './_key-text.js';
import { discardBody, readCapped } from './_read-capped.js';
import {
  checkedClassification,
  checkedVerdict,
  makeReply,
  parseBody,
  verdictFromClassification,
} from './_reply.js';
import { ProviderDefinitionError } from './errors.js';
import { checkKeyFormat } from './key-format.js';
import type {
  ProviderDefinition,
  ProviderKey,
  UnreachableReason,
  UpstreamReply,
  ValidationRequest,
  ValidationResult,
} from './provider-definition.js';

/** A `fetch` as the validators call it: `globalThis.fetch`, undici's, or a wrapper of yours. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Options of {@link validateKey}. */
export interface ValidateKeyOptions {
  /** The `fetch` to call (default `globalThis.fetch`): inject a proxy-aware or test one. */
  readonly fetch?: FetchLike;
  /** How long the whole check may take, headers and body, in ms (default 5000; 1–120000). */
  readonly timeoutMs?: number;
  /** Aborts the check; the returned promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** The most bytes of an answer's body that are read (default 65536; 1024–1048576). */
  readonly maxBodyBytes?: number;
  /** The clock for `Retry-After` dates (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * The default time a validation may take: five seconds (`validateKey`'s `timeoutMs`).
 *
 * @example
 * ```ts
 * import { DEFAULT_VALIDATION_TIMEOUT_MS } from '@coffer/provider-keys';
 *
 * DEFAULT_VALIDATION_TIMEOUT_MS; // 5000
 * ```
 */
export const DEFAULT_VALIDATION_TIMEOUT_MS = 5000;

/**
 * The default cap on the bytes of an answer's body that are read: 64 KiB (`validateKey`'s
 * `maxBodyBytes`).
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_BODY_BYTES } from '@coffer/provider-keys';
 *
 * DEFAULT_MAX_BODY_BYTES; // 65536
 * ```
 */
export const DEFAULT_MAX_BODY_BYTES = 65_536;

const MAX_TIMEOUT_MS = 120_000;
const MAX_REQUEST_BODY = 65_536;
const MAX_REQUEST_HEADERS = 32;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/;
const HEADER_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]{0,8190}[\x21-\x7e])?$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

// The one value the deadline promise rejects with: never a foreign error, never the key.
const ABORTED: unique symbol = Symbol('aborted');

interface CheckedOptions {
  readonly fetchImpl: FetchLike;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly maxBodyBytes: number;
  readonly now: () => number;
}

function option(message: string, parameter: string): InvalidInputError {
  return new InvalidInputError(message, { details: { parameter } });
}

function integerIn(
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  name: string,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw option(`${name} must be an integer from ${min} to ${max}`, name);
  }
  return value;
}

function checkOptions(options: ValidateKeyOptions): CheckedOptions {
  if (typeof options !== 'object' || options === null) {
    throw option('options must be an object', 'options');
  }
  const fetchImpl = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
  if (typeof fetchImpl !== 'function') {
    throw option(
      'options.fetch must be a function (no global fetch is available)',
      'options.fetch',
    );
  }
  const signal = options.signal;
  if (
    signal !== undefined &&
    (typeof signal !== 'object' ||
      signal === null ||
      typeof signal.aborted !== 'boolean' ||
      typeof signal.addEventListener !== 'function')
  ) {
    throw option('options.signal must be an AbortSignal', 'options.signal');
  }
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw option('options.now must be a function', 'options.now');
  return {
    fetchImpl,
    timeoutMs: integerIn(
      options.timeoutMs,
      DEFAULT_VALIDATION_TIMEOUT_MS,
      1,
      MAX_TIMEOUT_MS,
      'options.timeoutMs',
    ),
    signal,
    maxBodyBytes: integerIn(
      options.maxBodyBytes,
      DEFAULT_MAX_BODY_BYTES,
      1024,
      1_048_576,
      'options.maxBodyBytes',
    ),
    now,
  };
}

function isAllowedUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username !== '' || parsed.password !== '') return false;
  if (parsed.protocol === 'https:') return true;
  // Plain HTTP would send the key in clear: only to this machine (a local stand-in in tests).
  return parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname);
}

/** Rebuilds the definition's request from plain values, or throws `PROVIDER_DEFINITION_FAILED`. */
function checkedRequest(provider: string, spec: unknown): ValidationRequest {
  const bad = () => new ProviderDefinitionError(provider, 'validation.request', 'bad_result');
  if (typeof spec !== 'object' || spec === null) throw bad();
  let url: unknown;
  let method: unknown;
  let headers: unknown;
  let body: unknown;
  try {
    ({ url, method, headers, body } = spec as Record<string, unknown>);
  } catch {
    throw bad();
  }
  if (typeof url !== 'string' || url.length > 16_384 || !isAllowedUrl(url)) throw bad();
  if (method !== 'GET' && method !== 'POST') throw bad();
  if (body !== undefined && (typeof body !== 'string' || body.length > MAX_REQUEST_BODY)) {
    throw bad();
  }
  if (method === 'GET' && body !== undefined) throw bad();
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) throw bad();
  const copy: Record<string, string> = {};
  let entries: [string, unknown][];
  try {
    entries = Object.entries(headers);
  } catch {
    throw bad();
  }
  if (entries.length > MAX_REQUEST_HEADERS) throw bad();
  for (const [name, value] of entries) {
    // A line break or other control character in a value (a key that slipped past a lax format
    // check) is refused here: fetch's own error would quote the value.
    if (!HEADER_NAME.test(name) || typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      throw bad();
    }
    copy[name] = value;
  }
  return Object.freeze({
    url,
    method,
    headers: Object.freeze(copy),
    ...(body === undefined ? {} : { body }),
  });
}

/** The caller's clock, or `Date.now()` when it throws or answers something that is no time. */
function clock(now: () => number): number {
  try {
    const value = now();
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  } catch {
    // A broken clock must not turn a provider's answer into an exception.
  }
  return Date.now();
}

function unreachable(reason: UnreachableReason, httpStatus?: number): ValidationResult {
  return Object.freeze({
    status: 'unreachable',
    reason,
    ...(httpStatus === undefined ? {} : { httpStatus }),
  });
}

function statusOf(response: unknown): number | undefined {
  try {
    const status = (response as { status?: unknown }).status;
    return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599
      ? status
      : undefined;
  } catch {
    return undefined;
  }
}

function headersOf(response: unknown): unknown {
  try {
    return (response as { headers?: unknown }).headers;
  } catch {
    return undefined;
  }
}

function interpret(
  provider: ProviderDefinition,
  reply: UpstreamReply,
  now: number,
): ValidationResult {
  const context = { now };
  const custom = provider.validation.interpret;
  if (custom !== undefined) {
    let result: unknown;
    try {
      result = custom(reply, context);
    } catch {
      throw new ProviderDefinitionError(provider.id, 'validation.interpret', 'threw');
    }
    return checkedVerdict(provider.id, 'validation.interpret', result, httpStatusOf(reply));
  }
  if (reply.status >= 200 && reply.status < 300) return VALID;
  let classification: unknown;
  try {
    classification = provider.classifyFailure(reply, context);
  } catch {
    throw new ProviderDefinitionError(provider.id, 'classifyFailure', 'threw');
  }
  return checkedVerdict(
    provider.id,
    'classifyFailure',
    verdictFromClassification(reply, checkedClassification(provider.id, classification)),
    reply.status,
  );
}

function httpStatusOf(reply: UpstreamReply): number | undefined {
  return reply.status >= 200 && reply.status < 300 ? undefined : reply.status;
}

const VALID: ValidationResult = Object.freeze({ status: 'valid' });

/**
 * Checks a key with its provider now, as the provider documents it (OpenAI and Mistral list
 * models, Anthropic lists models or sends a one-token message, Google lists models or generates
 * one token, Meta asks `debug_token`), and classifies the outcome:
 *
 * - `valid`;
 * - `invalid` with a reason safe to show (`key_rejected`, `permission_denied`, `billing`,
 *   `quota_exhausted`, `service_disabled`, `expired`, `wrong_app`, `missing_scope`, …) — only on a
 *   complete answer the provider documents as a rejection of the key;
 * - `rate_limited`, with `retryAfterMs` when the provider said (`Retry-After` in seconds or as an
 *   HTTP date, or the provider's own headers; capped at an hour);
 * - `unreachable` — network error, connection reset, timeout (a hang, at any point, is cut off by
 *   `timeoutMs`), a 5xx, a redirect, or an answer the provider does not document. Never `invalid`.
 *
 * The key travels only in the request the provider's definition builds (a header wherever the
 * provider allows it); it is never in a result, an error message, an error's `cause`, or a log.
 * Redirects are not followed (a custom header would follow them to another host). At most
 * `maxBodyBytes` of the answer are read. Plain `http:` is refused except to a loopback host.
 *
 * @param provider The provider's definition.
 * @param key The key, as text or `Redacted`.
 * @param options `fetch`, `timeoutMs`, `signal`, `maxBodyBytes`, `now`.
 * @returns The outcome.
 * @throws {InvalidInputError} `INVALID_INPUT` when the key does not have the provider's format
 *   (`details.reason`; nothing is sent) or an option is malformed.
 * @throws {ProviderDefinitionError} `PROVIDER_DEFINITION_FAILED` when a host-added provider's
 *   functions throw or build an unusable request.
 * @throws The `signal`'s reason when the caller aborts.
 *
 * @example
 * ```ts
 * import { createOpenAIProvider, validateKey } from '@coffer/provider-keys';
 *
 * // A stand-in for api.openai.com that rejects every key, as OpenAI does a revoked one.
 * const rejecting = async () =>
 *   new Response(JSON.stringify({ error: { code: 'invalid_api_key', type: 'invalid_request_error' } }), {
 *     status: 401,
 *   });
 * const result = await validateKey(createOpenAIProvider(), `sk-proj-${'a'.repeat(40)}`, {
 *   fetch: rejecting,
 *   timeoutMs: 3000,
 * });
 * result; // { status: 'invalid', reason: 'key_rejected', httpStatus: 401 }
 * ```
 */
export async function validateKey(
  provider: ProviderDefinition,
  key: ProviderKey,
  options: ValidateKeyOptions = {},
): Promise<ValidationResult> {
  const { fetchImpl, timeoutMs, signal, maxBodyBytes, now } = checkOptions(options);
  if (signal?.aborted === true) throw signal.reason;
  const format = checkKeyFormat(provider, key);
  const text = keyText(key);
  if (!format.ok || text === undefined) {
    const reason = format.ok ? 'not_a_string' : format.reason;
    throw new InvalidInputError(
      `The key does not have the ${provider.displayName} key format (${reason}); nothing was sent. Ask for the key again.`,
      { details: { parameter: 'key', provider: provider.id, reason } },
    );
  }

  const controller = new AbortController();
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(ABORTED), { once: true });
  });
  aborted.catch(() => undefined);
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const onCallerAbort = (): void => controller.abort();
  signal?.addEventListener('abort', onCallerAbort, { once: true });
  const stopped = (): ValidationResult => {
    if (signal?.aborted === true) throw signal.reason;
    return unreachable('timeout');
  };

  try {
    let spec: unknown;
    try {
      spec = await Promise.race([
        Promise.resolve().then(() => provider.validation.request(text)),
        aborted,
      ]);
    } catch (error) {
      if (error === ABORTED) return stopped();
      throw new ProviderDefinitionError(provider.id, 'validation.request', 'threw');
    }
    const request = checkedRequest(provider.id, spec);

    let fetched: Promise<unknown>;
    try {
      fetched = Promise.resolve(
        fetchImpl(request.url, {
          method: request.method,
          headers: request.headers,
          ...(request.body === undefined ? {} : { body: request.body }),
          redirect: 'manual',
          signal: controller.signal,
        }),
      );
    } catch {
      // A fetch that throws synchronously: its error (which may name the URL) is dropped.
      return unreachable('network_error');
    }
    let response: unknown;
    try {
      response = await Promise.race([fetched, aborted]);
    } catch {
      // A fetch that ignores the signal may still answer later: drop that answer's body.
      fetched.then(discardBody, () => undefined);
      // Whatever fetch rejected with (it may name the URL) is dropped, never passed on.
      return controller.signal.aborted ? stopped() : unreachable('network_error');
    }

    const status = statusOf(response);
    if (status === undefined) {
      discardBody(response);
      return unreachable('unexpected_response');
    }
    if (status >= 300 && status < 400) {
      discardBody(response);
      return unreachable('unexpected_response', status);
    }
    const success = status >= 200 && status < 300;
    let body: unknown;
    if (!success || provider.validation.readSuccessBody === true) {
      try {
        const read = await readCapped(response, maxBodyBytes, aborted);
        body = 'text' in read ? parseBody(read.text) : undefined;
      } catch {
        return controller.signal.aborted ? stopped() : unreachable('network_error', status);
      }
    } else {
      discardBody(response);
    }
    return interpret(provider, makeReply(status, headersOf(response), body), clock(now));
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onCallerAbort);
  }
}
