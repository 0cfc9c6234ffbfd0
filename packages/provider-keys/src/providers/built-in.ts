import type { ProviderDefinition } from '../provider-definition.js';
import { anthropic } from './anthropic.js';
import { google } from './google.js';
import { mistral } from './mistral.js';
import { openai } from './openai.js';

/**
 * The built-in providers that need no configuration, with their default endpoints: OpenAI,
 * Anthropic, Google Gemini and Mistral. (Meta needs your app's credentials:
 * `createMetaProvider`.)
 *
 * @example
 * ```ts
 * import { builtInProviders } from '@coffer/provider-keys';
 *
 * builtInProviders.map((p) => p.id); // ['openai', 'anthropic', 'google', 'mistral']
 * ```
 */
export const builtInProviders: readonly ProviderDefinition[] = Object.freeze([
  openai,
  anthropic,
  google,
  mistral,
]);
