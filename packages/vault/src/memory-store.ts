import { VaultNameTakenError } from './errors.js';
import type {
  JsonObject,
  JsonValue,
  VaultEntryRecord,
  VaultEntryWithVersion,
  VaultListQuery,
  VaultReplaceSealed,
  VaultRewrapScan,
  VaultRotateRecord,
  VaultScope,
  VaultStore,
  VaultUpdateRecord,
  VaultVersionRecord,
} from './vault-store.js';

/**
 * The in-memory {@link VaultStore}, plus `rawDump()` for tests: every stored field of every
 * row (sealed bytes included) serialized into one byte array, to check that no plaintext is stored.
 *
 * @example
 * ```ts
 * import { createMemoryVaultStore, type MemoryVaultStore } from '@coffer/vault';
 *
 * const store: MemoryVaultStore = createMemoryVaultStore();
 * (await store.rawDump()).length; // 0
 * ```
 */
export interface MemoryVaultStore extends VaultStore {
  /** Everything this store holds, as bytes (JSON fields as UTF-8, sealed values raw). */
  rawDump(): Promise<Uint8Array>;
  /** The distinct KEK ids of all stored versions. */
  listKekIds(): Promise<string[]>;
  /** The entry and one of its versions (the current one unless `version` is given). */
  getEntryWithVersion(
    id: string,
    version?: number,
    scope?: VaultScope,
  ): Promise<VaultEntryWithVersion | undefined>;
  /** The live entry of `owner` named `name` and one of its versions. */
  getEntryWithVersionByName(
    owner: string,
    name: string,
    version?: number,
  ): Promise<VaultEntryWithVersion | undefined>;
  /** Up to `limit` version rows under one KEK id. */
  listVersionsByKek(kekId: string, limit: number): Promise<VaultVersionRecord[]>;
}

function copyJson<T extends JsonValue>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  // Object.fromEntries defines own properties, so a "__proto__" key stays a key (as it does in a
  // SQL store's JSON column) instead of setting the copy's prototype.
  const object = value as JsonObject;
  return Object.fromEntries(
    Object.keys(object).map((key) => [key, copyJson(object[key] ?? null)]),
  ) as T;
}

function copyEntry(e: VaultEntryRecord): VaultEntryRecord {
  return {
    id: e.id,
    owner: e.owner,
    kind: e.kind,
    label: e.label,
    name: e.name,
    status: e.status,
    metadata: copyJson(e.metadata),
    preview: e.preview,
    version: e.version,
    revision: e.revision,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
    deletedAt: e.deletedAt,
  };
}

function copyVersion(v: VaultVersionRecord): VaultVersionRecord {
  return {
    id: v.id,
    version: v.version,
    kekId: v.kekId,
    sealed: new Uint8Array(v.sealed),
    createdAt: v.createdAt,
  };
}

// Sealed values are copied into 64 KiB slabs rather than each into its own ArrayBuffer: a
// separate buffer per stored value costs an allocation and garbage-collector bookkeeping on
// every write, which would dominate a memory-backed put. Values over a quarter slab get their own
// buffer. A slab is freed when no stored row points into it; erased rows are zeroed in place.
const SLAB_BYTES = 65_536;
const OWN_BUFFER_FROM = SLAB_BYTES / 4;

