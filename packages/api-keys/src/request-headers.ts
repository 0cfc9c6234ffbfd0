// Reading the API key from request headers: `X-Api-Key`, with `Authorization: Bearer` as the
// fallback for clients that cannot set custom headers. When both are sent, `X-Api-Key` wins and
// `Authorization` is ignored (the partner contract; a gateway may add its own bearer token); a
// strict mode refuses a disagreement instead. A header sent twice is always refused: guessing which
// copy is meant is unsafe, and Node's parser silently keeps only the first `Authorization`.
import { InvalidInputError } from '@coffer/core';
import { UnauthenticatedError } from './errors.js';

/** Node's `IncomingMessage.headers` shape: lower-case names, string or string[] values. */
export type NodeHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Either a Fetch `Headers` object or Node's lower-cased header record. */
export type HeadersLike = Headers | NodeHeaders;

/**
 * Anything with headers: a Fetch `Request`, Node's `IncomingMessage`, Fastify's or Express's
 * request. `rawHeaders` (Node's flat list of names and values, as received) lets a header sent
 * twice be seen even where Node's parser kept only the first copy in `headers`.
 */
export interface RequestLike {
  readonly headers: HeadersLike;
  readonly rawHeaders?: readonly string[];
}

/**
 * What to do when a request carries both `X-Api-Key` and `Authorization`:
 * `'prefer-x-api-key'` (the default) uses `X-Api-Key` and ignores `Authorization` entirely;
 * `'reject'` refuses the request when `Authorization: Bearer` carries a different key or is
 * malformed (an `Authorization` of another scheme, e.g. Basic, is still ignored).
 *
 * @example
 * ```ts
 * import { type ConflictingHeadersPolicy, readApiKey } from '@coffer/api-keys';
 *
 * const strict: ConflictingHeadersPolicy = 'reject';
 * readApiKey({ 'x-api-key': 'lp_test_x', authorization: 'Bearer lp_test_x' }, { conflictingHeaders: strict }); // 'lp_test_x'
 * ```
 */
export type ConflictingHeadersPolicy = 'prefer-x-api-key' | 'reject';

/** Options of {@link readApiKey}. */
export interface ReadApiKeyOptions {
  /** When both headers are sent (default `'prefer-x-api-key'`). */
  readonly conflictingHeaders?: ConflictingHeadersPolicy;
}

/** Header values longer than this are refused without further parsing. */
const MAX_HEADER_LENGTH = 1024;
const BEARER_SCHEME = /^Bearer(?:[ \t]|$)/i;
const BEARER = /^Bearer[ \t]+([^\s,]+)$/i;

type HeaderValue = string | readonly string[] | null | undefined;

function isFetchHeaders(headers: HeadersLike): headers is Headers {
  return typeof (headers as { get?: unknown }).get === 'function';
}

/** Validates a policy given as an option; used by the verifier at construction. */
export function checkConflictingHeaders(value: unknown): ConflictingHeadersPolicy {
  if (value === undefined) return 'prefer-x-api-key';
  if (value === 'prefer-x-api-key' || value === 'reject') return value;
  throw new InvalidInputError('conflictingHeaders must be "prefer-x-api-key" or "reject"', {
    details: { parameter: 'conflictingHeaders' },
  });
}

function single(value: HeaderValue, name: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') {
    if (value.length === 0) return null;
    if (value.length > 1) {
      throw new UnauthenticatedError(`Send the ${name} header once.`, {
        details: { reason: 'duplicate_header', header: name },
      });
    }
    return single(value[0], name);
  }
  if (value.length > MAX_HEADER_LENGTH) {
    throw new UnauthenticatedError('The API key header is too long; send one key.', {
      details: { reason: 'header_too_long' },
    });
  }
  return value;
}

function fromApiKeyHeader(value: HeaderValue): string | null {
  const header = single(value, 'X-Api-Key');
  if (header === null) return null;
  const key = header.trim();
  if (key.length === 0) {
    throw new UnauthenticatedError('The X-Api-Key header is empty; send your API key in it.', {
      details: { reason: 'empty_header' },
    });
  }
  if (/[\s,]/.test(key)) {
    // Fetch and Node join a repeated header with ", ".
    throw new UnauthenticatedError('Send exactly one API key in X-Api-Key.', {
      details: { reason: 'duplicate_header', header: 'X-Api-Key' },
    });
  }
  return key;
}

function fromAuthorizationHeader(value: HeaderValue): string | null {
  const header = single(value, 'Authorization');
  if (header === null) return null;
  const trimmed = header.trim();
  // Another scheme (Basic, Digest, …) is not an API key.
  if (!BEARER_SCHEME.test(trimmed)) return null;
  const match = BEARER.exec(trimmed);
  if (match === null) {
    throw new UnauthenticatedError(
      'The Authorization header must be "Bearer <key>" with exactly one key.',
      { details: { reason: 'malformed_authorization' } },
    );
  }
  return match[1] ?? null;
}

