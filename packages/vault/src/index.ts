export type { VaultAuditAction, VaultAuditEvent, VaultAuditSink } from './audit.js';
export {
  AuditFailedError,
  KekMismatchError,
  KeysMissingError,
  MAX_VALUE_BYTES,
  ValueTooLargeError,
  VaultEntryDeletedError,
  VaultNotFoundError,
  VersionConflictError,
} from './errors.js';
export { createMemoryVaultStore, type MemoryVaultStore } from './memory-store.js';
export { defaultPreview, type PreviewFunction } from './preview.js';
export {
  createVaultReader,
  type RevealedVersion,
  type RevealOptions,
  type VaultReader,
  type VaultReaderOptions,
} from './reader.js';
export {
  createVault,
  type RewrapOptions,
  type RewrapProgress,
  type RewrapResult,
  type Vault,
  type VaultEntryInfo,
  type VaultListOptions,
  type VaultListPage,
  type VaultOptions,
  type VaultPutInput,
  type VaultRef,
  type VaultRotateOptions,
  type VaultWriteOptions,
  type VerifyKeysResult,
} from './vault.js';
export type {
  JsonObject,
  JsonValue,
  VaultEntryRecord,
  VaultEntryWithVersion,
  VaultListQuery,
  VaultReplaceSealed,
  VaultRewrapScan,
  VaultRotateRecord,
  VaultStore,
  VaultVersionRecord,
} from './vault-store.js';
