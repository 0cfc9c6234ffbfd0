export type { RotationOutcome } from './_rotation.js';
export type { SecretVersion } from './_snapshot.js';
export {
  createSecretsClient,
  type SecretAccessor,
  type SecretsCacheOptions,
  type SecretsClient,
  type SecretsClientOptions,
} from './client.js';
export {
  type CloudflareSecretsStoreSourceOptions,
  cloudflareSecretsStoreBindings,
  createCloudflareSecretsStoreSource,
  type SecretsStoreBindingConfig,
  type SecretsStoreSecretBinding,
} from './cloudflare-source.js';
export {
  type CookieSigner,
  type CookieSignerOptions,
  type CookieVerifyResult,
  createCookieSigner,
} from './cookie-signature.js';
export {
  type ConsumersOf,
  type FormatValue,
  type GenerateContext,
  type GeneratedSecretDeclaration,
  type GeneratedValue,
  type RandomEncoding,
  type RandomSecretDeclaration,
  type RandomValue,
  type SecretBuilders,
  type SecretDeclaration,
  type SecretDeclarationBase,
  type SecretFormat,
  type SecretGenerator,
  type StaticSecretDeclaration,
  secret,
  type ValueOf,
} from './declarations.js';
export {
  combineSecrets,
  type DefinedSecret,
  type DefineSecretsOptions,
  defineSecrets,
  type NamesFor,
  type RotatableNames,
  type SecretDeclarations,
  type SecretsDefinition,
  type SecretValueOf,
  type StaticNames,
} from './define-secrets.js';
export {
  ReplayGuardError,
  SecretFormatError,
  SecretModeError,
  SecretNameCollisionError,
  SecretNotGrantedError,
  SecretNotSetError,
  SecretSourceError,
  SecretUnavailableError,
  SecretVersionNotFoundError,
  SignatureError,
  type SignatureFailureReason,
  SourceRefusedError,
  signatureErrorCode,
  UnknownSecretError,
} from './errors.js';
export {
  createJwtSigner,
  type JwtSigner,
  type JwtSignerOptions,
  type JwtVerifyResult,
} from './jwt.js';
export {
  createLocalEnvSource,
  type LocalEnvSourceOptions,
  localEnvVariable,
} from './local-env-source.js';
export {
  createSecretsManager,
  type SecretChange,
  SecretGenerationError,
  type SecretRotationReport,
  type SecretStatus,
  type SecretsManager,
  type SecretsManagerOptions,
  SecretWriteConflictError,
  type SecretWriteOutcome,
} from './manager.js';
export {
  createMemorySecretSource,
  type MemorySecretSource,
  type MemorySecretSourceOptions,
} from './memory-source.js';
export { type PhysicalNameFields, physicalName } from './physical-name.js';
export type {
  SecretDuration,
  SecretRetention,
  SecretRotationOptions,
  SecretRotationPolicy,
} from './rotation-policy.js';
export type {
  SecretMode,
  SecretOwner,
  SecretRef,
  SecretRotationState,
  SecretSource,
  SecretStateRecord,
  SecretWrite,
  SecretWriteResult,
  StatefulSecretSource,
  StoredSecretSnapshot,
  StoredSecretVersion,
  WritableSecretSource,
} from './secret-source.js';
export {
  APP_SECRET_KIND,
  createVaultSecretSource,
  type VaultSecretSourceOptions,
} from './vault-source.js';
export {
  createWebhookSigner,
  type ReplayGuard,
  type WebhookSigner,
  type WebhookSignerOptions,
  type WebhookVerifyResult,
} from './webhook-signature.js';
