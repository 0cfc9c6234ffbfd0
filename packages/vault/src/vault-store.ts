// The storage extension point of the vault: plain records, no crypto, check-and-set on writes.

/**
 * A JSON value: what `metadata` may hold (no `undefined`, functions, dates or bytes).
 *
 * @example
 * ```ts
 * import type { JsonValue } from '@coffer/vault';
 *
 * const value: JsonValue = { scopes: ['ads_management'], expires: null };
 * ```
 */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * A JSON object: the non-secret `metadata` of a vault entry, stored as one JSON column.
 *
 * @example
 * ```ts
 * import type { JsonObject } from '@coffer/vault';
 *
 * const metadata: JsonObject = { pixelId: '1234' };
 * ```
 */
export type JsonObject = { [key: string]: JsonValue };

/**
 * One vault entry (the row an application references by its `id`), without any sealed value.
 * Every field is plain data: strings, integers, epoch milliseconds, a JSON object.
 *
 * @example
 * ```ts
 * import type { VaultEntryRecord } from '@coffer/vault';
 *
 * const entry: VaultEntryRecord = {
 *   id: '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3',
 *   owner: 'org_42',
 *   kind: 'meta-capi-token',
 *   label: 'Pixel 1234',
 *   metadata: { pixelId: '1234' },
 *   preview: 'EAAG…wxyz',
 *   version: 1,
 *   createdAt: 1_700_000_000_000,
 *   updatedAt: 1_700_000_000_000,
 *   deletedAt: null,
 * };
 * ```
 */
export interface VaultEntryRecord {
  /** The vault id: a lowercase UUIDv7 string (36 characters). Primary key. */
  id: string;
  /** The owner or tenant (1–256 characters). Indexed together with `id` for listing. */
  owner: string;
  /** What the value is, e.g. `meta-capi-token` (1–64 characters of `a-z 0-9 . _ : -`). */
  kind: string;
  /** A human label, or `null`. Not secret. */
  label: string | null;
  /** Non-secret JSON metadata (an object, possibly empty). */
  metadata: JsonObject;
  /** The display preview of the current version; never enough to reconstruct the value. */
  preview: string;
  /** The current version number: 1 after `put`, +1 per rotation. */
  version: number;
  /** Creation time, epoch milliseconds. */
  createdAt: number;
  /** Time of the last rotation (or creation), epoch milliseconds. */
  updatedAt: number;
  /** Soft-deletion time in epoch milliseconds, or `null` while the entry is live. */
  deletedAt: number | null;
}

/**
 * One sealed version of an entry's value. `sealed` is the `@coffer/envelope` binary form,
 * bound to `{ 'coffer.vault.id', owner, kind, version }`; `kekId` repeats its header's KEK id so
 * stores can index it for rewrap scans.
 *
 * @example
 * ```ts
 * import type { VaultVersionRecord } from '@coffer/vault';
 *
 * const row: VaultVersionRecord = {
 *   id: '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3',
 *   version: 1,
 *   kekId: '1',
 *   sealed: new Uint8Array([1, 1, 1]),
 *   createdAt: 1_700_000_000_000,
 * };
 * ```
 */
export interface VaultVersionRecord {
  /** The entry's vault id. Primary key together with `version`. */
  id: string;
  /** The version number (≥ 1). */
  version: number;
  /** The id of the KEK that wraps this version's data key (from the sealed header). */
  kekId: string;
  /** The sealed value (envelope binary form). Store as a blob; return an equal, independent copy. */
  sealed: Uint8Array;
  /** When this version was written, epoch milliseconds. */
  createdAt: number;
}

/**
 * An entry and one of its version rows, read together (see {@link VaultStore.getEntryWithVersion}).
 *
 * @example
 * ```ts
 * import type { VaultEntryWithVersion } from '@coffer/vault';
 *
 * const currentVersion = (found: VaultEntryWithVersion) => found.version?.version ?? found.entry.version;
 * ```
 */
export interface VaultEntryWithVersion {
  /** The entry, deleted or not. */
  entry: VaultEntryRecord;
  /**
   * The requested version row (the entry's current version when none was requested), or
   * `undefined` when that version is not retained.
   */
  version: VaultVersionRecord | undefined;
}

/**
 * Arguments of {@link VaultStore.rotate}.
 *
 * @example
 * ```ts
 * import type { VaultRotateRecord } from '@coffer/vault';
 *
 * const input: VaultRotateRecord = {
 *   id: '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3',
 *   expectedVersion: 1,
 *   next: { id: '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3', version: 2, kekId: '1', sealed: new Uint8Array([1]), createdAt: 2 },
 *   preview: '…',
 *   keepVersions: 2,
 * };
 * ```
 */
