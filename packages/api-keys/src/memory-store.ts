import type {
  ApiKeyChanges,
  ApiKeyListQuery,
  ApiKeyRecord,
  ApiKeyStore,
  KillSwitchTarget,
} from './api-key-store.js';

/** An in-memory {@link ApiKeyStore}; see {@link createMemoryApiKeyStore}. */
export interface MemoryApiKeyStore extends ApiKeyStore {
  /** How many key records it holds. */
  readonly size: number;
}

function copy(record: ApiKeyRecord): ApiKeyRecord {
  return { ...record, scopes: [...record.scopes] };
}

function targetKey(target: KillSwitchTarget): string {
  return target.scope === 'global' ? 'global' : `organization:${target.organizationId}`;
}

/**
 * An {@link ApiKeyStore} in process memory: for tests, demos and single-process tools. Records are
 * copied in and out, so callers cannot change stored state by mutating what they hold. Nothing
 * survives a restart.
 *
 * @example
 * ```ts
 * import { createApiKeyManager, createBcryptHasher, createMemoryApiKeyStore } from '@coffer/api-keys';
 *
 * const keys = createApiKeyManager({ store: createMemoryApiKeyStore(), hasher: createBcryptHasher({ cost: 4 }) });
 * const minted = await keys.mint({ organizationId: 'org_1', env: 'test', name: 'ci' });
 * minted.keyId.length; // 16
 * ```
 */
export function createMemoryApiKeyStore(): MemoryApiKeyStore {
  const keys = new Map<string, ApiKeyRecord>();
  const switches = new Map<string, boolean>();
  return {
    get size() {
      return keys.size;
    },
    async insertKey(record) {
      if (keys.has(record.keyId)) return false;
      keys.set(record.keyId, copy({ ...record, revision: 1 }));
      return true;
    },
    async getKey(keyId) {
      const record = keys.get(keyId);
      return record === undefined ? null : copy(record);
    },
    async updateKey(keyId: string, expectedRevision: number, changes: ApiKeyChanges) {
      const record = keys.get(keyId);
      if (record === undefined || record.revision !== expectedRevision) return false;
      const next: ApiKeyRecord = { ...record, revision: expectedRevision + 1 };
      const defined = Object.fromEntries(
        Object.entries(changes).filter(([, value]) => value !== undefined),
      );
      keys.set(keyId, { ...next, ...defined });
      return true;
    },
    async touchKey(keyId, at) {
      const record = keys.get(keyId);
      if (record === undefined) return;
      if (record.lastUsedAt !== null && record.lastUsedAt >= at) return;
      keys.set(keyId, { ...record, lastUsedAt: at });
    },
    async listKeys(query: ApiKeyListQuery) {
      const after = query.afterKeyId;
      return [...keys.values()]
        .filter(
          (r) =>
            r.organizationId === query.organizationId && (after === undefined || r.keyId > after),
        )
        .sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0))
        .slice(0, query.limit)
        .map(copy);
    },
    async getKillSwitch(target) {
      return switches.get(targetKey(target)) ?? false;
    },
    async setKillSwitch(target, killed) {
      switches.set(targetKey(target), killed);
    },
  };
}
