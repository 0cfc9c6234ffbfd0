// Google Gemini API (Generative Language API, https://generativelanguage.googleapis.com). Sources:
// docs/provider-keys.md.
//
//   auth        x-goog-api-key: <key> — the header, never the `key=` query parameter, so the key is
//               in no URL (URLs end up in logs, proxies and fetch's own error messages)
//   validation  GET /v1beta/models?pageSize=1 by default — free; or, with `check: 'generate'`,
//               the seed's minimal POST /v1beta/models/{model}:generateContent with
//               maxOutputTokens 1 (a retired model answers 404 → `validator_misconfigured`)
//   400         with google.rpc.ErrorInfo reason API_KEY_INVALID → `key_rejected` (Google answers
//               an invalid key with 400 INVALID_ARGUMENT, not 401); any other 400, e.g.
//               FAILED_PRECONDITION (free tier not in the caller's country) → `other`
//   401         UNAUTHENTICATED (e.g. ACCESS_TOKEN_TYPE_UNSUPPORTED) → `key_rejected`
//   403         PERMISSION_DENIED: reason SERVICE_DISABLED → `service_disabled` (the key's project
//               has not enabled the API), otherwise `permission_denied` (key restrictions)
//   429         RESOURCE_EXHAUSTED: Retry-After, else google.rpc.RetryInfo.retryDelay (`"37s"`)
import { InvalidInputError } from '@coffer/core';
import { parseProtobufDuration } from '../_durations.js';
import { field, items, text } from '../_json-fields.js';
import { verdictFromClassification } from '../_reply.js';
import {
  defineProvider,
  type FailureClassification,
  type ProviderDefinition,
  type UpstreamReply,
} from '../provider-definition.js';
import { authFailed, checkBaseUrl, OTHER, rateLimited, retryAfterHeader } from './_common.js';
import { googleKeyFormat } from './_shapes.js';

/** Options of {@link createGoogleProvider}. */
export interface GoogleProviderOptions {
  /** Where the API is (default `https://generativelanguage.googleapis.com`). */
  readonly baseUrl?: string;
  /**
   * How a key is checked: `'models'` (default, `GET /v1beta/models?pageSize=1`, free) or
   * `'generate'` (`generateContent` with one output token and `model`).
   */
  readonly check?: 'models' | 'generate';
  /** The model for `check: 'generate'`, e.g. `gemini-2.5-flash`. Required for it. */
  readonly model?: string;
}

const MODEL = /^[a-z0-9][a-z0-9.-]{0,127}$/;
const TYPE_PREFIX = 'type.googleapis.com/google.rpc.';

/** The `details` entries of a Google error body of one `@type` (e.g. `ErrorInfo`). */
function details(reply: UpstreamReply, type: string): readonly unknown[] {
  return items(field(field(reply.body, 'error'), 'details')).filter(
    (detail) => text(field(detail, '@type')) === `${TYPE_PREFIX}${type}`,
  );
}

function reasons(reply: UpstreamReply): readonly string[] {
  return details(reply, 'ErrorInfo')
    .map((info) => text(field(info, 'reason'), 128))
    .filter((reason): reason is string => reason !== undefined);
}

function classify(reply: UpstreamReply, context: { now: number }): FailureClassification {
  const why = reasons(reply);
  if (why.includes('API_KEY_INVALID') || reply.status === 401) return authFailed('key_rejected');
  if (reply.status === 403) {
    return authFailed(why.includes('SERVICE_DISABLED') ? 'service_disabled' : 'permission_denied');
  }
  if (reply.status === 429) {
    const retryInfo = details(reply, 'RetryInfo')
      .map((info) => parseProtobufDuration(text(field(info, 'retryDelay'), 32)))
      .find((wait) => wait !== undefined);
    return rateLimited(retryAfterHeader(reply, context) ?? retryInfo);
  }
  return OTHER;
}

/**
 * The Google provider (Gemini API keys: standard `AIza…` keys and the newer `AQ.…` auth keys),
 * checked with the `x-goog-api-key` header.
 *
 * @param options `baseUrl`, `check` (`'models'` or `'generate'`), `model`.
 * @returns The provider definition (id `google`).
 * @throws {InvalidInputError} `INVALID_INPUT` for a bad `baseUrl`, an unknown `check`, or
 *   `check: 'generate'` without a well-formed `model`.
 *
 * @example
 * ```ts
 * import { createGoogleProvider } from '@coffer/provider-keys';
 *
 * const strict = createGoogleProvider({ check: 'generate', model: 'gemini-2.5-flash' });
 * strict.displayName; // 'Google Gemini'
 * ```
 */
export function createGoogleProvider(options: GoogleProviderOptions = {}): ProviderDefinition {
  const baseUrl = checkBaseUrl(
    options.baseUrl,
    'https://generativelanguage.googleapis.com',
    'options.baseUrl',
  );
  const check = options.check ?? 'models';
  if (check !== 'models' && check !== 'generate') {
    throw new InvalidInputError('options.check must be "models" or "generate"', {
      details: { parameter: 'options.check' },
    });
  }
  const model = options.model;
  if (check === 'generate' && (typeof model !== 'string' || !MODEL.test(model))) {
    throw new InvalidInputError(
      'options.model must be a model id (e.g. "gemini-2.5-flash") when options.check is "generate"',
      { details: { parameter: 'options.model' } },
    );
  }
  return defineProvider({
    id: 'google',
    displayName: 'Google Gemini',
    publicPrefixes: ['AIza', 'AQ.'],
    checkFormat: googleKeyFormat,
    validation:
      check === 'models'
        ? {
            request: (key) => ({
              url: `${baseUrl}/v1beta/models?pageSize=1`,
              method: 'GET',
              headers: { 'x-goog-api-key': key },
            }),
          }
        : {
            request: (key) => ({
              url: `${baseUrl}/v1beta/models/${model}:generateContent`,
              method: 'POST',
              headers: { 'x-goog-api-key': key, 'content-type': 'application/json' },
              body: JSON.stringify({
                contents: [{ parts: [{ text: 'ping' }] }],
                generationConfig: { maxOutputTokens: 1 },
              }),
            }),
            interpret: (reply, context) =>
              reply.status === 404
                ? { status: 'unreachable', reason: 'validator_misconfigured' }
                : verdictFromClassification(reply, classify(reply, context)),
          },
    classifyFailure: classify,
  });
}

/**
 * Google Gemini with the defaults (checked by listing models).
 *
 * @example
 * ```ts
 * import { checkKeyFormat, google } from '@coffer/provider-keys';
 *
 * checkKeyFormat(google, `AIza${'a'.repeat(35)}`); // { ok: true }
 * checkKeyFormat(google, `AIza${'a'.repeat(34)}`); // { ok: false, reason: 'wrong_length' }
 * ```
 */
export const google: ProviderDefinition = createGoogleProvider();
