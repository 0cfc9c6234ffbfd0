// Mistral AI (https://api.mistral.ai). Sources: docs/provider-keys.md.
//
//   auth        Authorization: Bearer <key>
//   validation  GET /v1/models — free
//   401 / 403   → `key_rejected` / `permission_denied` (read from the status alone: Mistral does
//               not document its error body, so none of it is read)
//   429         Retry-After when present
//   key format  not published by Mistral: only characters and length are checked
import {
  defineProvider,
  type FailureClassification,
  type ProviderDefinition,
} from '../provider-definition.js';
import { authFailed, checkBaseUrl, OTHER, rateLimited, retryAfterHeader } from './_common.js';
import { mistralKeyFormat } from './_shapes.js';

/** Options of {@link createMistralProvider}. */
export interface MistralProviderOptions {
  /** Where the API is (default `https://api.mistral.ai`). */
  readonly baseUrl?: string;
}

/**
 * The Mistral provider, checked with `GET /v1/models` and `Authorization: Bearer`. Mistral
 * publishes no key format, so the format check is only 20–256 URL-safe characters that are not
 * another provider's key. Codestral keys (for `codestral.mistral.ai`) are different keys and are
 * rejected by `api.mistral.ai`.
 *
 * @param options `baseUrl`.
 * @returns The provider definition (id `mistral`).
 * @throws {InvalidInputError} `INVALID_INPUT` for a bad `baseUrl`.
 *
 * @example
 * ```ts
 * import { createMistralProvider } from '@coffer/provider-keys';
 *
 * createMistralProvider().publicPrefixes; // []
 * ```
 */
export function createMistralProvider(options: MistralProviderOptions = {}): ProviderDefinition {
  const baseUrl = checkBaseUrl(options.baseUrl, 'https://api.mistral.ai', 'options.baseUrl');
  return defineProvider({
    id: 'mistral',
    displayName: 'Mistral AI',
    publicPrefixes: [],
    checkFormat: mistralKeyFormat,
    validation: {
      request: (key) => ({
        url: `${baseUrl}/v1/models`,
        method: 'GET',
        headers: { authorization: `Bearer ${key}` },
      }),
    },
    classifyFailure: (reply, context): FailureClassification => {
      if (reply.status === 401) return authFailed('key_rejected');
      if (reply.status === 403) return authFailed('permission_denied');
      if (reply.status === 429) return rateLimited(retryAfterHeader(reply, context));
      return OTHER;
    },
  });
}

/**
 * Mistral with the default base URL (`https://api.mistral.ai`).
 *
 * @example
 * ```ts
 * import { checkKeyFormat, mistral } from '@coffer/provider-keys';
 *
 * checkKeyFormat(mistral, 'aBcD1234eFgH5678iJkL9012mNoP3456'); // { ok: true }
 * checkKeyFormat(mistral, `sk-proj-${'a'.repeat(40)}`); // { ok: false, reason: 'wrong_provider' }
 * ```
 */
export const mistral: ProviderDefinition = createMistralProvider();
