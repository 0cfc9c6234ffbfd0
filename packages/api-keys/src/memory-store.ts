import { InvalidInputError } from '@coffer/core';
import { copyMetadata } from './api-key-metadata.js';
import type {
  ApiKeyAuditEntry,
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
  return { ...record, scopes: [...record.scopes], metadata: copyMetadata(record.metadata) };
}

/** Newest first: `at` descending, then `id` descending. */
function newestFirst(a: ApiKeyAuditEntry, b: ApiKeyAuditEntry): number {
  if (a.at !== b.at) return b.at - a.at;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function targetKey(target: KillSwitchTarget): string {
  return target.scope === 'global' ? 'global' : `organization:${target.organizationId}`;
}

/**
 * An {@link ApiKeyStore} in process memory: for tests, demos and single-process tools. Records are
 * copied in and out, so callers cannot change stored state by mutating what they hold. Nothing
 * survives a restart. Each write and its audit entry happen together (nothing awaits in between).
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
  const audit: ApiKeyAuditEntry[] = [];
  const auditIds = new Set<string>();
  // Checked before the write it goes with: an entry that cannot be recorded fails the write whole.
  const recordable = (entry: ApiKeyAuditEntry | undefined): void => {
    if (entry !== undefined && auditIds.has(entry.id)) {
      throw new InvalidInputError('an audit entry with that id is already recorded', {
        details: { parameter: 'audit' },
      });
    }
  };
  const record = (entry: ApiKeyAuditEntry | undefined): void => {
    if (entry === undefined) return;
    auditIds.add(entry.id);
    audit.push({ ...entry });
  };
  return {
    get size() {
      return keys.size;
    },
    async insertKey(record_, options) {
      if (keys.has(record_.keyId)) return false;
      recordable(options?.audit);
      keys.set(record_.keyId, copy({ ...record_, revision: 1 }));
      record(options?.audit);
      return true;
    },
    async getKey(keyId, organizationId) {
      const found = keys.get(keyId);
      if (found === undefined) return null;
      if (organizationId !== undefined && found.organizationId !== organizationId) return null;
      return copy(found);
    },
    async updateKey(keyId: string, expectedRevision: number, changes: ApiKeyChanges, options) {
      const found = keys.get(keyId);
      if (found === undefined || found.revision !== expectedRevision) return false;
      const scope = options?.organizationId;
      if (scope !== undefined && found.organizationId !== scope) return false;
      recordable(options?.audit);
      const next: ApiKeyRecord = { ...found, revision: expectedRevision + 1 };
      const defined = Object.fromEntries(
        Object.entries(changes).filter(([, value]) => value !== undefined),
      );
      keys.set(keyId, copy({ ...next, ...defined }));
      record(options?.audit);
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
    async setKillSwitch(target, killed, _at, options) {
      recordable(options?.audit);
      switches.set(targetKey(target), killed);
      record(options?.audit);
    },
    async listAudit(query) {
      const { keyId, organizationId, before } = query;
      return audit
        .filter(
          (e) =>
            (keyId === undefined || e.keyId === keyId) &&
            (organizationId === undefined || e.organizationId === organizationId) &&
            (before === undefined || e.at < before.at || (e.at === before.at && e.id < before.id)),
        )
        .sort(newestFirst)
        .slice(0, query.limit)
        .map((e) => ({ ...e }));
    },
  };
}
