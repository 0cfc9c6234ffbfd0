// Meta (Graph API) access tokens — the shipped example of a host-added provider: it needs the
// host's own app access token, so it is built with createMetaProvider. Sources:
// docs/provider-keys.md.
//
//   validation  GET /{version}/debug_token?input_token=<token>&access_token=<app token>
//               Meta documents both only as query parameters, so this is the one shipped
//               validator whose secrets travel in a URL (HTTPS to graph.facebook.com; this package
//               never logs, returns or throws a URL, and refuses redirects). `debug_token` answers
//               200 with `data.is_valid` for the token being inspected; an error object at the top
//               level is about the request itself — normally the app token — and never marks the
//               customer's token invalid (`validator_misconfigured`).
//   failures    error.code 190 (subcode 463: expired) and 102 → the token is rejected;
//               10 and 200–299 → `permission_denied`; 4, 17, 32, 613 and 80000–80014 → rate
//               limited, waiting X-Business-Use-Case-Usage `estimated_time_to_regain_access`
//               (minutes) or Retry-After.
import { InvalidInputError, Redacted } from '@coffer/core';
import { field, items, number, text } from '../_json-fields.js';
import {
  defineProvider,
  type FailureClassification,
  type ProviderDefinition,
  type UpstreamReply,
  type ValidationResult,
} from '../provider-definition.js';
import { clampWait } from '../retry-after.js';
import {
  authFailed,
  checkBaseUrl,
  longest,
  OTHER,
  rateLimited,
  retryAfterHeader,
} from './_common.js';
import { metaTokenFormat } from './_shapes.js';

/** Where the app access token comes from: the value, or a function that fetches it. */
export type MetaAppAccessToken =
  | Redacted<string>
  | (() => Redacted<string> | Promise<Redacted<string>>);

/** Options of {@link createMetaProvider}. */
export interface MetaProviderOptions {
  /** Your Meta app's id (digits). A token issued for another app is `invalid` (`wrong_app`). */
  readonly appId: string;
  /**
   * Your app access token, `Redacted`: one from `GET /oauth/access_token?grant_type=
   * client_credentials` (revocable by resetting the app secret), or `${appId}|${appSecret}`, which
   * Meta also accepts. A function is called for each check, so the token can come from your secret
   * store and rotate.
   */
  readonly appAccessToken: MetaAppAccessToken;
  /** The Graph API version (default `v25.0`). */
  readonly graphApiVersion?: string;
  /**
   * Permissions the token must have been granted (e.g. `['ads_management']` for the Conversions
   * API); a token without one of them is `invalid` (`missing_scope`).
   */
  readonly requiredScopes?: readonly string[];
  /** Where the Graph API is (default `https://graph.facebook.com`). */
  readonly baseUrl?: string;
  /** The provider id (default `meta`), e.g. `meta-capi` next to `meta-ads`. */
  readonly id?: string;
}

const APP_ID = /^\d{1,32}$/;
const VERSION = /^v\d{1,3}\.\d{1,2}$/;
const SCOPE = /^[a-z][a-z0-9_]{0,63}$/;
const APP_TOKEN = /^[\x21-\x7e]{10,1024}$/;
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);

function isRateLimitCode(code: number): boolean {
  return RATE_LIMIT_CODES.has(code) || (code >= 80_000 && code <= 80_014);
}

/** The longest `estimated_time_to_regain_access` (minutes) in X-Business-Use-Case-Usage. */
function businessUseCaseWait(reply: UpstreamReply): number | undefined {
  const header = reply.header('x-business-use-case-usage');
  if (header === undefined) return undefined;
  let usage: unknown;
  try {
    usage = JSON.parse(header);
  } catch {
    return undefined;
  }
  if (typeof usage !== 'object' || usage === null || Array.isArray(usage)) return undefined;
  const waits: (number | undefined)[] = [];
  for (const id of Object.keys(usage).slice(0, 64)) {
    for (const entry of items(field(usage, id))) {
      const minutes = number(field(entry, 'estimated_time_to_regain_access'));
      if (minutes !== undefined && minutes >= 0) waits.push(clampWait(minutes * 60_000));
    }
  }
  return longest(waits);
}

function classify(reply: UpstreamReply, context: { now: number }): FailureClassification {
  const error = field(reply.body, 'error');
  const code = number(field(error, 'code'));
  const subcode = number(field(error, 'error_subcode'));
  if (code === 190) return authFailed(subcode === 463 ? 'expired' : 'key_rejected');
  if (code === 102) return authFailed('key_rejected');
  if (code === 10 || (code !== undefined && code >= 200 && code <= 299)) {
    return authFailed('permission_denied');
  }
  if (
    (code !== undefined && isRateLimitCode(code)) ||
    (code === undefined && reply.status === 429)
  ) {
    return rateLimited(businessUseCaseWait(reply) ?? retryAfterHeader(reply, context));
  }
  if (code === undefined && reply.status === 401) return authFailed('key_rejected');
  return OTHER;
}

