export type { HeadersLike } from './_headers.js';
export { MAX_KEY_LENGTH } from './_key-text.js';
export {
  type ClassifyOptions,
  classifyUpstreamFailure,
  type UpstreamResponse,
} from './classify-failure.js';
export { DISPLAY_ELLIPSIS, DISPLAY_TAIL_MAX, displayPrefix } from './display-prefix.js';
export {
  ProviderDefinitionError,
  type ProviderDefinitionStep,
  ProviderKeyBusyError,
  ProviderKeyConflictError,
  ProviderKeyNotFoundError,
  ProviderKeyUnavailableError,
  UnknownProviderError,
} from './errors.js';
export { checkKeyFormat } from './key-format.js';
export {
  type PlatformKeySource,
  platformKeysFromSecrets,
  type SecretAccessorLike,
} from './platform-keys.js';
export {
  type ClassifyContext,
  defineProvider,
  type FailureClassification,
  KEY_FORMAT_REASONS,
  type KeyFormatReason,
  type KeyFormatResult,
  type KnownInvalidReason,
  type ProviderDefinition,
  type ProviderKey,
  type ProviderValidation,
  type UnreachableReason,
  type UpstreamReply,
  type ValidationRequest,
  type ValidationResult,
} from './provider-definition.js';
export type { ProviderKeyEvent } from './provider-key-events.js';
export type { ProviderKeyInfo, ProviderKeyTestResult } from './provider-key-info.js';
export {
  createProviderKeys,
  type ProviderKeys,
  type ScopedProviderKeys,
} from './provider-keys.js';
export type { ProviderKeysOptions, ProviderKeyWriteOptions } from './provider-keys-options.js';
export { createProviderRegistry, type ProviderRegistry } from './provider-registry.js';
export {
  ANTHROPIC_VERSION,
  type AnthropicProviderOptions,
  anthropic,
  createAnthropicProvider,
} from './providers/anthropic.js';
export { builtInProviders } from './providers/built-in.js';
export { createGoogleProvider, type GoogleProviderOptions, google } from './providers/google.js';
export {
  createMetaProvider,
  type MetaAppAccessToken,
  type MetaProviderOptions,
} from './providers/meta.js';
export {
  createMistralProvider,
  type MistralProviderOptions,
  mistral,
} from './providers/mistral.js';
export { createOpenAIProvider, type OpenAIProviderOptions, openai } from './providers/openai.js';
export type {
  FallbackReason,
  ProviderKeyRef,
  ReportFailureResult,
  ResolvedProviderKey,
} from './resolved-provider-key.js';
export { MAX_RETRY_AFTER_MS, parseRetryAfter } from './retry-after.js';
export {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_VALIDATION_TIMEOUT_MS,
  type FetchLike,
  type ValidateKeyOptions,
  validateKey,
} from './validate-key.js';
