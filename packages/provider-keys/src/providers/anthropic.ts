// Anthropic (https://api.anthropic.com). Sources: docs/provider-keys.md.
//
//   auth        x-api-key: <key>, anthropic-version: 2023-06-01
//   validation  GET /v1/models?limit=1 by default — free, bills nothing, no model id that
//               Anthropic later retires; or, with `check: 'message'`, the seed's minimal
//               POST /v1/messages with max_tokens 1 (proves the key can generate with that model,
//               costs a few tokens; a retired model answers 404 → `validator_misconfigured`)
//   401         authentication_error → `key_rejected`
//   402         billing_error → `billing`
//   403         permission_error → `permission_denied`
//   429         rate_limit_error: retry-after (seconds), else the anthropic-ratelimit-*-reset
//               RFC 3339 time of the exhausted limit
//   500, 529    api_error, overloaded_error → `other` (the validator says `server_error`)
//   400         invalid_request_error, including a spend limit the customer set → `other`

import { InvalidInputError } from '@coffer/core';
import { waitUntilRfc3339 } from '../_durations.js';
import { verdictFromClassification } from '../_reply.js';
import {
  defineProvider,
  type FailureClassification,
  type ProviderDefinition,
  type UpstreamReply,
} from '../provider-definition.js';
import {
  authFailed,
  checkBaseUrl,
  longest,
  OTHER,
  rateLimited,
  retryAfterHeader,
} from './_common.js';
import { anthropicKeyFormat } from './_shapes.js';

/**
 * The API version header every request sends.
 *
 * @example
 * ```ts
 * import { ANTHROPIC_VERSION, anthropic } from '@coffer/provider-keys';
 *
 * const request = await anthropic.validation.request(`sk-ant-api03-${'a'.repeat(93)}AA`);
 * request.headers['anthropic-version'] === ANTHROPIC_VERSION; // true ('2023-06-01')
 * ```
 */
export const ANTHROPIC_VERSION = '2023-06-01';

/** Options of {@link createAnthropicProvider}. */
export interface AnthropicProviderOptions {
  /** Where the API is (default `https://api.anthropic.com`). */
  readonly baseUrl?: string;
  /**
   * How a key is checked: `'models'` (default, `GET /v1/models?limit=1`, free) or `'message'`
   * (`POST /v1/messages`, `max_tokens: 1`, with `model`: proves generation works, costs tokens).
   */
  readonly check?: 'models' | 'message';
  /** The model for `check: 'message'`, e.g. `claude-haiku-4-5`. Required for it. */
  readonly model?: string;
}

const MODEL = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const LIMITS = ['requests', 'tokens', 'input-tokens', 'output-tokens'] as const;

function classify(reply: UpstreamReply, context: { now: number }): FailureClassification {
  switch (reply.status) {
    case 401:
      return authFailed('key_rejected');
    case 402:
      return authFailed('billing');
    case 403:
      return authFailed('permission_denied');
    case 429: {
      const exhausted = LIMITS.map((limit) =>
        reply.header(`anthropic-ratelimit-${limit}-remaining`) === '0'
          ? waitUntilRfc3339(reply.header(`anthropic-ratelimit-${limit}-reset`), context.now)
          : undefined,
      );
      return rateLimited(retryAfterHeader(reply, context) ?? longest(exhausted));
    }
    default:
      return OTHER;
  }
}

/**
 * The Anthropic provider: API keys `sk-ant-apiNN-…` (Admin API keys `sk-ant-admin…` and
 * subscription OAuth tokens `sk-ant-oat…` are refused), checked with `x-api-key` and
 * `anthropic-version: 2023-06-01`.
 *
 * @param options `baseUrl`, `check` (`'models'` or `'message'`), `model`.
 * @returns The provider definition (id `anthropic`).
 * @throws {InvalidInputError} `INVALID_INPUT` for a bad `baseUrl`, an unknown `check`, or
 *   `check: 'message'` without a well-formed `model`.
 *
 * @example
 * ```ts
 * import { createAnthropicProvider } from '@coffer/provider-keys';
 *
 * const strict = createAnthropicProvider({ check: 'message', model: 'claude-haiku-4-5' });
 * strict.id; // 'anthropic'
 * ```
 */
export function createAnthropicProvider(
  options: AnthropicProviderOptions = {},
): ProviderDefinition {
  const baseUrl = checkBaseUrl(options.baseUrl, 'https://api.anthropic.com', 'options.baseUrl');
  const check = options.check ?? 'models';
  if (check !== 'models' && check !== 'message') {
    throw new InvalidInputError('options.check must be "models" or "message"', {
      details: { parameter: 'options.check' },
    });
  }
  const model = options.model;
  if (check === 'message' && (typeof model !== 'string' || !MODEL.test(model))) {
    throw new InvalidInputError(
      'options.model must be a model id (e.g. "claude-haiku-4-5") when options.check is "message"',
      { details: { parameter: 'options.model' } },
    );
  }
  const headers = (key: string): Record<string, string> => ({
    'x-api-key': key,
    'anthropic-version': ANTHROPIC_VERSION,
  });
  return defineProvider({
    id: 'anthropic',
    displayName: 'Anthropic',
    publicPrefixes: ['sk-ant-api03-', 'sk-ant-'],
    checkFormat: anthropicKeyFormat,
    validation:
      check === 'models'
        ? {
            request: (key) => ({
              url: `${baseUrl}/v1/models?limit=1`,
              method: 'GET',
              headers: headers(key),
            }),
          }
        : {
            request: (key) => ({
              url: `${baseUrl}/v1/messages`,
              method: 'POST',
              headers: { ...headers(key), 'content-type': 'application/json' },
              body: JSON.stringify({
                model,
                max_tokens: 1,
                messages: [{ role: 'user', content: 'ping' }],
              }),
            }),
            // A 404 here is the configured model, not the key: the host must fix its options.
            interpret: (reply, context) =>
              reply.status === 404
                ? { status: 'unreachable', reason: 'validator_misconfigured' }
                : verdictFromClassification(reply, classify(reply, context)),
          },
    classifyFailure: classify,
  });
}

/**
 * Anthropic with the defaults (`https://api.anthropic.com`, checked by listing models).
 *
 * @example
 * ```ts
 * import { anthropic, checkKeyFormat } from '@coffer/provider-keys';
 *
 * checkKeyFormat(anthropic, `sk-ant-admin01-${'a'.repeat(93)}AA`); // { ok: false, reason: 'admin_key' }
 * ```
 */
export const anthropic: ProviderDefinition = createAnthropicProvider();