function pick(
  apiKeyHeader: HeaderValue,
  authorization: HeaderValue,
  policy: ConflictingHeadersPolicy,
): string | null {
  const fromApiKey = fromApiKeyHeader(apiKeyHeader);
  if (fromApiKey !== null && policy === 'prefer-x-api-key') return fromApiKey;
  const fromBearer = fromAuthorizationHeader(authorization);
  if (fromApiKey !== null && fromBearer !== null && fromApiKey !== fromBearer) {
    throw new UnauthenticatedError(
      'X-Api-Key and Authorization carry different keys; send the key in X-Api-Key only.',
      { details: { reason: 'conflicting_headers' } },
    );
  }
  return fromApiKey ?? fromBearer;
}

/**
 * The API key a request carries, or null when it carries none. Reads `X-Api-Key`, and
 * `Authorization: Bearer <key>` when there is no `X-Api-Key`: by default a request that sends both
 * is read from `X-Api-Key` alone (see {@link ConflictingHeadersPolicy}). An `Authorization` header
 * of another scheme (e.g. Basic) is not an API key and is ignored. Values are trimmed; nothing is
 * validated here beyond shape (verification does that). A `Bearer` header that does not carry
 * exactly one token is refused, not ignored, when it is read: it is an attempt to send a key, and
 * guessing which one is meant is unsafe.
 *
 * Given Node's `req.headers` this cannot see an `Authorization` header sent twice (Node keeps only
 * the first); `verifier.authenticate(req)` and the middleware read `req.rawHeaders` for that.
 *
 * @throws {UnauthenticatedError} `UNAUTHENTICATED` when a header it reads is repeated or exceeds
 *   1024 characters, `X-Api-Key` is empty, a `Bearer` header is malformed, or (with
 *   `conflictingHeaders: 'reject'`) both headers carry different keys.
 * @throws {InvalidInputError} `INVALID_INPUT` for an unknown `conflictingHeaders`.
 * @example
 * ```ts
 * import { readApiKey } from '@coffer/api-keys';
 *
 * readApiKey(new Headers({ authorization: 'Bearer lp_test_x' })); // 'lp_test_x'
 * readApiKey({ 'x-api-key': 'lp_test_x' }); // 'lp_test_x' (Node's req.headers)
 * readApiKey({ 'x-api-key': 'lp_test_x', authorization: 'Bearer gateway-token' }); // 'lp_test_x'
 * readApiKey({}); // null
 * ```
 */
export function readApiKey(headers: HeadersLike, options: ReadApiKeyOptions = {}): string | null {
  const policy = checkConflictingHeaders(options.conflictingHeaders);
  if (isFetchHeaders(headers)) {
    // Fetch joins repeated headers with ", "; a key never contains a comma or space.
    return pick(headers.get('x-api-key'), headers.get('authorization'), policy);
  }
  return pick(headers['x-api-key'], headers.authorization, policy);
}

/** Every value of `name` (lower case) in Node's flat `rawHeaders` list, in order. */
function rawValues(raw: readonly unknown[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const n = raw[i];
    const v = raw[i + 1];
    if (typeof n === 'string' && n.length === name.length && n.toLowerCase() === name) {
      if (typeof v === 'string') values.push(v);
    }
  }
  return values;
}

/**
 * {@link readApiKey} on a whole request. With Node's `rawHeaders` present, a header that arrived
 * more than once is refused even where `headers` holds only its first copy; otherwise the values
 * in `headers` are read (so a middleware that rewrote them is honoured).
 */
export function readRequestApiKey(
  request: RequestLike,
  options: { readonly conflictingHeaders: ConflictingHeadersPolicy },
): string | null {
  const headers = request.headers;
  if (isFetchHeaders(headers)) {
    return pick(headers.get('x-api-key'), headers.get('authorization'), options.conflictingHeaders);
  }
  let apiKey: HeaderValue = headers['x-api-key'];
  let authorization: HeaderValue = headers.authorization;
  const raw: unknown = request.rawHeaders;
  if (Array.isArray(raw)) {
    if (apiKey !== undefined) {
      const all = rawValues(raw, 'x-api-key');
      if (all.length > 1) apiKey = all;
    }
    const needed = apiKey === undefined || options.conflictingHeaders === 'reject';
    if (needed && authorization !== undefined) {
      const all = rawValues(raw, 'authorization');
      if (all.length > 1) authorization = all;
    }
  }
  return pick(apiKey, authorization, options.conflictingHeaders);
}
