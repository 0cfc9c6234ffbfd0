// OpenAI (https://api.openai.com). Sources: docs/provider-keys.md.
//
//   auth        Authorization: Bearer <key>
//   validation  GET /v1/models — lists models, free, no model name to go stale
//   401         any: the key is wrong, revoked or deleted (code `invalid_api_key`, …)
//   403         the key may not do this (`permission_denied`), except code
//               `unsupported_country_region_territory`: that is about the caller's region, not
//               the key (`other`)
//   429         code `insufficient_quota`: out of credit — waiting does not help (`quota_exhausted`);
//               otherwise a rate limit: Retry-After, else x-ratelimit-reset-requests / -tokens
//               (Go durations such as `6m0s`) of the exhausted limit
import { parseGoDuration } from '../_durations.js';
import { field, text } from '../_json-fields.js';
import {
  defineProvider,
  type FailureClassification,
  type ProviderDefinition,
} from '../provider-definition.js';
import {
  authFailed,
  checkBaseUrl,
  longest,
  OTHER,
  rateLimited,
  retryAfterHeader,
} from './_common.js';
import { openaiKeyFormat } from './_shapes.js';

/** Options of {@link createOpenAIProvider}. */
export interface OpenAIProviderOptions {
  /** Where the API is (default `https://api.openai.com`): a proxy, or a local stand-in in tests. */
  readonly baseUrl?: string;
}

/**
 * The OpenAI provider: keys `sk-proj-…`, `sk-svcacct-…` and legacy `sk-…` (admin keys
 * `sk-admin-…` are refused: they cannot call models), checked with `GET /v1/models` and
 * `Authorization: Bearer`.
 *
 * @param options `baseUrl`.
 * @returns The provider definition (id `openai`).
 * @throws {InvalidInputError} `INVALID_INPUT` when `baseUrl` is not an `https:` URL (or `http:`
 *   to a loopback host).
 *
 * @example
 * ```ts
 * import { createOpenAIProvider } from '@coffer/provider-keys';
 *
 * const viaProxy = createOpenAIProvider({ baseUrl: 'https://llm-proxy.internal.example' });
 * viaProxy.id; // 'openai'
 * ```
 */
export function createOpenAIProvider(options: OpenAIProviderOptions = {}): ProviderDefinition {
  const baseUrl = checkBaseUrl(options.baseUrl, 'https://api.openai.com', 'options.baseUrl');
  return defineProvider({
    id: 'openai',
    displayName: 'OpenAI',
    publicPrefixes: ['sk-proj-', 'sk-svcacct-', 'sk-'],
    checkFormat: openaiKeyFormat,
    validation: {
      request: (key) => ({
        url: `${baseUrl}/v1/models`,
        method: 'GET',
        headers: { authorization: `Bearer ${key}` },
      }),
    },
    classifyFailure: (reply, context): FailureClassification => {
      const code = text(field(field(reply.body, 'error'), 'code'));
      if (reply.status === 401) return authFailed('key_rejected');
      if (reply.status === 403) {
        return code === 'unsupported_country_region_territory'
          ? OTHER
          : authFailed('permission_denied');
      }
      if (reply.status === 429) {
        if (code === 'insufficient_quota') return authFailed('quota_exhausted');
        return rateLimited(retryAfterHeader(reply, context) ?? resetWait(reply));
      }
      return OTHER;
    },
  });
}

/** The reset of the limit that is exhausted (remaining `0`), else the longer of the two. */
function resetWait(reply: { header(name: string): string | undefined }): number | undefined {
  const requests = parseGoDuration(reply.header('x-ratelimit-reset-requests'));
  const tokens = parseGoDuration(reply.header('x-ratelimit-reset-tokens'));
  const exhausted = [
    reply.header('x-ratelimit-remaining-requests') === '0' ? requests : undefined,
    reply.header('x-ratelimit-remaining-tokens') === '0' ? tokens : undefined,
  ];
  return longest(exhausted) ?? longest([requests, tokens]);
}

/**
 * OpenAI with the default base URL (`https://api.openai.com`).
 *
 * @example
 * ```ts
 * import { checkKeyFormat, openai } from '@coffer/provider-keys';
 *
 * checkKeyFormat(openai, `sk-admin-${'a'.repeat(40)}`); // { ok: false, reason: 'admin_key' }
 * ```
 */
export const openai: ProviderDefinition = createOpenAIProvider();
