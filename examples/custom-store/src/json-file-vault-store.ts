// A VaultStore on one plain JSON file: a template for adapter authors. Every method follows the
// contract documented on `VaultStore` (see docs/custom-store.md); the published conformance suite
// (`@coffer/vault/testing`) proves it, in test/vault-store-conformance.test.ts.
//
// Writes go through `file.update`, which computes the new state on a copy, writes it to the file,
// and only then swaps it in (see json-file.ts): a write that fails leaves no trace in the file or
// in memory. Reads go through `file.read` and return copies.
//
// Owner conditions: every by-id method takes an optional owner and treats another owner's entry
// exactly as a missing one (`entryOf`). Names: unique per owner among live entries, checked inside
// the same `file.update` that writes — the queue makes check and write one step, as a unique index
// does in a database (a database must use the index: a read followed by a write races).
import { fromBase64Url, toBase64Url } from '@coffer/core';
import {
  type VaultEntryRecord,
  type VaultListQuery,
  VaultNameTakenError,
  type VaultReplaceSealed,
  type VaultRewrapScan,
  type VaultRotateRecord,
  type VaultStore,
  type VaultVersionRecord,
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

  // A file written before names (an older version of this template) holds entries without name,
  // status and revision: the upgrade a database does with a migration, done once when opening.
  await file.update((s) => {
    for (const e of Object.values(s.entries)) {
      const old = e as Partial<VaultEntryRecord>;
      if (old.name === undefined) e.name = null;
      if (old.status === undefined) e.status = null;
      if (old.revision === undefined) e.revision = 1;
    }
  });

  const sortedIds = (s: Readonly<VaultFileState>): string[] => Object.keys(s.entries).sort();
  const versionsOf = (s: Readonly<VaultFileState>, id: string): StoredVersion[] =>
    Object.values(own(s.versions, id) ?? {}).sort((a, b) => a.version - b.version);
  /** The entry `id`, unless an owner is given and it is not theirs: then it does not exist. */
  const entryOf = (
    s: Readonly<VaultFileState>,
    id: string,
    owner: string | undefined,
  ): VaultEntryRecord | undefined => {
    const e = own(s.entries, id);
    return e === undefined || (owner !== undefined && e.owner !== owner) ? undefined : e;
  };
  /** The owner's live entry named `name` (a scan: a database answers from a unique index). */
  const liveNamed = (s: Readonly<VaultFileState>, owner: string, name: string) =>
    Object.values(s.entries).find(
      (e) => e.owner === owner && e.name === name && e.deletedAt === null,
    );

  return {
    insertEntry: (entry, first) =>
      file.update((s) => {
        if (own(s.entries, entry.id) !== undefined) throw new JsonFileDuplicateIdError(entry.id);
        if (entry.name !== null && entry.deletedAt === null) {
          if (liveNamed(s, entry.owner, entry.name) !== undefined) {
            throw new VaultNameTakenError(entry.name);
          }
        }
        s.entries[entry.id] = structuredClone(entry);
        s.versions[entry.id] = { [String(first.version)]: toStored(first) };
      }),

    getEntry: (id, scope) => file.read((s) => structuredClone(entryOf(s, id, scope?.owner))),

    getEntryByName: (owner, name) => file.read((s) => structuredClone(liveNamed(s, owner, name))),

    getVersion: (id, version, scope) =>
      file.read((s) => {
        if (entryOf(s, id, scope?.owner) === undefined) return undefined;
        const v = own(own(s.versions, id) ?? {}, String(version));
        return v === undefined ? undefined : toRecord(id, v);
      }),

    listVersions: (id, scope) =>
      file.read((s) =>
        entryOf(s, id, scope?.owner) === undefined
          ? []
          : versionsOf(s, id)
              .reverse()
              .map((v) => toRecord(id, v)),
      ),

    rotate: (input: VaultRotateRecord) =>
      file.update((s) => {
        const entry = entryOf(s, input.id, input.owner);
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

    updateEntry: (input) =>
      file.update((s) => {
        const entry = entryOf(s, input.id, input.owner);
        if (entry === undefined || entry.deletedAt !== null) return false;
        if (entry.revision !== input.expectedRevision) return false;
        if (input.expectedVersion !== undefined && entry.version !== input.expectedVersion) {
          return false;
        }
        const { label, metadata, status } = input.changes;
        if (label !== undefined) entry.label = label;
        if (metadata !== undefined) entry.metadata = structuredClone(metadata);
        if (status !== undefined) entry.status = status;
        entry.revision += 1;
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

    markDeleted: (id, at, scope) =>
      file.update((s) => {
        const e = entryOf(s, id, scope?.owner);
        if (e === undefined || e.deletedAt !== null) return false;
        e.deletedAt = at;
        return true;
      }),

    markRestored: (id, scope) =>
      file.update((s) => {
        const e = entryOf(s, id, scope?.owner);
        if (e === undefined || e.deletedAt === null) return false;
        if (e.name !== null && liveNamed(s, e.owner, e.name) !== undefined) {
          throw new VaultNameTakenError(e.name);
        }
        e.deletedAt = null;
        return true;
      }),

    destroyEntry: (id, destroyOptions) =>
      file.update((s) => {
        const e = entryOf(s, id, destroyOptions?.owner);
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