export interface VaultRotateRecord {
  /** The entry to rotate. */
  id: string;
  /** The version the entry must currently have; otherwise nothing changes. */
  expectedVersion: number;
  /** The new version row; `next.version === expectedVersion + 1`, `next.createdAt` is the update time. */
  next: VaultVersionRecord;
  /** The preview of the new value. */
  preview: string;
  /**
   * How many versions before `next` to keep (≥ 0). After the rotation exactly the rows with
   * `version > next.version - 1 - keepVersions` remain; older ones are deleted in the same
   * transaction (their data keys are gone with them).
   */
  keepVersions: number;
}

/**
 * Arguments of {@link VaultStore.listEntries}.
 *
 * @example
 * ```ts
 * import type { VaultListQuery } from '@coffer/vault';
 *
 * const query: VaultListQuery = { owner: 'org_42', kind: 'meta-capi-token', limit: 50 };
 * ```
 */
export interface VaultListQuery {
  /** Only entries of this owner. */
  owner: string;
  /** Only entries of this kind, when given. */
  kind?: string;
  /** Only ids strictly greater than this one (the last id of the previous page), when given. */
  after?: string;
  /** At most this many entries: a positive integer up to 1001 (a page of up to 1000, plus one to detect a next page). */
  limit: number;
  /** Include soft-deleted entries; `false` unless given. */
  includeDeleted?: boolean;
}

/**
 * Arguments of {@link VaultStore.scanForRewrap}.
 *
 * @example
 * ```ts
 * import type { VaultRewrapScan } from '@coffer/vault';
 *
 * const scan: VaultRewrapScan = { notKekId: '2', after: { id: '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3', version: 1 }, limit: 100 };
 * ```
 */
export interface VaultRewrapScan {
  /** Only version rows whose `kekId` differs from this one. */
  notKekId: string;
  /** Only rows after this `(id, version)` position in `(id, version)` order, when given. */
  after?: { id: string; version: number };
  /** At most this many rows (1–1000). */
  limit: number;
}

/**
 * Arguments of {@link VaultStore.replaceSealed}.
 *
 * @example
 * ```ts
 * import type { VaultReplaceSealed } from '@coffer/vault';
 *
 * const input: VaultReplaceSealed = {
 *   id: '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3',
 *   version: 1,
 *   expectedSealed: new Uint8Array([1]),
 *   sealed: new Uint8Array([2]),
 *   kekId: '2',
 * };
 * ```
 */
export interface VaultReplaceSealed {
  /** The entry id of the version row. */
  id: string;
  /** The version of the row. */
  version: number;
  /** The bytes the row must still hold (as read by the scan); otherwise nothing changes. */
  expectedSealed: Uint8Array;
  /** The new sealed bytes. */
  sealed: Uint8Array;
  /** The KEK id of the new sealed bytes. */
  kekId: string;
}

/**
 * Where the vault keeps its records: an adapter for a database. Plain and SQL-friendly — two
 * tables (entries; versions keyed by `(id, version)`), timestamps as epoch milliseconds, sealed
 * values as bytes, metadata as one JSON object. No crypto happens in a store: every value it sees
 * is already sealed. Prove an adapter with `runVaultStoreConformance` from `@coffer/vault/testing`.
 *
 * General contract: methods are async; records passed in must not be retained by reference
 * (copy bytes), records returned must be independent copies; a method that writes either makes
 * its whole change or none (use a transaction when it touches two tables); "not found" is
 * `undefined`/`false`, never an exception. Throw only for infrastructure failures.
 *
 * Optional methods have defaults built from the required ones (see each).
 *
 * @example
 * ```ts
 * import { createMemoryVaultStore, type VaultStore } from '@coffer/vault';
 *
 * const store: VaultStore = createMemoryVaultStore();
 * await store.getEntry('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3'); // undefined
 * ```
 */
export interface VaultStore {
  /**
   * Inserts a new entry and its first version row atomically (both or neither).
   * `firstVersion.version === entry.version === 1`. Must throw (any error) if the id exists;
   * vault ids are random UUIDv7s, so this only happens on a bug.
   */
  insertEntry(entry: VaultEntryRecord, firstVersion: VaultVersionRecord): Promise<void>;

  /** Returns the entry with this id, deleted or not, or `undefined`. */
  getEntry(id: string): Promise<VaultEntryRecord | undefined>;

  /** Returns one version row, or `undefined` if the entry or that version does not exist. */
  getVersion(id: string, version: number): Promise<VaultVersionRecord | undefined>;

