export type {
  ApiKeyChangeHandlers,
  ApiKeyChangePublisher,
  ApiKeyChangeSource,
} from './api-key-change-feed.js';
export {
  type ApiKeyChangeMessage,
  encodeApiKeyChangeMessage,
  MAX_API_KEY_CHANGE_MESSAGE_LENGTH,
  parseApiKeyChangeMessage,
} from './api-key-change-message.js';
export {
  API_KEY_SCAN_PATTERN_SOURCE,
  type ApiKeyEnv,
  type ApiKeyFormatOptions,
  apiKeyScanPattern,
  DEFAULT_API_KEY_PREFIX,
  isWellFormedApiKey,
  type ParsedApiKey,
  parseApiKey,
} from './api-key-format.js';
export type { ApiKeyInfo, ApiKeyStatus, VerifiedApiKey } from './api-key-info.js';
export {
  API_KEY_METADATA_MAX_BYTES,
  type ApiKeyJsonValue,
  type ApiKeyMetadata,
} from './api-key-metadata.js';
export type {
  ApiKeyAuditEntry,
  ApiKeyAuditQuery,
  ApiKeyChanges,
  ApiKeyChangeType,
  ApiKeyListQuery,
  ApiKeyRecord,
  ApiKeyStore,
  ApiKeyWriteOptions,
  KillSwitchTarget,
} from './api-key-store.js';
export { DEFAULT_API_KEY_TIER, DEFAULT_API_KEY_TIERS } from './api-key-tier.js';
export { type ApiKeyChangeOptions, UNATTRIBUTED_ACTOR } from './audit-note.js';
export {
  type ApiErrorBody,
  type ApiErrorResponse,
  apiKeyErrorResponse,
  apiKeyOf,
  authenticate,
  newRequestId,
  requestIdOf,
} from './authenticate.js';
export type {
  AuthenticationAttempt,
  AuthenticationGuard,
  AuthenticationOutcome,
} from './authentication-guard.js';
export {
  ApiKeyConflictError,
  ApiKeyMissingError,
  ApiKeyNotFoundError,
  ApiKeyRevokedError,
  ForbiddenScopeError,
  HasherError,
  KillSwitchError,
  type KillSwitchScope,
  RateLimitedError,
  RevokedKeyError,
  StaleKeyStateError,
  UnauthenticatedError,
  VerifierBusyError,
} from './errors.js';
export {
  type ExpressMiddleware,
  type ExpressRequestLike,
  type ExpressResponseLike,
  expressApiKeyAuth,
} from './express.js';
export {
  type FastifyApiKeyHook,
  type FastifyReplyLike,
  type FastifyRequestLike,
  fastifyApiKeyAuth,
} from './fastify.js';
export {
  type ApiKeyChangeFollower,
  type ApiKeyChangeFollowerStats,
  type ApiKeyInvalidationTarget,
  type FollowApiKeyChangesOptions,
  followApiKeyChanges,
} from './follow-api-key-changes.js';
export {
  type ApiKeyHasher,
  BCRYPT_MAX_INPUT_BYTES,
  type BcryptHasherOptions,
  createBcryptHasher,
} from './hasher.js';
export {
  type ApiKeyVariables,
  type HonoApiKeyMiddleware,
  type HonoContextLike,
  honoApiKeyAuth,
} from './hono.js';
export {
  type ApiKeyAuditListOptions,
  type ApiKeyAuditPage,
  type ApiKeyChange,
  type ApiKeyListPage,
  type ApiKeyManager,
  type ApiKeyManagerOptions,
  createApiKeyManager,
  type ImportApiKeyInput,
  type MintApiKeyInput,
  type MintedApiKey,
  type UpdateApiKeyInput,
  type UpdateApiKeyOptions,
} from './manager.js';
export { createMemoryApiKeyStore, type MemoryApiKeyStore } from './memory-store.js';
export type { OrganizationApiKeyManager } from './organization-api-key-manager.js';
export {
  type ConflictingHeadersPolicy,
  type HeadersLike,
  type NodeHeaders,
  type ReadApiKeyOptions,
  type RequestLike,
  readApiKey,
} from './request-headers.js';
export { requireScopes } from './scopes.js';
export {
  type ApiKeyCacheOptions,
  type ApiKeyInvalidation,
  type ApiKeyVerifier,
  type ApiKeyVerifierOptions,
  createApiKeyVerifier,
  type FailedAttemptOptions,
  type VerifyApiKeyOptions,
} from './verifier.js';
