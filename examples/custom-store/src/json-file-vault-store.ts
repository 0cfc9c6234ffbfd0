// A VaultStore on one plain JSON file: a template for adapter authors. Every method follows the
// contract documented on `VaultStore` (see docs/custom-store.md); the published conformance suite
// (`@coffer/vault/testing`) proves it, in test/vault-store-conformance.test.ts.
//
// Writes go through `file.update`, which computes the new state on a copy, writes it to the file,
// and only then swaps it in (see json-file.ts): a write that fails leaves no trace in the file or
// in memory. Reads go through `file.read` and return copies.
import { fromBase64Url, toBase64Url } from '@coffer/core';
import type {
  VaultEntryRecord,
  VaultListQuery,
  VaultReplaceSealed,
  VaultRewrapScan,
  VaultRotateRecord,
  VaultStore,
  VaultVersionRecord,
} from '@coffer/vault';
import { type JsonFileSystem, openJsonFile, own } from './json-file.ts';
import { JsonFileDuplicateIdError } from './json-file-errors.ts';

/** What the file holds: entries by id, and their versions with sealed bytes as base64url. */
interface VaultFileState {
  entries: Record<string, VaultEntryRecord>;
  versions: Record<string, Record<string, StoredVersion>>;
}

interface StoredVersion {
  version: number;
  kekId: string;
  sealed: string;
  createdAt: number;
}

export interface JsonFileVaultStore extends VaultStore {
  /** The file's bytes: everything this store physically holds. */
  rawDump(): Promise<Uint8Array>;
  listKekIds(): Promise<string[]>;
}

export interface JsonFileStoreOptions {
  /** The file operations to use (default: node:fs); tests inject failing ones. */
  fs?: JsonFileSystem;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isVaultFileState(value: unknown): value is VaultFileState {
  return isObject(value) && isObject(value.entries) && isObject(value.versions);
}

function toRecord(id: string, v: StoredVersion): VaultVersionRecord {
  return {
    id,
    version: v.version,
    kekId: v.kekId,
    sealed: fromBase64Url(v.sealed),
    createdAt: v.createdAt,
  };
}

function toStored(v: VaultVersionRecord): StoredVersion {
  return {
    version: v.version,
    kekId: v.kekId,
    sealed: toBase64Url(v.sealed),
    createdAt: v.createdAt,
  };
}

/**
 * Opens (or creates on first write) a JSON-file vault store at `path`.
 *
 * @throws {JsonFileOpenError} `STORE_OPEN_FAILED` when the file exists but is not a vault store.
 */
export async function openJsonFileVaultStore(
  path: string,
  options: JsonFileStoreOptions = {},
): Promise<JsonFileVaultStore> {
  const file = await openJsonFile<VaultFileState>(path, {
    empty: () => ({ entries: {}, versions: {} }),
    isState: isVaultFileState,
    ...(options.fs === undefined ? {} : { fs: options.fs }),
  });

  const sortedIds = (s: Readonly<VaultFileState>): string[] => Object.keys(s.entries).sort();
  const versionsOf = (s: Readonly<VaultFileState>, id: string): StoredVersion[] =>
    Object.values(own(s.versions, id) ?? {}).sort((a, b) => a.version - b.version);

  return {
    insertEntry: (entry, first) =>
      file.update((s) => {
        if (own(s.entries, entry.id) !== undefined) throw new JsonFileDuplicateIdError(entry.id);
        s.entries[entry.id] = structuredClone(entry);
        s.versions[entry.id] = { [String(first.version)]: toStored(first) };
      }),

    getEntry: (id) => file.read((s) => structuredClone(own(s.entries, id))),

    getVersion: (id, version) =>
      file.read((s) => {
        const v = own(own(s.versions, id) ?? {}, String(version));
        return v === undefined ? undefined : toRecord(id, v);
      }),

    listVersions: (id) =>
      file.read((s) =>
        versionsOf(s, id)
          .reverse()
          .map((v) => toRecord(id, v)),
      ),

    rotate: (input: VaultRotateRecord) =>
      file.update((s) => {
        const entry = own(s.entries, input.id);
        const rows = own(s.versions, input.id);
        if (entry === undefined || rows === undefined) return false;
        if (entry.deletedAt !== null || entry.version !== input.expectedVersion) return false;
        rows[String(input.next.version)] = toStored(input.next);
        entry.version = input.next.version;
        entry.preview = input.preview;
        entry.updatedAt = input.next.createdAt;
        const oldest = input.next.version - input.keepVersions;
        for (const key of Object.keys(rows)) if (Number(key) < oldest) delete rows[key];
        return true;
      }),

    listEntries: (query: VaultListQuery) =>
      file.read((s) => {
        const out: VaultEntryRecord[] = [];
        for (const id of sortedIds(s)) {
          if (out.length >= query.limit) break;
          if (query.after !== undefined && id <= query.after) continue;
          const e = own(s.entries, id);
          if (e === undefined || e.owner !== query.owner) continue;
          if (query.kind !== undefined && e.kind !== query.kind) continue;
          if (e.deletedAt !== null && query.includeDeleted !== true) continue;
          out.push(structuredClone(e));
        }
        return out;
      }),

    markDeleted: (id, at) =>
      file.update((s) => {
        const e = own(s.entries, id);
        if (e === undefined || e.deletedAt !== null) return false;
        e.deletedAt = at;
        return true;
      }),

    markRestored: (id) =>
      file.update((s) => {
        const e = own(s.entries, id);
        if (e === undefined || e.deletedAt === null) return false;
        e.deletedAt = null;
        return true;
      }),

    destroyEntry: (id, destroyOptions) =>
      file.update((s) => {
        const e = own(s.entries, id);
        if (e === undefined) return false;
        const before = destroyOptions?.deletedBefore;
        if (before !== undefined && (e.deletedAt === null || e.deletedAt >= before)) return false;
        delete s.entries[id];
        delete s.versions[id];
        return true; // the rename replaces the old file: the sealed bytes are gone from it
      }),

    scanExpired: (before, limit) =>
      file.read((s) => {
        const out: VaultEntryRecord[] = [];
        for (const id of sortedIds(s)) {
          if (out.length >= limit) break;
          const e = own(s.entries, id);
          if (e !== undefined && e.deletedAt !== null && e.deletedAt < before) {
            out.push(structuredClone(e));
          }
        }
        return out;
      }),

    scanForRewrap: (scan: VaultRewrapScan) =>
      file.read((s) => {
        const out: VaultVersionRecord[] = [];
        for (const id of sortedIds(s)) {
          if (scan.after !== undefined && id < scan.after.id) continue;
          for (const v of versionsOf(s, id)) {
            if (out.length >= scan.limit) return out;
            if (
              scan.after !== undefined &&
              id === scan.after.id &&
              v.version <= scan.after.version
            ) {
              continue;
            }
            if (v.kekId !== scan.notKekId) out.push(toRecord(id, v));
          }
        }
        return out;
      }),

    replaceSealed: (input: VaultReplaceSealed) =>
      file.update((s) => {
        const row = own(own(s.versions, input.id) ?? {}, String(input.version));
        if (row === undefined || row.sealed !== toBase64Url(input.expectedSealed)) return false;
        row.sealed = toBase64Url(input.sealed);
        row.kekId = input.kekId;
        return true;
      }),

    listKekIds: () =>
      file.read((s) => {
        const ids = new Set<string>();
        for (const id of Object.keys(s.versions))
          for (const v of versionsOf(s, id)) ids.add(v.kekId);
        return [...ids];
      }),

    rawDump: () => file.bytes(),
  };
}