async function resolveAppToken(source: MetaAppAccessToken): Promise<string> {
  const value = typeof source === 'function' ? await source() : source;
  const token = Redacted.isRedacted(value) ? (value as Redacted<unknown>).expose() : undefined;
  if (typeof token !== 'string' || !APP_TOKEN.test(token)) {
    // Thrown inside the validator's request step: reported as PROVIDER_DEFINITION_FAILED.
    throw new InvalidInputError('appAccessToken must be a Redacted string of visible ASCII');
  }
  return token;
}

/**
 * A Meta provider: user, Page and system-user access tokens (the kind the Conversions API and
 * Marketing API use), checked with the Graph API's `debug_token` endpoint and your app access
 * token. Meta documents no token format, so the format check is characters and length only.
 *
 * @param options `appId`, `appAccessToken`, and optionally `graphApiVersion`, `requiredScopes`,
 *   `baseUrl`, `id`.
 * @returns The provider definition (id `meta` unless you chose another).
 * @throws {InvalidInputError} `INVALID_INPUT` for a malformed option (an `appAccessToken` that is
 *   not `Redacted` text, an `appId` that is not digits, a scope or version of the wrong form).
 *
 * @example
 * ```ts
 * import { redact } from '@coffer/core';
 * import { createMetaProvider } from '@coffer/provider-keys';
 *
 * const meta = createMetaProvider({
 *   appId: '1234567890',
 *   appAccessToken: redact('1234567890|app-secret-from-your-secret-store'),
 *   requiredScopes: ['ads_management'],
 * });
 * meta.id; // 'meta'
 * ```
 */
export function createMetaProvider(options: MetaProviderOptions): ProviderDefinition {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidInputError('options must be an object with appId and appAccessToken', {
      details: { parameter: 'options' },
    });
  }
  const { appId, appAccessToken, requiredScopes = [] } = options;
  if (typeof appId !== 'string' || !APP_ID.test(appId)) {
    throw new InvalidInputError('options.appId must be your Meta app id (digits)', {
      details: { parameter: 'options.appId' },
    });
  }
  if (typeof appAccessToken !== 'function') {
    const token = Redacted.isRedacted(appAccessToken)
      ? (appAccessToken as Redacted<unknown>).expose()
      : undefined;
    if (typeof token !== 'string' || !APP_TOKEN.test(token)) {
      throw new InvalidInputError(
        'options.appAccessToken must be a Redacted app access token (or a function returning one)',
        { details: { parameter: 'options.appAccessToken' } },
      );
    }
  }
  const version = options.graphApiVersion ?? 'v25.0';
  if (typeof version !== 'string' || !VERSION.test(version)) {
    throw new InvalidInputError('options.graphApiVersion must look like "v25.0"', {
      details: { parameter: 'options.graphApiVersion' },
    });
  }
  if (
    !Array.isArray(requiredScopes) ||
    requiredScopes.length > 64 ||
    !requiredScopes.every((scope) => typeof scope === 'string' && SCOPE.test(scope))
  ) {
    throw new InvalidInputError(
      'options.requiredScopes must be permission names such as "ads_management"',
      { details: { parameter: 'options.requiredScopes' } },
    );
  }
  const scopes = [...requiredScopes];
  const baseUrl = checkBaseUrl(options.baseUrl, 'https://graph.facebook.com', 'options.baseUrl');

  const interpret = (reply: UpstreamReply, context: { now: number }): ValidationResult => {
    if (reply.status >= 200 && reply.status < 300) {
      const data = field(reply.body, 'data');
      const isValid = field(data, 'is_valid');
      if (typeof isValid !== 'boolean')
        return { status: 'unreachable', reason: 'unexpected_response' };
      if (!isValid) {
        const error = field(data, 'error');
        const subcode = number(field(error, 'subcode')) ?? number(field(error, 'error_subcode'));
        return { status: 'invalid', reason: subcode === 463 ? 'expired' : 'key_rejected' };
      }
      if (text(field(data, 'app_id'), 64) !== appId)
        return { status: 'invalid', reason: 'wrong_app' };
      const granted = new Set(
        items(field(data, 'scopes'), 1024).filter((s): s is string => typeof s === 'string'),
      );
      if (!scopes.every((scope) => granted.has(scope))) {
        return { status: 'invalid', reason: 'missing_scope' };
      }
      return { status: 'valid' };
    }
    // An error at the top level is about the request, not the token being inspected.
    const classification = classify(reply, context);
    if (classification.kind === 'rate_limited') {
      return classification.retryAfterMs === undefined
        ? { status: 'rate_limited' }
        : { status: 'rate_limited', retryAfterMs: classification.retryAfterMs };
    }
    if (classification.kind === 'auth_failed') {
      return { status: 'unreachable', reason: 'validator_misconfigured' };
    }
    return {
      status: 'unreachable',
      reason: reply.status >= 500 ? 'server_error' : 'unexpected_response',
    };
  };

  return defineProvider({
    id: options.id ?? 'meta',
    displayName: 'Meta',
    publicPrefixes: [],
    checkFormat: metaTokenFormat,
    validation: {
      request: async (key) => {
        const appToken = await resolveAppToken(appAccessToken);
        const query = new URLSearchParams({ input_token: key, access_token: appToken });
        return { url: `${baseUrl}/${version}/debug_token?${query}`, method: 'GET', headers: {} };
      },
      readSuccessBody: true,
      interpret,
    },
    classifyFailure: classify,
  });
}
