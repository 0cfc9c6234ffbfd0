// An ApiKeyStore on one plain JSON file: a template for adapter authors, with the same discipline
// as the vault store next to it. Every method follows the contract documented on `ApiKeyStore`
// (see docs/custom-store.md); the published conformance suite (`@coffer/api-keys/testing`) proves
// it, in test/api-key-store-conformance.test.ts.
//
// Nothing is ever deleted: revoking a key is an update. `updateKey` is the one read-modify-write,
// a check-and-set on `revision`, atomic because `file.update` runs one operation at a time.
import type {
  ApiKeyChanges,
  ApiKeyListQuery,
  ApiKeyRecord,
  ApiKeyStore,
  KillSwitchTarget,
} from '@coffer/api-keys';
import { type JsonFileSystem, openJsonFile, own } from './json-file.ts';

/** What the file holds: key records by key id, and the kill switches above single keys. */
interface ApiKeyFileState {
  keys: Record<string, ApiKeyRecord>;
  killSwitches: Record<string, { killed: boolean; updatedAt: number }>;
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

const copy = (record: ApiKeyRecord): ApiKeyRecord => ({ ...record, scopes: [...record.scopes] });

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
    insertKey: (record) =>
      file.update((s) => {
        if (own(s.keys, record.keyId) !== undefined) return false;
        s.keys[record.keyId] = { ...copy(record), revision: 1 };
        return true;
      }),

    getKey: (keyId) =>
      file.read((s) => {
        const record = own(s.keys, keyId);
        return record === undefined ? null : copy(record);
      }),

    updateKey: (keyId: string, expectedRevision: number, changes: ApiKeyChanges) =>
      file.update((s) => {
        const current = own(s.keys, keyId);
        if (current === undefined || current.revision !== expectedRevision) return false;
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
          revision: expectedRevision + 1,
        };
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

    setKillSwitch: async (target, killed, at) => {
      await file.update((s) => {
        s.killSwitches[switchKey(target)] = { killed, updatedAt: at };
      });
    },

    rawDump: () => file.bytes(),
  };
}
