export type {
  JsonObject,
  JsonValue,
  VaultEntryRecord,
  VaultListQuery,
  VaultReplaceSealed,
  VaultRewrapScan,
  VaultRotateRecord,
  VaultStore,
  VaultVersionRecord,
} from './vault-store.js';
