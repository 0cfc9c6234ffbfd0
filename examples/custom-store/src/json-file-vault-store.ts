// A VaultStore on one plain JSON file: a template for adapter authors. Every method follows the
// contract documented on `VaultStore` (see docs/custom-store.md); the published conformance suite
// (`@coffer/vault/testing`) proves it.
//
// Design: the whole state lives in memory and is written to the file after each change (write to a
// temporary file, then rename, so a crash never leaves a half-written file). Operations run one at a
// time through a queue, which makes every check-and-set atomic within the process. One process per
// file: this is a teaching adapter, not a database.
import { readFile, rename, writeFile } from 'node:fs/promises';
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

/** What the file holds: entries by id, and their versions with sealed bytes as base64url. */
interface FileState {
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

const clone = <T>(value: T): T => structuredClone(value);

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

/** Opens (or creates) a JSON-file vault store at `path`. */
export async function openJsonFileVaultStore(path: string): Promise<JsonFileVaultStore> {
  let state: FileState;
  try {
    state = JSON.parse(await readFile(path, 'utf8')) as FileState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    state = { entries: {}, versions: {} };
  }

  // One operation at a time: reads see a consistent state, writes are check-and-set atomic.
  let queue: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  }

  async function persist(): Promise<void> {
    const tmp = `${path}.tmp`;
    await writeFile(tmp, JSON.stringify(state), { mode: 0o600 });
    await rename(tmp, path);
  }

  const sortedIds = (): string[] => Object.keys(state.entries).sort();
  const versionsOf = (id: string): StoredVersion[] =>
    Object.values(state.versions[id] ?? {}).sort((a, b) => a.version - b.version);

  return {
    insertEntry: (entry, first) =>
      serial(async () => {
        if (state.entries[entry.id] !== undefined) throw new Error('duplicate vault id');
        state.entries[entry.id] = clone(entry);
        state.versions[entry.id] = { [String(first.version)]: toStored(first) };
        await persist();
      }),

    getEntry: (id) => serial(() => clone(state.entries[id])),

    getVersion: (id, version) =>
      serial(() => {
        const v = state.versions[id]?.[String(version)];
        return v === undefined ? undefined : toRecord(id, v);
      }),

    listVersions: (id) =>
      serial(() =>
        versionsOf(id)
          .reverse()
          .map((v) => toRecord(id, v)),
      ),

    rotate: (input: VaultRotateRecord) =>
      serial(async () => {
        const entry = state.entries[input.id];
        const rows = state.versions[input.id];
        if (entry === undefined || rows === undefined) return false;
        if (entry.deletedAt !== null || entry.version !== input.expectedVersion) return false;
        rows[String(input.next.version)] = toStored(input.next);
        entry.version = input.next.version;
        entry.preview = input.preview;
        entry.updatedAt = input.next.createdAt;
        const oldest = input.next.version - input.keepVersions;
        for (const key of Object.keys(rows)) if (Number(key) < oldest) delete rows[key];
        await persist();
        return true;
      }),

    listEntries: (query: VaultListQuery) =>
      serial(() => {
        const out: VaultEntryRecord[] = [];
        for (const id of sortedIds()) {
          if (out.length >= query.limit) break;
          if (query.after !== undefined && id <= query.after) continue;
          const e = state.entries[id];
          if (e === undefined || e.owner !== query.owner) continue;
          if (query.kind !== undefined && e.kind !== query.kind) continue;
          if (e.deletedAt !== null && query.includeDeleted !== true) continue;
          out.push(clone(e));
        }
        return out;
      }),

    markDeleted: (id, at) =>
      serial(async () => {
        const e = state.entries[id];
        if (e === undefined || e.deletedAt !== null) return false;
        e.deletedAt = at;
        await persist();
        return true;
      }),

    markRestored: (id) =>
      serial(async () => {
        const e = state.entries[id];
        if (e === undefined || e.deletedAt === null) return false;
        e.deletedAt = null;
        await persist();
        return true;
      }),

    destroyEntry: (id, options) =>
      serial(async () => {
        const e = state.entries[id];
        if (e === undefined) return false;
        const before = options?.deletedBefore;
        if (before !== undefined && (e.deletedAt === null || e.deletedAt >= before)) return false;
        delete state.entries[id];
        delete state.versions[id];
        await persist(); // the rename replaces the old file: the sealed bytes are gone from it
        return true;
      }),

    scanExpired: (before, limit) =>
      serial(() => {
        const out: VaultEntryRecord[] = [];
        for (const id of sortedIds()) {
          if (out.length >= limit) break;
          const e = state.entries[id];
          if (e !== undefined && e.deletedAt !== null && e.deletedAt < before) out.push(clone(e));
        }
        return out;
      }),

    scanForRewrap: (scan: VaultRewrapScan) =>
      serial(() => {
        const out: VaultVersionRecord[] = [];
        for (const id of sortedIds()) {
          if (scan.after !== undefined && id < scan.after.id) continue;
          for (const v of versionsOf(id)) {
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
      serial(async () => {
        const row = state.versions[input.id]?.[String(input.version)];
        if (row === undefined || row.sealed !== toBase64Url(input.expectedSealed)) return false;
        row.sealed = toBase64Url(input.sealed);
        row.kekId = input.kekId;
        await persist();
        return true;
      }),

    listKekIds: () =>
      serial(() => {
        const ids = new Set<string>();
        for (const id of Object.keys(state.versions))
          for (const v of versionsOf(id)) ids.add(v.kekId);
        return [...ids];
      }),

    rawDump: () =>
      serial(async () => new Uint8Array(await readFile(path).catch(() => Buffer.alloc(0)))),
  };
}
