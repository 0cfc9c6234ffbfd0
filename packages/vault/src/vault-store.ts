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
 * `name`, `status` and `revision` came with migration 004 (see docs/custom-store.md, "Upgrading a
 * store").
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
 *   name: 'pixel-1234',
 *   status: 'active',
 *   metadata: { pixelId: '1234' },
 *   preview: 'EAAG…wxyz',
 *   version: 1,
 *   revision: 1,
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
  /**
   * The entry's name within its owner, or `null` (1–128 characters of `A-Z a-z 0-9 . _ : -`).
   * Unique per owner among live entries: no two entries of one owner whose `deletedAt` is `null`
   * share a name. Soft-deleted entries keep their name but do not hold it. Never changes.
   */
  name: string | null;
  /**
   * A clear-text status the application sets and reads (`active`, `disabled`, …: 1–32
   * characters of `a-z 0-9 . _ : -`), or `null`. The vault does not interpret it.
   */
  status: string | null;
  /** Non-secret JSON metadata (an object, possibly empty). */
  metadata: JsonObject;
  /** The display preview of the current version; never enough to reconstruct the value. */
  preview: string;
  /** The current version number: 1 after `put`, +1 per rotation. */
  version: number;
  /**
   * The metadata revision: 1 after `put`, +1 per `updateEntry` (label, metadata, status). A
   * rotation does not change it; a rotation changes `version`.
   */
  revision: number;
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
 * The owner condition of a by-id store call: only an entry of this owner matches. Another owner's
 * entry is answered exactly as a missing one (`undefined`, `false`, `[]`) and is never changed.
 * Implement it in the query itself (`… where id = ? and owner = ?`), not by reading the entry and
 * comparing: the answer must not depend on whether the id exists elsewhere.
 *
 * @example
 * ```ts
 * import type { VaultScope } from '@coffer/vault';
 *
 * const scope: VaultScope = { owner: 'org_42' };
 * ```
 */
export interface VaultScope {
  /** Only this owner's entry. */
  owner: string;
}

/**
 * What {@link VaultStore.updateEntry} changes: each field given is set, each field left out is kept.
 *
 * @example
 * ```ts
 * import type { VaultEntryChanges } from '@coffer/vault';
 *
 * const changes: VaultEntryChanges = { status: 'disabled', metadata: { reason: 'customer request' } };
 * ```
 */
export interface VaultEntryChanges {
  /** The new label (`null` clears it). */
  label?: string | null;
  /** The new metadata, replacing the whole object. */
  metadata?: JsonObject;
  /** The new status (`null` clears it). */
  status?: string | null;
}

/**
 * Arguments of {@link VaultStore.updateEntry}.
 *
 * @example
 * ```ts
 * import type { VaultUpdateRecord } from '@coffer/vault';
 *
 * const input: VaultUpdateRecord = {
 *   id: '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3',
 *   owner: 'org_42',
 *   expectedRevision: 3,
 *   expectedVersion: 2,
 *   changes: { status: 'invalid' },
 * };
 * ```
 */
export interface VaultUpdateRecord {
  /** The entry to update. */
  id: string;
  /** Only an entry of this owner (see {@link VaultScope}), when given. */
  owner?: string;
  /** The revision the entry must currently have; otherwise nothing changes. */
  expectedRevision: number;
  /** The version the entry must currently have, when given; otherwise nothing changes. */
  expectedVersion?: number;
  /** The fields to set (at least one is given). */
  changes: VaultEntryChanges;
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
  /** Only an entry of this owner (see {@link VaultScope}), when given. */
  owner?: string;
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
 * `undefined`/`false`, never an exception. Throw only for infrastructure failures, and
 * `NAME_TAKEN` ({@link VaultNameTakenError}) where a name is taken.
 *
 * Owner conditions: every by-id method takes an optional owner (a {@link VaultScope}, or `owner`
 * in its input). With one, an entry of another owner is exactly a missing entry — same answer,
 * nothing changed — decided in the query itself (`where id = ? and owner = ?`). The comparison is
 * exact: an owner the database cannot hold as given (an unpaired UTF-16 surrogate, which UTF-8
 * drivers bind as U+FFFD) matches nothing, never the owner it would be re-encoded to.
 *
 * Names: an entry's `name` is unique per owner among live entries, enforced by the database (a
 * unique index over live rows, never a read followed by a write): `insertEntry` and `markRestored`
 * throw `NAME_TAKEN` instead of making a second live entry with one owner's name.
 *
 * Optional methods have defaults built from the required ones (see each). A store object written
 * for the interface before names (no `updateEntry`, no `getEntryByName`) still works for
 * everything else; the vault then refuses names, statuses and updates with `STORE_UNSUPPORTED`.
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
   * `firstVersion.version === entry.version === entry.revision === 1`. Must throw (any error) if
   * the id exists; vault ids are random UUIDv7s, so this only happens on a bug. Must throw
   * `NAME_TAKEN` (e.g. `new VaultNameTakenError(entry.name)`), writing nothing, when `entry.name`
   * is not `null` and a live entry of the same owner has that name — decided by the database's
   * unique index, so that of concurrent inserts of one name exactly one succeeds.
   */
  insertEntry(entry: VaultEntryRecord, firstVersion: VaultVersionRecord): Promise<void>;

  /** Returns the entry with this id (and owner, when given), deleted or not, or `undefined`. */
  getEntry(id: string, scope?: VaultScope): Promise<VaultEntryRecord | undefined>;

  /**
   * Returns one version row, or `undefined` if the entry (of that owner, when given) or that
   * version does not exist.
   */
  getVersion(
    id: string,
    version: number,
    scope?: VaultScope,
  ): Promise<VaultVersionRecord | undefined>;

  /**
   * Returns every retained version row of an entry (of that owner, when given), newest (highest
   * version) first; `[]` if none.
   */
  listVersions(id: string, scope?: VaultScope): Promise<VaultVersionRecord[]>;

  /**
   * Check-and-set rotation, atomic: if the entry exists (with `owner`, when given), is not
   * soft-deleted and its `version` equals `expectedVersion`, insert `next`, set the entry's
   * `version` to `next.version`, `preview` to `preview` and `updatedAt` to `next.createdAt`, delete
   * version rows older than `keepVersions` before `next`, and return `true`. Otherwise change
   * nothing and return `false`. `revision` is not changed. Under concurrency exactly one of
   * several rotations from the same `expectedVersion` wins (e.g.
   * `UPDATE … WHERE id = ? AND owner = ? AND version = ? AND deleted_at IS NULL` and check the
   * row count).
   */
  rotate(input: VaultRotateRecord): Promise<boolean>;

  /**
   * Check-and-set update of the clear-text fields, in one statement: if the entry exists (with
   * `owner`, when given), is not soft-deleted, its `revision` equals `expectedRevision` and (when
   * given) its `version` equals `expectedVersion`, set the given `changes`, set `revision` to
   * `revision + 1` and return `true`; otherwise change nothing and return `false`. `version`,
   * `preview`, `name` and the times are not changed. Under concurrency exactly one of several
   * updates from the same revision wins (`UPDATE … SET …, revision = revision + 1 WHERE id = ?
   * AND owner = ? AND revision = ? AND version = ? AND deleted_at IS NULL` and its row count), and
   * an update conditioned on a version never applies after a rotation moved the entry past it.
   */
  updateEntry(input: VaultUpdateRecord): Promise<boolean>;

  /**
   * Returns the live (not soft-deleted) entry of `owner` named `name`, or `undefined`. At most
   * one can exist (see {@link VaultStore.insertEntry}). Serve it from the unique index over
   * `(owner, name)` of live rows.
   */
  getEntryByName(owner: string, name: string): Promise<VaultEntryRecord | undefined>;

  /**
   * Entries of one owner (and kind, when given), ordered by `id` ascending, with `id > after`
   * when `after` is given, at most `limit`; soft-deleted entries only with `includeDeleted`.
   */
  listEntries(query: VaultListQuery): Promise<VaultEntryRecord[]>;

  /**
   * Soft-deletes: if the entry exists (with that owner, when given) and `deletedAt` is `null`, set
   * it to `at` and return `true`; otherwise return `false` and change nothing. The entry's name,
   * if any, is free for another live entry from then on.
   */
  markDeleted(id: string, at: number, scope?: VaultScope): Promise<boolean>;

  /**
   * Undoes a soft delete: if the entry exists (with that owner, when given) and `deletedAt` is not
   * `null`, set it to `null` and return `true`; otherwise return `false` and change nothing. Must
   * throw `NAME_TAKEN`, changing nothing, when the entry has a name that another live entry of
   * its owner has taken since (the unique index refuses the update).
   */
  markRestored(id: string, scope?: VaultScope): Promise<boolean>;

  /**
   * Removes the entry (with `owner`, when given) and all its version rows (sealed values and
   * wrapped data keys) atomically and returns `true`; `false` if it did not exist. With
   * `deletedBefore`, only removes an entry whose `deletedAt` is not `null` and `< deletedBefore`
   * (so a concurrent restore wins), else returns `false`. Removal must be real deletion, not a
   * flag.
   */
  destroyEntry(id: string, options?: { deletedBefore?: number; owner?: string }): Promise<boolean>;

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
   * Optional. The entry with this id (and owner, when given) together with one of its version
   * rows — `version`, or the entry's current version (`entry.version`) when `version` is not
   * given — or `undefined` when the entry does not exist; `version: undefined` in the result when
   * that version is not retained. Read both from one consistent snapshot (in SQL: one query
   * joining the two tables), so the current version row is always there. This is what `reveal`
   * calls; one read instead of two. Default: `getEntry`, then `getVersion`, reading the entry
   * again when a concurrent rotation pruned the current version in between.
   */
  getEntryWithVersion?(
    id: string,
    version?: number,
    scope?: VaultScope,
  ): Promise<VaultEntryWithVersion | undefined>;

  /**
   * Optional. {@link VaultStore.getEntryWithVersion} for the live entry of `owner` named `name`:
   * one consistent read of the entry and its current (or the requested) version. This is what
   * `revealByName` calls. Default: `getEntryByName`, then `getVersion`, reading the entry again
   * when a concurrent rotation pruned the current version in between.
   */
  getEntryWithVersionByName?(
    owner: string,
    name: string,
    version?: number,
  ): Promise<VaultEntryWithVersion | undefined>;

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
