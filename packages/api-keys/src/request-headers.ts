// Reading the API key from request headers: `X-Api-Key` first, `Authorization: Bearer` as the
// fallback. Both present and different is refused: a proxy or client bug would otherwise decide
// silently which key authenticates the request.
import { UnauthenticatedError } from './errors.js';

/** Node's `IncomingMessage.headers` shape: lower-case names, string or string[] values. */
export type NodeHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** Either a Fetch `Headers` object or Node's lower-cased header record. */
export type HeadersLike = Headers | NodeHeaders;

/** Anything with headers: a Fetch `Request`, Node's `IncomingMessage`, Fastify's or Express's request. */
export interface RequestLike {
  readonly headers: HeadersLike;
}

/** Header values longer than this are refused without further parsing. */
const MAX_HEADER_LENGTH = 1024;
const BEARER_SCHEME = /^Bearer(?:[ \t]|$)/i;
const BEARER = /^Bearer[ \t]+([^\s,]+)$/i;

function isFetchHeaders(headers: HeadersLike): headers is Headers {
  return typeof (headers as { get?: unknown }).get === 'function';
}

function single(value: string | readonly string[] | null | undefined, name: string): string | null {
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
  return value;
}

/**
 * The API key a request carries, or null when it carries none. Reads `X-Api-Key` first and
 * `Authorization: Bearer <key>` as a fallback; an `Authorization` header of another scheme (e.g.
 * Basic) is not an API key and is ignored. Values are trimmed; nothing is validated here beyond
 * shape (verification does that). A `Bearer` header that does not carry exactly one token is
 * refused, not ignored: it is an attempt to send a key, and guessing which one is meant is unsafe.
 *
 * @throws {UnauthenticatedError} `UNAUTHENTICATED` when both headers carry different keys, a header
 *   is repeated, `X-Api-Key` is empty, a `Bearer` header is malformed, or a value exceeds 1024
 *   characters.
 * @example
 * ```ts
 * import { readApiKey } from '@coffer/api-keys';
 *
 * readApiKey(new Headers({ authorization: 'Bearer lp_test_x' })); // 'lp_test_x'
 * readApiKey({ 'x-api-key': 'lp_test_x' }); // 'lp_test_x' (Node's req.headers)
 * readApiKey({}); // null
 * ```
 */
export function readApiKey(headers: HeadersLike): string | null {
  let apiKeyHeader: string | null;
  let authorization: string | null;
  if (isFetchHeaders(headers)) {
    // Fetch joins repeated headers with ", "; a key never contains a comma or space.
    apiKeyHeader = headers.get('x-api-key');
    authorization = headers.get('authorization');
  } else {
    apiKeyHeader = single(headers['x-api-key'], 'X-Api-Key');
    authorization = single(headers.authorization, 'Authorization');
  }
  if (
    (apiKeyHeader !== null && apiKeyHeader.length > MAX_HEADER_LENGTH) ||
    (authorization !== null && authorization.length > MAX_HEADER_LENGTH)
  ) {
    throw new UnauthenticatedError('The API key header is too long; send one key.', {
      details: { reason: 'header_too_long' },
    });
  }
  let fromApiKey: string | null = null;
  if (apiKeyHeader !== null) {
    fromApiKey = apiKeyHeader.trim();
    if (fromApiKey.length === 0) {
      throw new UnauthenticatedError('The X-Api-Key header is empty; send your API key in it.', {
        details: { reason: 'empty_header' },
      });
    }
    if (/[\s,]/.test(fromApiKey)) {
      throw new UnauthenticatedError('Send exactly one API key in X-Api-Key.', {
        details: { reason: 'duplicate_header', header: 'X-Api-Key' },
      });
    }
  }
  let fromBearer: string | null = null;
  if (authorization !== null) {
    const value = authorization.trim();
    if (BEARER_SCHEME.test(value)) {
      const match = BEARER.exec(value);
      if (match === null) {
        throw new UnauthenticatedError(
          'The Authorization header must be "Bearer <key>" with exactly one key.',
          { details: { reason: 'malformed_authorization' } },
        );
      }
      fromBearer = match[1] ?? null;
    }
  }
  if (fromApiKey !== null && fromBearer !== null && fromApiKey !== fromBearer) {
    throw new UnauthenticatedError(
      'X-Api-Key and Authorization carry different keys; send the key in X-Api-Key only.',
      { details: { reason: 'conflicting_headers' } },
    );
  }
  return fromApiKey ?? fromBearer;
}
