// An ApiKeyStore on one plain JSON file: a template for adapter authors, with the same discipline
// as the vault store next to it. Every method follows the contract documented on `ApiKeyStore`
// (see docs/custom-store.md); the published conformance suite (`@coffer/api-keys/testing`) proves
// it, in test/api-key-store-conformance.test.ts.
//
// Nothing is ever deleted: revoking a key is an update. `updateKey` is the one read-modify-write,
// a check-and-set on `revision`, atomic because `file.update` runs one operation at a time. A
// write's audit entry goes into the same file write as the change, so both land or neither.
import type {
  ApiKeyAuditEntry,
  ApiKeyChanges,
  ApiKeyListQuery,
  ApiKeyRecord,
  ApiKeyStore,
  KillSwitchTarget,
} from '@coffer/api-keys';
import { type JsonFileSystem, openJsonFile, own } from './json-file.ts';

/** What the file holds: key records by key id, the kill switches above single keys, the audit trail. */
interface ApiKeyFileState {
  keys: Record<string, ApiKeyRecord>;
  killSwitches: Record<string, { killed: boolean; updatedAt: number }>;
  /** Oldest first; absent in a file written before the audit trail existed. */
  audit?: ApiKeyAuditEntry[];
}

export interface JsonFileApiKeyStore extends ApiKeyStore {
  /** The file's bytes: everything this store physically holds. */
  rawDump(): Promise<Uint8Array>;
}

export interface JsonFileApiKeyStoreOptions {
  /** The file operations to use (default: node:fs); tests inject failing ones. */
  fs?: JsonFileSystem;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isApiKeyFileState(value: unknown): value is ApiKeyFileState {
  return isObject(value) && isObject(value.keys) && isObject(value.killSwitches);
}

const copy = (record: ApiKeyRecord): ApiKeyRecord => ({
  ...record,
  scopes: [...record.scopes],
  // A file from before metadata existed holds none: `{}` is what a key without metadata has.
  metadata: structuredClone(record.metadata ?? {}),
});

/** Appends the entry; one whose id is taken throws, so `file.update` writes nothing at all. */
const appendAudit = (s: ApiKeyFileState, entry: ApiKeyAuditEntry | undefined): void => {
  if (entry === undefined) return;
  s.audit ??= [];
  if (s.audit.some((e) => e.id === entry.id)) {
    throw new Error('an audit entry with that id is already recorded');
  }
  s.audit.push({ ...entry });
};

/** The stored row of a kill switch: `global`, or `organization:<id>` (never confused with it). */
const switchKey = (target: KillSwitchTarget): string =>
  target.scope === 'global' ? 'global' : `organization:${target.organizationId}`;

/** `change` when given, else `current`: `null` is a value to set, only `undefined` means "keep". */
const keep = <T>(change: T | undefined, current: T): T => (change === undefined ? current : change);

/**
 * Opens (or creates on first write) a JSON-file API-key store at `path`.
 *
 * @throws {JsonFileOpenError} `STORE_OPEN_FAILED` when the file exists but is not an API-key store.
 */
export async function openJsonFileApiKeyStore(
  path: string,
  options: JsonFileApiKeyStoreOptions = {},
): Promise<JsonFileApiKeyStore> {
  const file = await openJsonFile<ApiKeyFileState>(path, {
    empty: () => ({ keys: {}, killSwitches: {} }),
    isState: isApiKeyFileState,
    ...(options.fs === undefined ? {} : { fs: options.fs }),
  });

  return {
    insertKey: (record, options) =>
      file.update((s) => {
        if (own(s.keys, record.keyId) !== undefined) return false;
        s.keys[record.keyId] = { ...copy(record), revision: 1 };
        appendAudit(s, options?.audit);
        return true;
      }),

    getKey: (keyId, organizationId) =>
      file.read((s) => {
        const record = own(s.keys, keyId);
        if (record === undefined) return null;
        if (organizationId !== undefined && record.organizationId !== organizationId) return null;
        return copy(record);
      }),

    updateKey: (keyId: string, expectedRevision: number, changes: ApiKeyChanges, options) =>
      file.update((s) => {
        const current = own(s.keys, keyId);
        if (current === undefined || current.revision !== expectedRevision) return false;
        const scope = options?.organizationId;
        if (scope !== undefined && current.organizationId !== scope) return false;
        // Only the fields ApiKeyChanges allows, and only those given.
        s.keys[keyId] = {
          ...current,
          secretHash: keep(changes.secretHash, current.secretHash),
          previousSecretHash: keep(changes.previousSecretHash, current.previousSecretHash),
          previousSecretExpiresAt: keep(
            changes.previousSecretExpiresAt,
            current.previousSecretExpiresAt,
          ),
          rotatedAt: keep(changes.rotatedAt, current.rotatedAt),
          revokedAt: keep(changes.revokedAt, current.revokedAt),
          killed: keep(changes.killed, current.killed),
          name: keep(changes.name, current.name),
          scopes: [...keep(changes.scopes, current.scopes)],
          tier: keep(changes.tier, current.tier),
          expiresAt: keep(changes.expiresAt, current.expiresAt),
          metadata: structuredClone(keep(changes.metadata, current.metadata ?? {})),
          revision: expectedRevision + 1,
        };
        appendAudit(s, options?.audit);
        return true;
      }),

    touchKey: async (keyId, at) => {
      await file.update((s) => {
        const current = own(s.keys, keyId);
        if (current === undefined) return;
        if (current.lastUsedAt !== null && current.lastUsedAt >= at) return;
        s.keys[keyId] = { ...current, lastUsedAt: at }; // not an update: the revision stays
      });
    },

    listKeys: (query: ApiKeyListQuery) =>
      file.read((s) => {
        const after = query.afterKeyId;
        return Object.keys(s.keys)
          .sort() // key ids are ASCII: code-unit order is byte order
          .filter((keyId) => after === undefined || keyId > after)
          .map((keyId) => own(s.keys, keyId))
          .filter((r): r is ApiKeyRecord => r?.organizationId === query.organizationId)
          .slice(0, query.limit)
          .map(copy);
      }),

    getKillSwitch: (target) =>
      file.read((s) => own(s.killSwitches, switchKey(target))?.killed ?? false),

    setKillSwitch: async (target, killed, at, options) => {
      await file.update((s) => {
        s.killSwitches[switchKey(target)] = { killed, updatedAt: at };
        appendAudit(s, options?.audit);
      });
    },

    listAudit: (query) =>
      file.read((s) => {
        const { keyId, organizationId, before } = query;
        return (s.audit ?? [])
          .filter(
            (e) =>
              (keyId === undefined || e.keyId === keyId) &&
              (organizationId === undefined || e.organizationId === organizationId) &&
              (before === undefined ||
                e.at < before.at ||
                (e.at === before.at && e.id < before.id)),
          )
          .sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
          .slice(0, query.limit)
          .map((e) => ({ ...e }));
      }),

    rawDump: () => file.bytes(),
  };
}