function createByteArena(): (bytes: Uint8Array) => Uint8Array {
  let slab = new Uint8Array(0);
  let used = 0;
  return (bytes) => {
    // A copy with its own memory: `slice()` on a Node Buffer would keep a view of the caller's.
    if (bytes.length >= OWN_BUFFER_FROM) return new Uint8Array(bytes);
    if (used + bytes.length > slab.length) {
      slab = new Uint8Array(SLAB_BYTES);
      used = 0;
    }
    const copy = slab.subarray(used, used + bytes.length);
    copy.set(bytes);
    used += bytes.length;
    return copy;
  };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Creates an in-memory vault store for tests and prototypes. It honours the full
 * {@link VaultStore} contract (check-and-set, owner conditions, names unique per owner among live
 * entries, ordering, copies in and out) and passes `runVaultStoreConformance`; data lives as long
 * as the object. Sealed bytes that are pruned by a
 * rotation, replaced by a rewrap or destroyed are zeroed in memory, not just dropped.
 *
 * @returns A new, empty store.
 *
 * @example
 * ```ts
 * import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
 * import { createMemoryVaultStore, createVault } from '@coffer/vault';
 *
 * const envelope = createEnvelope({
 *   provider: createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }])),
 * });
 * const vault = createVault({ store: createMemoryVaultStore(), envelope });
 * const { id } = await vault.put({ kind: 'webhook-secret', owner: 'org_1', value: 'whsec_0123456789abcdef' });
 * ```
 */
export function createMemoryVaultStore(): MemoryVaultStore {
  const entries = new Map<string, VaultEntryRecord>();
  // Each entry's retained versions, oldest first (a short array: 1 + maxVersions rows).
  const versions = new Map<string, VaultVersionRecord[]>();
  const keep = createByteArena();
  /** Copies a record in: the stored row owns its bytes. */
  const storeVersion = (v: VaultVersionRecord): VaultVersionRecord => ({
    id: v.id,
    version: v.version,
    kekId: v.kekId,
    sealed: keep(v.sealed),
    createdAt: v.createdAt,
  });
  const findVersion = (id: string, version: number): VaultVersionRecord | undefined =>
    versions.get(id)?.find((row) => row.version === version);
  // The live entries' names: `${owner.length}:${owner}${name}` → id. The unique index over live
  // rows that a database keeps, here as a map: a name is in it exactly while its entry is live.
  const liveNames = new Map<string, string>();
  const nameKey = (owner: string, name: string): string => `${owner.length}:${owner}${name}`;
  /** The stored entry `id`, unless `scope` names another owner: then it does not exist. */
  const entryOf = (id: string, scope: VaultScope | undefined): VaultEntryRecord | undefined => {
    const e = entries.get(id);
    return e === undefined || (scope !== undefined && e.owner !== scope.owner) ? undefined : e;
  };
  const byName = (owner: string, name: string): VaultEntryRecord | undefined => {
    const id = liveNames.get(nameKey(owner, name));
    return id === undefined ? undefined : entries.get(id);
  };
  const withVersion = (
    e: VaultEntryRecord | undefined,
    version: number | undefined,
  ): VaultEntryWithVersion | undefined => {
    if (e === undefined) return undefined;
    const v = findVersion(e.id, version ?? e.version);
    return { entry: copyEntry(e), version: v === undefined ? undefined : copyVersion(v) };
  };

  const sortedIds = (): string[] => [...entries.keys()].sort();

  return {
    async insertEntry(entry, firstVersion) {
      if (entries.has(entry.id)) throw new Error(`duplicate vault id ${entry.id}`);
      const key = entry.name === null ? undefined : nameKey(entry.owner, entry.name);
      if (key !== undefined && entry.deletedAt === null && liveNames.has(key)) {
        throw new VaultNameTakenError(entry.name ?? undefined);
      }
      entries.set(entry.id, copyEntry(entry));
      versions.set(entry.id, [storeVersion(firstVersion)]);
      if (key !== undefined && entry.deletedAt === null) liveNames.set(key, entry.id);
    },

    async getEntry(id, scope) {
      const e = entryOf(id, scope);
      return e === undefined ? undefined : copyEntry(e);
    },

    async getEntryByName(owner, name) {
      const e = byName(owner, name);
      return e === undefined ? undefined : copyEntry(e);
    },

    async getVersion(id, version, scope) {
      if (entryOf(id, scope) === undefined) return undefined;
      const v = findVersion(id, version);
      return v === undefined ? undefined : copyVersion(v);
    },

    async getEntryWithVersion(id, version, scope) {
      return withVersion(entryOf(id, scope), version);
    },

    async getEntryWithVersionByName(owner, name, version) {
      return withVersion(byName(owner, name), version);
    },

    async listVersions(id, scope) {
      if (entryOf(id, scope) === undefined) return [];
      const rows = versions.get(id) ?? [];
      const out: VaultVersionRecord[] = [];
      for (let i = rows.length - 1; i >= 0; i--) {
        const row = rows[i];
        if (row !== undefined) out.push(copyVersion(row));
      }
      return out;
    },

    async rotate(input: VaultRotateRecord) {
      const e = entryOf(input.id, input.owner === undefined ? undefined : { owner: input.owner });
      const rows = versions.get(input.id);
      if (e === undefined || rows === undefined) return false;
      if (e.deletedAt !== null || e.version !== input.expectedVersion) return false;
      const oldest = input.next.version - input.keepVersions;
      const kept: VaultVersionRecord[] = [];
      for (const row of rows) {
        if (row.version >= oldest) kept.push(row);
        else row.sealed.fill(0);
      }
      kept.push(storeVersion(input.next));
      versions.set(input.id, kept);
      entries.set(input.id, {
        ...e,
        version: input.next.version,
        preview: input.preview,
        updatedAt: input.next.createdAt,
      });
      return true;
    },

    async updateEntry(input: VaultUpdateRecord) {
      const e = entryOf(input.id, input.owner === undefined ? undefined : { owner: input.owner });
      if (e === undefined || e.deletedAt !== null || e.revision !== input.expectedRevision) {
        return false;
      }
      if (input.expectedVersion !== undefined && e.version !== input.expectedVersion) return false;
      const { label, metadata, status } = input.changes;
      entries.set(input.id, {
        ...e,
        ...(label === undefined ? {} : { label }),
        ...(metadata === undefined ? {} : { metadata: copyJson(metadata) }),
        ...(status === undefined ? {} : { status }),
        revision: e.revision + 1,
      });
      return true;
    },

    async listEntries(query: VaultListQuery) {
      const out: VaultEntryRecord[] = [];
      for (const id of sortedIds()) {
        if (out.length >= query.limit) break;
        if (query.after !== undefined && id <= query.after) continue;
        const e = entries.get(id);
        if (e === undefined || e.owner !== query.owner) continue;
        if (query.kind !== undefined && e.kind !== query.kind) continue;
        if (e.deletedAt !== null && query.includeDeleted !== true) continue;
        out.push(copyEntry(e));
      }
      return out;
    },

    async markDeleted(id, at, scope) {
      const e = entryOf(id, scope);
      if (e === undefined || e.deletedAt !== null) return false;
      entries.set(id, { ...e, deletedAt: at });
      if (e.name !== null) liveNames.delete(nameKey(e.owner, e.name));
      return true;
    },

    async markRestored(id, scope) {
      const e = entryOf(id, scope);
      if (e === undefined || e.deletedAt === null) return false;
      const key = e.name === null ? undefined : nameKey(e.owner, e.name);
      if (key !== undefined && liveNames.has(key))
        throw new VaultNameTakenError(e.name ?? undefined);
      entries.set(id, { ...e, deletedAt: null });
      if (key !== undefined) liveNames.set(key, id);
      return true;
    },

    async destroyEntry(id, options) {
      const e = entryOf(id, options?.owner === undefined ? undefined : { owner: options.owner });
      if (e === undefined) return false;
      const before = options?.deletedBefore;
      if (before !== undefined && (e.deletedAt === null || e.deletedAt >= before)) return false;
      for (const row of versions.get(id) ?? []) row.sealed.fill(0);
      entries.delete(id);
      versions.delete(id);
      if (e.name !== null && e.deletedAt === null) liveNames.delete(nameKey(e.owner, e.name));
      return true;
    },

    async scanExpired(before, limit) {
      const out: VaultEntryRecord[] = [];
      for (const id of sortedIds()) {
        if (out.length >= limit) break;
        const e = entries.get(id);
        if (e !== undefined && e.deletedAt !== null && e.deletedAt < before) out.push(copyEntry(e));
      }
      return out;
    },

    async scanForRewrap(scan: VaultRewrapScan) {
      const out: VaultVersionRecord[] = [];
      const after = scan.after;
      for (const id of sortedIds()) {
        if (after !== undefined && id < after.id) continue;
        for (const row of versions.get(id) ?? []) {
          if (out.length >= scan.limit) return out;
          if (after !== undefined && id === after.id && row.version <= after.version) continue;
          if (row.kekId !== scan.notKekId) out.push(copyVersion(row));
        }
      }
      return out;
    },

    async replaceSealed(input: VaultReplaceSealed) {
      const rows = versions.get(input.id);
      const at = rows === undefined ? -1 : rows.findIndex((r) => r.version === input.version);
      const row = rows?.[at];
      if (rows === undefined || row === undefined) return false;
      if (!equalBytes(row.sealed, input.expectedSealed)) return false;
      rows[at] = {
        id: row.id,
        version: row.version,
        kekId: input.kekId,
        sealed: keep(input.sealed),
        createdAt: row.createdAt,
      };
      row.sealed.fill(0);
      return true;
    },

    async listKekIds() {
      const ids = new Set<string>();
      for (const rows of versions.values()) for (const row of rows) ids.add(row.kekId);
      return [...ids];
    },

    async listVersionsByKek(kekId, limit) {
      const out: VaultVersionRecord[] = [];
      for (const rows of versions.values()) {
        for (const row of rows) {
          if (out.length >= limit) return out;
          if (row.kekId === kekId) out.push(copyVersion(row));
        }
      }
      return out;
    },

    async rawDump() {
      const encoder = new TextEncoder();
      const parts: Uint8Array[] = [];
      for (const e of entries.values()) parts.push(encoder.encode(JSON.stringify(e)));
      for (const rows of versions.values()) {
        for (const row of rows) {
          parts.push(encoder.encode(`${row.id}|${row.version}|${row.kekId}|${row.createdAt}|`));
          parts.push(row.sealed);
        }
      }
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    },
  };
}