  /** Returns every retained version row of an entry, newest (highest version) first; `[]` if none. */
  listVersions(id: string): Promise<VaultVersionRecord[]>;

  /**
   * Check-and-set rotation, atomic: if the entry exists, is not soft-deleted and its `version`
   * equals `expectedVersion`, insert `next`, set the entry's `version` to `next.version`,
   * `preview` to `preview` and `updatedAt` to `next.createdAt`, delete version rows older than
   * `keepVersions` before `next`, and return `true`. Otherwise change nothing and return `false`.
   * Under concurrency exactly one of several rotations from the same `expectedVersion` wins
   * (e.g. `UPDATE … WHERE id = ? AND version = ? AND deleted_at IS NULL` and check the row count).
   */
  rotate(input: VaultRotateRecord): Promise<boolean>;

  /**
   * Entries of one owner (and kind, when given), ordered by `id` ascending, with `id > after`
   * when `after` is given, at most `limit`; soft-deleted entries only with `includeDeleted`.
   */
  listEntries(query: VaultListQuery): Promise<VaultEntryRecord[]>;

  /**
   * Soft-deletes: if the entry exists and `deletedAt` is `null`, set it to `at` and return `true`;
   * otherwise return `false` and change nothing.
   */
  markDeleted(id: string, at: number): Promise<boolean>;

  /**
   * Undoes a soft delete: if the entry exists and `deletedAt` is not `null`, set it to `null`
   * and return `true`; otherwise return `false` and change nothing.
   */
  markRestored(id: string): Promise<boolean>;

  /**
   * Removes the entry and all its version rows (sealed values and wrapped data keys) atomically
   * and returns `true`; `false` if it did not exist. With `deletedBefore`, only removes an entry
   * whose `deletedAt` is not `null` and `< deletedBefore` (so a concurrent restore wins), else
   * returns `false`. Removal must be real deletion, not a flag.
   */
  destroyEntry(id: string, options?: { deletedBefore?: number }): Promise<boolean>;

  /**
   * Soft-deleted entries with `deletedAt < before`, ordered by `id` ascending, at most `limit`.
   */
  scanExpired(before: number, limit: number): Promise<VaultEntryRecord[]>;

  /**
   * Version rows (of all entries, deleted or not) whose `kekId !== notKekId`, ordered by
   * `(id, version)` ascending, strictly after `after` when given, at most `limit`.
   */
  scanForRewrap(scan: VaultRewrapScan): Promise<VaultVersionRecord[]>;

  /**
   * Check-and-set per row: if version row `(id, version)` exists and its `sealed` bytes equal
   * `expectedSealed`, replace `sealed` and `kekId` and return `true`; otherwise return `false`
   * and change nothing (the row was rotated away or rewrapped concurrently).
   */
  replaceSealed(input: VaultReplaceSealed): Promise<boolean>;

  /**
   * Optional. The entry with this id together with one of its version rows — `version`, or the
   * entry's current version (`entry.version`) when `version` is not given — or `undefined` when the
   * entry does not exist; `version: undefined` in the result when that version is not retained.
   * Read both from one consistent snapshot (in SQL: one query joining the two tables), so the
   * current version row is always there. This is what `reveal` calls; one read instead of two.
   * Default: `getEntry`, then `getVersion`, reading the entry again when a concurrent rotation
   * pruned the current version in between.
   */
  getEntryWithVersion?(id: string, version?: number): Promise<VaultEntryWithVersion | undefined>;

  /**
   * Optional. The distinct `kekId`s of all version rows, in any order. Default: a full
   * `scanForRewrap` walk with `notKekId: ''` (correct, but reads every row; implement it as
   * `SELECT DISTINCT kek_id` in SQL stores).
   */
  listKekIds?(): Promise<string[]>;

  /**
   * Optional. Up to `limit` (1–100) version rows whose `kekId` equals `kekId`, in any order; `[]`
   * when there are none. `verifyKeys` unwraps a few of them to prove the configured key for each
   * KEK id is the one the values were sealed with. Default: a `scanForRewrap` walk that stops once
   * every KEK id has its rows (implement it as `… WHERE kek_id = ? LIMIT ?` on the `kek_id` index
   * in SQL stores).
   */
  listVersionsByKek?(kekId: string, limit: number): Promise<VaultVersionRecord[]>;

  /**
   * Optional. Called by `rewrapAll` after each batch in which `replaceSealed` replaced rows (also a
   * batch that stopped early, aborted or cut short by an error). A store
   * that keeps the bytes a write replaced in a log or free space (SQLite's WAL) erases them here, once
   * per batch rather than once per row. Errors are ignored: the rows are already replaced.
   */
  afterRewrapBatch?(): Promise<void>;
}
