import { InvalidInputError, isCofferError } from '@coffer/core';
import { type Envelope, inspectSealed, type KeyProvider } from '@coffer/envelope';
import nextTurn from '#next-turn';
import { emitAudit, type VaultAuditAction, type VaultAuditSink } from './audit.js';
import { entryInfo } from './entry-info.js';
import {
  AuditFailedError,
  KekMismatchError,
  KeysMissingError,
  RevisionConflictError,
  VaultEntryDeletedError,
  VaultNameTakenError,
  VaultNotFoundError,
  VaultStoreUnsupportedError,
  VersionConflictError,
} from './errors.js';
import { computePreview, type PreviewFunction } from './preview.js';
import { askProvider } from './provider-call.js';
import { sealContext } from './seal-context.js';
import { uuidV7 } from './uuid-v7.js';
import {
  checkAuditSink,
  checkId,
  checkIntInRange,
  checkKind,
  checkLabel,
  checkMetadata,
  checkName,
  checkObject,
  checkOptionalFunction,
  checkOptionalName,
  checkOwner,
  checkPreviews,
  checkProvider,
  checkStatus,
  checkText,
  checkValue,
  checkVersion,
} from './validate.js';
import type {
  JsonObject,
  VaultEntryChanges,
  VaultEntryRecord,
  VaultStore,
  VaultVersionRecord,
} from './vault-store.js';

/** Default retention of soft-deleted entries: 90 days. */
const DEFAULT_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;
const ROTATE_ATTEMPTS = 16;
/** Stored rows per KEK id that `verifyKeys` tries; one that opens proves the key. */
const VERIFY_SAMPLES = 3;

/**
 * Options of {@link createVault}.
 *
 * @example
 * ```ts
 * import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
 * import { createMemoryVaultStore, type VaultOptions } from '@coffer/vault';
 *
 * const provider = createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]));
 * const options: VaultOptions = {
 *   store: createMemoryVaultStore(),
 *   envelope: createEnvelope({ provider }),
 *   provider,
 *   maxVersions: 1,
 *   previews: { 'webhook-secret': () => 'whsec_…' },
 * };
 * ```
 */
export interface VaultOptions {
  /** Where records live. */
  store: VaultStore;
  /** Seals values (`createEnvelope`). */
  envelope: Envelope;
  /** The envelope's key provider; needed by `verifyKeys` and used by `rewrapAll` for the primary KEK id. */
  provider?: KeyProvider;
  /** Audit sink for put, rotate, delete, restore, destroy and purge. */
  audit?: VaultAuditSink;
  /** Current time in epoch milliseconds; `Date.now` unless given. */
  clock?: () => number;
  /** Earlier versions kept by `rotate` for overlap reads (0–100); 1 unless given. Older data keys are deleted. */
  maxVersions?: number;
  /** How long a soft-deleted entry stays restorable before `purgeExpired` destroys it; 90 days unless given. */
  retentionMs?: number;
  /** Preview functions by kind (see {@link PreviewFunction}); `defaultPreview` for the others. */
  previews?: Readonly<Record<string, PreviewFunction>>;
}

/**
 * What `put` stores: everything but `value` is public metadata.
 *
 * @example
 * ```ts
 * import type { VaultPutInput } from '@coffer/vault';
 *
 * const input: VaultPutInput = { kind: 'meta-capi-token', owner: 'org_42', label: 'Pixel 1234', metadata: { pixelId: '1234' }, value: 'EAAG…' };
 * ```
 */
export interface VaultPutInput {
  /** What the value is: 1–64 characters of `a-z 0-9 . _ : -`. */
  kind: string;
  /** The owner or tenant: 1–256 characters, no control characters. */
  owner: string;
  /**
   * A name, unique among the owner's live entries (1–128 characters of `A-Z a-z 0-9 . _ : -`,
   * starting with a letter or digit; case matters). A name another live entry of the owner holds
   * is `NAME_TAKEN`. Fixed for the entry's life; look it up with `forOwner(owner).findByName`.
   */
  name?: string | null;
  /** A clear-text status for the application (1–32 characters of `a-z 0-9 . _ : -`), e.g. `active`. */
  status?: string | null;
  /** A human label (≤ 256 characters). */
  label?: string | null;
  /** Non-secret JSON metadata (≤ 8 KiB serialized; no U+0000 or unpaired surrogate in keys or strings). */
  metadata?: JsonObject;
  /** The secret: a non-empty string or bytes, at most 64 KiB. */
  value: string | Uint8Array;
  /** Who writes, for the audit event. */
  actor?: string;
}

/**
 * A stored value's id and version after a write.
 *
 * @example
 * ```ts
 * import type { VaultRef } from '@coffer/vault';
 *
 * const ref: VaultRef = { id: '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3', version: 1 };
 * ```
 */
export interface VaultRef {
  /** The vault id (UUIDv7). Store it on your own row. */
  id: string;
  /** The current version. */
  version: number;
}

/**
 * Metadata of one entry: never the value.
 *
 * @example
 * ```ts
 * import type { VaultEntryInfo } from '@coffer/vault';
 *
 * const show = (e: VaultEntryInfo) => `${e.label ?? e.kind}: ${e.preview} (v${e.version})`;
 * ```
 */
export interface VaultEntryInfo {
  /** The vault id. */
  id: string;
  /** The kind. */
  kind: string;
  /** The owner. */
  owner: string;
  /** The name (unique among the owner's live entries), or `null`. */
  name: string | null;
  /** The label, or `null`. */
  label: string | null;
  /** The application's clear-text status, or `null`. */
  status: string | null;
  /** Non-secret metadata. */
  metadata: JsonObject;
  /** Display preview of the current value, e.g. `sk-proj-…6b5c`; never enough to reconstruct it. */
  preview: string;
  /** Current version (+1 per rotation). */
  version: number;
  /** Current revision of label, metadata and status (+1 per `update`). */
  revision: number;
  /** Creation time. */
  createdAt: Date;
  /** Last rotation (or creation) time. */
  updatedAt: Date;
  /** Soft-deletion time, or `null` while live. */
  deletedAt: Date | null;
}

/**
 * Options of {@link Vault.delete}, {@link Vault.restore} and {@link Vault.destroy}.
 *
 * @example
 * ```ts
 * import type { VaultWriteOptions } from '@coffer/vault';
 *
 * const options: VaultWriteOptions = { actor: 'user_7 via settings page' };
 * ```
 */
export interface VaultWriteOptions {
  /** Who acts (1–256 characters), for the audit event. */
  actor?: string;
}

/**
 * Options of {@link Vault.rotate}.
 *
 * @example
 * ```ts
 * import type { VaultRotateOptions } from '@coffer/vault';
 *
 * const options: VaultRotateOptions = { expectedVersion: 3 };
 * ```
 */
export interface VaultRotateOptions extends VaultWriteOptions {
  /**
   * Rotate only if the entry is at this version (check-and-set); otherwise `VERSION_CONFLICT`.
   * Without it, the rotation applies on top of whatever version is current: a rotation that loses
   * a race is re-sealed and retried (up to 16 attempts), so only heavy contention on one id
   * (more than 16 writers at once) ends in `VERSION_CONFLICT`.
   */
  expectedVersion?: number;
}

/**
 * Options of {@link Vault.update}: check-and-set conditions and the actor.
 *
 * @example
 * ```ts
 * import type { VaultUpdateOptions } from '@coffer/vault';
 *
 * // Mark the key invalid only if it is still the version the failed call used.
 * const options: VaultUpdateOptions = { expectedVersion: 2, actor: 'provider-keys' };
 * ```
 */
export interface VaultUpdateOptions extends VaultWriteOptions {
  /**
   * Update only if the entry is at this revision; otherwise `REVISION_CONFLICT`. Without it, the
   * update applies on top of whatever revision is current (retried, like `rotate`, when another
   * update wins the race in between).
   */
  expectedRevision?: number;
  /**
   * Update only if the entry is at this version (its value was not rotated meanwhile); otherwise
   * `VERSION_CONFLICT`. The condition is part of the store's one update statement: an update
   * racing a rotation never applies to the new version.
   */
  expectedVersion?: number;
}

/**
 * Options of {@link Vault.list}.
 *
 * @example
 * ```ts
 * import type { VaultListOptions } from '@coffer/vault';
 *
 * const options: VaultListOptions = { owner: 'org_42', kind: 'meta-capi-token', limit: 20 };
 * ```
 */
export interface VaultListOptions {
  /** Only this owner's entries (required: listing is always per tenant). */
  owner: string;
  /** Only this kind. */
  kind?: string;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** Page size, 1–1000; 50 unless given. */
  limit?: number;
  /** Include soft-deleted entries. */
  includeDeleted?: boolean;
}

/**
 * One page of {@link Vault.list}.
 *
 * @example
 * ```ts
 * import type { VaultListPage } from '@coffer/vault';
 *
 * const isLast = (page: VaultListPage) => page.nextCursor === null;
 * ```
 */
export interface VaultListPage {
  /** Entries ordered by id (creation order, roughly). */
  items: VaultEntryInfo[];
  /** Pass as `cursor` for the next page; `null` when this page is the last. */
  nextCursor: string | null;
}

/**
 * Options of {@link Vault.rewrapAll}.
 *
 * @example
 * ```ts
 * import type { RewrapOptions } from '@coffer/vault';
 *
 * const options: RewrapOptions = { batchSize: 200, onProgress: (p) => console.log(p.rewrapped) };
 * ```
 */
export interface RewrapOptions {
  /** Rows per store scan, 1–1000; 100 unless given. Memory use is bounded by one batch. */
  batchSize?: number;
  /** Called after each batch. */
  onProgress?: (progress: RewrapProgress) => void;
  /**
   * Stops the job between rows; the result then has `aborted: true`. Run again to resume. The job
   * lets the event loop run between batches, even on a store whose queries complete synchronously
   * (SQLite), so a signal handler or timer that aborts it runs within one batch.
   */
  signal?: AbortSignal;
}

/**
 * Counters of a rewrap job so far.
 *
 * @example
 * ```ts
 * import type { RewrapProgress } from '@coffer/vault';
 *
 * const line = (p: RewrapProgress) => `${p.rewrapped}/${p.scanned} rewrapped, ${p.failed.length} failed`;
 * ```
 */
export interface RewrapProgress {
  /** Version rows read that were not under the primary KEK. */
  scanned: number;
  /** Rows moved to the primary KEK. */
  rewrapped: number;
  /** Rows changed or removed concurrently (rotated, rewrapped, destroyed): nothing to do. */
  skipped: number;
  /** Rows that could not be rewrapped, with the error code (e.g. `UNKNOWN_KEK`, `DECRYPT_FAILED`). */
  failed: { id: string; version: number; code: string }[];
}

/**
 * Result of {@link Vault.rewrapAll}.
 *
 * @example
 * ```ts
 * import type { RewrapResult } from '@coffer/vault';
 *
 * const finished = (r: RewrapResult) => !r.aborted && r.failed.length === 0;
 * ```
 */
export interface RewrapResult extends RewrapProgress {
  /** The KEK id every row was moved to. */
  primaryKekId: string;
  /** Whether the signal stopped the job before it finished. */
  aborted: boolean;
}

/**
 * Result of {@link Vault.verifyKeys}.
 *
 * @example
 * ```ts
 * import type { VerifyKeysResult } from '@coffer/vault';
 *
 * const r: VerifyKeysResult = { kekIds: ['1', '2'], primaryKekId: '2' };
 * ```
 */
export interface VerifyKeysResult {
  /** Every KEK id stored values use: each is loaded, and its key opened a stored value. */
  kekIds: string[];
  /** The provider's primary KEK id. */
  primaryKekId: string;
}

/**
 * What a {@link ScopedVault} stores: a {@link VaultPutInput} without `owner`, which the scope sets.
 *
 * @example
 * ```ts
 * import type { ScopedVaultPutInput } from '@coffer/vault';
 *
 * const input: ScopedVaultPutInput = { kind: 'provider-key', name: 'openai', status: 'active', value: 'sk-proj-…' };
 * ```
 */
export type ScopedVaultPutInput = Omit<VaultPutInput, 'owner'>;

/**
 * Options of {@link ScopedVault.list}: {@link VaultListOptions} without `owner`.
 *
 * @example
 * ```ts
 * import type { ScopedVaultListOptions } from '@coffer/vault';
 *
 * const options: ScopedVaultListOptions = { kind: 'provider-key', limit: 20 };
 * ```
 */
export type ScopedVaultListOptions = Omit<VaultListOptions, 'owner'>;

/**
 * The vault for one owner (tenant), from {@link Vault.forOwner}: what request handlers should
 * hold. Every call is limited to the owner's entries in the store query itself
 * (`… where id = ? and owner = ?`): another owner's id answers exactly as a missing id — the same
 * `NOT_FOUND` error, code and message, after the same store calls — and changes nothing; lists hold
 * only the owner's entries. Audit events carry the owner.
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
 * const acme = vault.forOwner('org_acme');
 * const { id } = await acme.put({ kind: 'meta-capi-token', name: 'pixel-1234', value: 'EAAGm0PX4ZCpsBA1234567890abcd' });
 * (await acme.findByName('pixel-1234'))?.id === id; // true
 * await vault.forOwner('org_other').describe(id); // throws NOT_FOUND, as for an id that never existed
 * ```
 */
export interface ScopedVault {
  /** The owner every call is limited to. */
  readonly owner: string;
  /**
   * {@link Vault.put} for this owner.
   *
   * @throws {VaultNameTakenError} `NAME_TAKEN` when another live entry of this owner has `name`; nothing is stored.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed kind, name, status, label, metadata or an empty value.
   * @throws {ValueTooLargeError} `VALUE_TOO_LARGE`; {@link AuditFailedError} `AUDIT_FAILED`.
   * @throws {VaultStoreUnsupportedError} `STORE_UNSUPPORTED` for a name or status on a store without them.
   */
  put(input: ScopedVaultPutInput): Promise<VaultRef>;
  /**
   * {@link Vault.rotate} of this owner's entry.
   *
   * @throws {VaultNotFoundError} `NOT_FOUND` also for another owner's id. The rest as {@link Vault.rotate}.
   */
  rotate(id: string, value: string | Uint8Array, options?: VaultRotateOptions): Promise<VaultRef>;
  /**
   * {@link Vault.update} of this owner's entry.
   *
   * @throws {VaultNotFoundError} `NOT_FOUND` also for another owner's id. The rest as {@link Vault.update}.
   */
  update(
    id: string,
    changes: VaultEntryChanges,
    options?: VaultUpdateOptions,
  ): Promise<VaultEntryInfo>;
  /**
   * {@link Vault.describe} of this owner's entry.
   *
   * @throws {VaultNotFoundError} `NOT_FOUND` also for another owner's id. {@link InvalidInputError} `INVALID_INPUT` for a malformed id.
   */
  describe(id: string): Promise<VaultEntryInfo>;
  /**
   * The owner's live (not soft-deleted) entry with this name, or `undefined`: metadata only, one
   * store query.
   *
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed name.
   * @throws {VaultStoreUnsupportedError} `STORE_UNSUPPORTED` on a store without names.
   */
  findByName(name: string): Promise<VaultEntryInfo | undefined>;
  /**
   * One page of this owner's entries, by id.
   *
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed kind, cursor or limit.
   */
  list(options?: ScopedVaultListOptions): Promise<VaultListPage>;
  /**
   * {@link Vault.delete} of this owner's entry.
   *
   * @throws {VaultNotFoundError} `NOT_FOUND` also for another owner's id. The rest as {@link Vault.delete}.
   */
  delete(id: string, options?: VaultWriteOptions): Promise<VaultEntryInfo>;
  /**
   * {@link Vault.restore} of this owner's entry.
   *
   * @throws {VaultNotFoundError} `NOT_FOUND` also for another owner's id. The rest as {@link Vault.restore}.
   */
  restore(id: string, options?: VaultWriteOptions): Promise<VaultEntryInfo>;
  /**
   * {@link Vault.destroy} of this owner's entry.
   *
   * @throws {VaultNotFoundError} `NOT_FOUND` also for another owner's id. The rest as {@link Vault.destroy}.
   */
  destroy(id: string, options?: VaultWriteOptions): Promise<void>;
}

/**
 * The public face of the vault, safe to hand to API handlers: it writes and describes values but
 * never returns one (no method's result type holds a value, and none does at run time). Made by
 * {@link createVault}; reading values is {@link VaultReader}'s job. Hand request handlers
 * `vault.forOwner(tenant)` ({@link ScopedVault}), which cannot reach another tenant's entries;
 * the unscoped methods are for jobs that work across owners (rewrap, purge, operators' tools).
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
 * const { id } = await vault.put({ kind: 'meta-capi-token', owner: 'org_42', value: 'EAAGm0PX4ZCpsBA1234567890abcd' });
 * await vault.rotate(id, 'EAAGnewtoken0987654321zyxw', { expectedVersion: 1 }); // { id, version: 2 }
 * (await vault.describe(id)).preview; // 'EAAG…zyxw'
 * ```
 */
export interface Vault {
  /**
   * The vault limited to one owner's entries: what request handlers should hold (see
   * {@link ScopedVault}). Cheap: make one per request.
   *
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed owner (1–256 characters, no control characters).
   */
  forOwner(owner: string): ScopedVault;
  /**
   * Seals and stores a new value; returns its new id and version 1.
   *
   * @throws {VaultNameTakenError} `NAME_TAKEN` when another live entry of the owner has `name`; nothing is stored.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed kind, owner, name, status, label, metadata or an empty value.
   * @throws {ValueTooLargeError} `VALUE_TOO_LARGE` above 64 KiB.
   * @throws {AuditFailedError} `AUDIT_FAILED` (`committed: true`, with the new `id` in `details`) when the audit sink fails after the write.
   * @throws {VaultStoreUnsupportedError} `STORE_UNSUPPORTED` for a name or status on a store without them.
   */
  put(input: VaultPutInput): Promise<VaultRef>;
  /**
   * Replaces the value in place (same id, version + 1), keeping up to `maxVersions` earlier versions.
   *
   * @throws {VaultNotFoundError} `NOT_FOUND`. {@link VaultEntryDeletedError} `DELETED` for a soft-deleted entry.
   * @throws {VersionConflictError} `VERSION_CONFLICT` when `expectedVersion` is not current, or
   *   (without it) when 16 attempts in a row lost to concurrent rotations.
   * @throws {InvalidInputError} `INVALID_INPUT`; {@link ValueTooLargeError} `VALUE_TOO_LARGE`; {@link AuditFailedError} `AUDIT_FAILED`.
   */
  rotate(id: string, value: string | Uint8Array, options?: VaultRotateOptions): Promise<VaultRef>;
  /**
   * Sets the clear-text fields of an entry — `label`, `metadata` (replaced whole, validated like
   * `put`'s), `status` — as one check-and-set store statement, and bumps its revision; returns the
   * entry as updated. Its `version`, `preview` and `updatedAt` (and the audit event's `version`)
   * are those read just before the statement: without `expectedVersion`, a rotation committed in
   * between is not reflected (pass `expectedVersion` to pin them; the update then conflicts
   * instead). Audited (`update`, with the fields set but not their values). The value,
   * version and name do not change.
   *
   * @throws {VaultNotFoundError} `NOT_FOUND`. {@link VaultEntryDeletedError} `DELETED` for a soft-deleted entry.
   * @throws {RevisionConflictError} `REVISION_CONFLICT` when `expectedRevision` is not current, or
   *   (without it) when 16 attempts in a row lost to concurrent updates.
   * @throws {VersionConflictError} `VERSION_CONFLICT` when `expectedVersion` is not current.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed id, change (none, unknown, or
   *   invalid), revision, version or actor.
   * @throws {AuditFailedError} `AUDIT_FAILED` (committed). {@link VaultStoreUnsupportedError} `STORE_UNSUPPORTED` on a store without `updateEntry`.
   */
  update(
    id: string,
    changes: VaultEntryChanges,
    options?: VaultUpdateOptions,
  ): Promise<VaultEntryInfo>;
  /**
   * Metadata of one entry (deleted entries too, with `deletedAt`).
   *
   * @throws {VaultNotFoundError} `NOT_FOUND`. {@link InvalidInputError} `INVALID_INPUT` for a malformed id.
   */
  describe(id: string): Promise<VaultEntryInfo>;
  /**
   * One page of an owner's entries, by id.
   *
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed owner, kind, cursor or limit.
   */
  list(options: VaultListOptions): Promise<VaultListPage>;
  /**
   * Soft-deletes: reveal and rotate refuse the entry until `restore`; `purgeExpired` destroys it
   * after the retention window. Deleting a deleted entry changes nothing.
   *
   * @throws {VaultNotFoundError} `NOT_FOUND`; {@link AuditFailedError} `AUDIT_FAILED`.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed id or actor.
   */
  delete(id: string, options?: VaultWriteOptions): Promise<VaultEntryInfo>;
  /**
   * Undoes a soft delete (until purged). Restoring a live entry changes nothing.
   *
   * @throws {VaultNameTakenError} `NAME_TAKEN` when another live entry of the owner took the entry's name meanwhile; it stays deleted.
   * @throws {VaultNotFoundError} `NOT_FOUND`; {@link AuditFailedError} `AUDIT_FAILED`.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed id or actor.
   */
  restore(id: string, options?: VaultWriteOptions): Promise<VaultEntryInfo>;
  /**
   * Irrecoverably removes the entry and every version (sealed values and wrapped data keys).
   *
   * @throws {VaultNotFoundError} `NOT_FOUND`; {@link AuditFailedError} `AUDIT_FAILED`.
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed id or actor.
   */
  destroy(id: string, options?: VaultWriteOptions): Promise<void>;
  /**
   * Destroys entries soft-deleted longer than the retention window; returns how many. Reads them
   * in batches of `batchSize` (1–1000, 100 unless given) and lets the event loop run after each
   * entry, even on a store whose queries complete synchronously (SQLite).
   *
   * @throws {AuditFailedError} `AUDIT_FAILED` (the purges so far are committed).
   */
  purgeExpired(options?: { batchSize?: number }): Promise<{ purged: number }>;
  /**
   * Moves every stored version to the primary KEK, in batches, check-and-set per row (safe while
   * the app writes). Resumable: rows already under the primary KEK are not scanned again.
   * Rows that cannot be rewrapped are reported in `failed`, not thrown.
   *
   * @throws {InvalidInputError} `INVALID_INPUT` for a bad batch size.
   */
  rewrapAll(options?: RewrapOptions): Promise<RewrapResult>;
  /**
   * Fails closed unless the configured keys open what is stored: every KEK id stored values use
   * must be loaded and not retired, and for each of them the configured key must unwrap the data
   * key of a stored value (up to 3 are tried per id; the payload is not decrypted). A key that was
   * regenerated or mistyped under an existing id is caught here, before anything is sealed next to
   * the old values. Run it at start-up.
   *
   * @throws {KeysMissingError} `KEYS_MISSING` with `details.kekIds`.
   * @throws {KekMismatchError} `KEK_MISMATCH` with `details.kekIds`: the id is loaded but its key
   *   does not open the values stored under it.
   * @throws {InvalidInputError} `INVALID_INPUT` when the vault was created without `provider`.
   * @throws {KeyProviderError} `KEY_PROVIDER_FAILED` when the provider cannot answer (a coffer
   *   error it throws, e.g. a retryable `KMS_UNAVAILABLE`, passes through unchanged).
   */
  verifyKeys(): Promise<VerifyKeysResult>;
}

/**
 * Creates the public vault facet over a store and an envelope.
 *
 * @param options Store, envelope and policy; see {@link VaultOptions}.
 * @returns The {@link Vault}.
 * @throws {InvalidInputError} `INVALID_INPUT` for malformed options (a store or envelope of the
 *   wrong shape, `maxVersions` outside 0–100, a negative `retentionMs`, a non-function `clock`,
 *   an `audit` without `emit`, a preview that is not a function).
 *
 * @example
 * ```ts
 * import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
 * import { createMemoryVaultStore, createVault } from '@coffer/vault';
 *
 * const provider = createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]));
 * const vault = createVault({ store: createMemoryVaultStore(), envelope: createEnvelope({ provider }), provider });
 * const { id, version } = await vault.put({ kind: 'webhook-secret', owner: 'org_1', value: 'whsec_9f8e7d6c5b4a39281706' });
 * await vault.verifyKeys(); // { kekIds: ['1'], primaryKekId: '1' }
 * ```
 */
export function createVault(options: VaultOptions): Vault {
  const opts = checkObject(options, 'options') as Partial<VaultOptions>;
  const givenStore = opts.store;
  const givenEnvelope = opts.envelope;
  if (
    typeof givenStore !== 'object' ||
    givenStore === null ||
    typeof givenStore.getEntry !== 'function'
  ) {
    throw new InvalidInputError(
      'options.store must be a VaultStore, e.g. createMemoryVaultStore()',
      {
        details: { parameter: 'store' },
      },
    );
  }
  if (
    typeof givenEnvelope !== 'object' ||
    givenEnvelope === null ||
    typeof givenEnvelope.seal !== 'function'
  ) {
    throw new InvalidInputError('options.envelope must be an Envelope from createEnvelope()', {
      details: { parameter: 'envelope' },
    });
  }
  const store: VaultStore = givenStore;
  const envelope: Envelope = givenEnvelope;
  const provider = checkProvider<KeyProvider>(opts.provider);
  const audit = checkAuditSink<VaultAuditSink>(opts.audit);
  const clock = checkOptionalFunction<() => number>(opts.clock, 'clock') ?? Date.now;
  const maxVersions =
    opts.maxVersions === undefined ? 1 : checkIntInRange(opts.maxVersions, 'maxVersions', 0, 100);
  const retentionMs =
    opts.retentionMs === undefined
      ? DEFAULT_RETENTION_MS
      : checkIntInRange(opts.retentionMs, 'retentionMs', 0, Number.MAX_SAFE_INTEGER);
  const previews = checkPreviews<Readonly<Record<string, PreviewFunction>>>(opts.previews);

  async function record(
    action: VaultAuditAction,
    e: VaultEntryRecord,
    version: number,
    at: number,
    actor?: string,
    extra?: { revision: number; fields: ('label' | 'metadata' | 'status')[] },
  ): Promise<void> {
    if (audit === undefined) return;
    const name = (e as Partial<VaultEntryRecord>).name;
    const event = {
      action,
      id: e.id,
      owner: e.owner,
      kind: e.kind,
      ...(name === undefined || name === null ? {} : { name }),
      version,
      ...(extra === undefined ? {} : extra),
      at: new Date(at),
    };
    const ok = await emitAudit(audit, actor === undefined ? event : { ...event, actor });
    if (!ok) throw new AuditFailedError(action, true, { id: e.id, version });
  }

  /**
   * The entry `id` — of `owner` when given, decided by the store's query; the comparison after it
   * only guards against a store that ignores the condition (one written before owner conditions).
   */
  async function find(
    id: string,
    owner: string | undefined,
  ): Promise<VaultEntryRecord | undefined> {
    if (owner === undefined) return await store.getEntry(id);
    const e = await store.getEntry(id, { owner });
    return e === undefined || e.owner !== owner ? undefined : e;
  }

  async function load(id: string, owner?: string): Promise<VaultEntryRecord> {
    const e = await find(id, owner);
    if (e === undefined) throw new VaultNotFoundError(id);
    return e;
  }

  async function sealVersion(
    e: { id: string; owner: string; kind: string },
    version: number,
    value: string | Uint8Array,
    at: number,
  ): Promise<VaultVersionRecord> {
    const sealed = await envelope.seal(value, { context: sealContext(e, version) });
    return { id: e.id, version, kekId: inspectSealed(sealed).kekId, sealed, createdAt: at };
  }

  async function primaryKekId(): Promise<string> {
    if (provider !== undefined) {
      return await askProvider(provider, 'primaryKekId', () => provider.primaryKekId());
    }
    return inspectSealed(await envelope.seal(new Uint8Array(1), { context: {} })).kekId;
  }

  /**
   * Whether the configured key opens any of these rows: an unwrap that succeeds is proof (a wrong
   * key cannot pass AES-GCM's tag), so one success settles it; DECRYPT_FAILED on every row that
   * still exists means the key differs. Rewrap unwraps the data key without decrypting the payload
   * (and the result is dropped). Any other error (provider down) is thrown: nothing is proven.
   */
  async function keyOpensAny(rows: VaultVersionRecord[]): Promise<boolean> {
    let tried = 0;
    for (const row of rows) {
      const e = await store.getEntry(row.id);
      if (e === undefined) continue; // destroyed meanwhile
      tried++;
      try {
        await envelope.rewrap(row.sealed, { context: sealContext(e, row.version) });
        return true;
      } catch (error) {
        if (!isCofferError(error, 'DECRYPT_FAILED')) throw error;
      }
    }
    return tried === 0;
  }

  const actorOf = (actor: unknown): string | undefined =>
    actor === undefined ? undefined : checkText(actor, 'actor', 256);
  const writeActor = (o: unknown): string | undefined =>
    o === undefined ? undefined : actorOf(checkObject(o, 'options').actor);
  const requireMethod = (method: 'updateEntry' | 'getEntryByName'): void => {
    if (typeof store[method] !== 'function') throw new VaultStoreUnsupportedError(method);
  };

  // Each operation once, for the unscoped vault (`owner` undefined) and for `forOwner(owner)`.
  async function put(input: unknown, scope: string | undefined): Promise<VaultRef> {
    const i = checkObject(input, 'input');
    if (scope !== undefined && i.owner !== undefined && i.owner !== scope) {
      throw new InvalidInputError(
        'input.owner must not be given to a vault for one owner: forOwner(owner) sets it',
        { details: { parameter: 'owner' } },
      );
    }
    const kind = checkKind(i.kind);
    const owner = scope ?? checkOwner(i.owner);
    const name = checkOptionalName(i.name);
    const status = i.status === undefined ? null : checkStatus(i.status);
    const label = checkLabel(i.label);
    const metadata = checkMetadata(i.metadata);
    const value = checkValue(i.value);
    const actor = actorOf(i.actor);
    if (name !== null) requireMethod('getEntryByName');
    if (status !== null) requireMethod('updateEntry');
    const preview = computePreview(value, kind, previews);
    const now = clock();
    const id = uuidV7(now);
    const sealed = await envelope.seal(value, { context: sealContext({ id, owner, kind }, 1) });
    const first = { id, version: 1, kekId: inspectSealed(sealed).kekId, sealed, createdAt: now };
    const entry: VaultEntryRecord = {
      id,
      owner,
      kind,
      label,
      name,
      status,
      metadata,
      preview,
      version: 1,
      revision: 1,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    try {
      await store.insertEntry(entry, first);
    } catch (error) {
      // The store's refusal, re-made here: the vault's own message, with the name it knows.
      if (isCofferError(error, 'NAME_TAKEN')) throw new VaultNameTakenError(name ?? undefined);
      throw error;
    }
    if (audit !== undefined) await record('put', entry, 1, now, actor);
    return { id, version: 1 };
  }

  async function rotate(
    id: string,
    value: unknown,
    rotateOptions: unknown,
    owner: string | undefined,
  ): Promise<VaultRef> {
    checkId(id);
    const given = checkValue(value);
    // Read once, now: rotate waits for the store before it seals (and may seal again on a lost
    // race), so bytes the caller reuses meanwhile must not become the stored value.
    const checked = typeof given === 'string' ? given : new Uint8Array(given);
    const o = rotateOptions === undefined ? {} : checkObject(rotateOptions, 'options');
    const expected =
      o.expectedVersion === undefined
        ? undefined
        : checkVersion(o.expectedVersion, 'expectedVersion');
    const actor = actorOf(o.actor);
    let tried = 0;
    for (let attempt = 0; attempt < ROTATE_ATTEMPTS; attempt++) {
      const e = await load(id, owner);
      if (e.deletedAt !== null) throw new VaultEntryDeletedError(id);
      if (expected !== undefined && e.version !== expected) {
        throw new VersionConflictError(id, expected, e.version);
      }
      const preview = computePreview(checked, e.kind, previews);
      const now = clock();
      const next = await sealVersion(e, e.version + 1, checked, now);
      tried = e.version;
      const won = await store.rotate({
        id,
        ...(owner === undefined ? {} : { owner }),
        expectedVersion: e.version,
        next,
        preview,
        keepVersions: maxVersions,
      });
      if (won) {
        await record('rotate', e, next.version, now, actor);
        return { id, version: next.version };
      }
    }
    // Every attempt lost to a concurrent rotation: report the version the last one started from.
    const e = await load(id, owner);
    if (e.deletedAt !== null) throw new VaultEntryDeletedError(id);
    throw new VersionConflictError(id, tried, e.version);
  }

  async function update(
    id: string,
    changes: unknown,
    updateOptions: unknown,
    owner: string | undefined,
  ): Promise<VaultEntryInfo> {
    checkId(id);
    const wanted = checkChanges(changes);
    const o = updateOptions === undefined ? {} : checkObject(updateOptions, 'options');
    const expectedRevision =
      o.expectedRevision === undefined
        ? undefined
        : checkVersion(o.expectedRevision, 'expectedRevision');
    const expectedVersion =
      o.expectedVersion === undefined
        ? undefined
        : checkVersion(o.expectedVersion, 'expectedVersion');
    const actor = actorOf(o.actor);
    requireMethod('updateEntry');
    const fields = (['label', 'metadata', 'status'] as const).filter(
      (f) => wanted[f] !== undefined,
    );
    let tried = 0;
    for (let attempt = 0; attempt < ROTATE_ATTEMPTS; attempt++) {
      const e = await load(id, owner);
      if (e.deletedAt !== null) throw new VaultEntryDeletedError(id);
      if (expectedVersion !== undefined && e.version !== expectedVersion) {
        throw new VersionConflictError(id, expectedVersion, e.version);
      }
      if (expectedRevision !== undefined && e.revision !== expectedRevision) {
        throw new RevisionConflictError(id, expectedRevision, e.revision);
      }
      tried = e.revision;
      const won = await store.updateEntry({
        id,
        ...(owner === undefined ? {} : { owner }),
        expectedRevision: e.revision,
        ...(expectedVersion === undefined ? {} : { expectedVersion }),
        changes: wanted,
      });
      if (won) {
        const updated: VaultEntryRecord = { ...e, ...wanted, revision: e.revision + 1 };
        await record('update', updated, e.version, clock(), actor, {
          revision: updated.revision,
          fields: [...fields],
        });
        return entryInfo(updated);
      }
    }
    // Every attempt lost to a concurrent update: report the revision the last one started from.
    const e = await load(id, owner);
    if (e.deletedAt !== null) throw new VaultEntryDeletedError(id);
    if (expectedVersion !== undefined && e.version !== expectedVersion) {
      throw new VersionConflictError(id, expectedVersion, e.version);
    }
    throw new RevisionConflictError(id, tried, e.revision);
  }

  async function list(o: Record<string, unknown>, owner: string): Promise<VaultListPage> {
    const kind = o.kind === undefined ? undefined : checkKind(o.kind);
    const after = o.cursor === undefined || o.cursor === null ? undefined : checkCursor(o.cursor);
    const limit = o.limit === undefined ? 50 : checkIntInRange(o.limit, 'limit', 1, 1000);
    const query = {
      owner,
      limit: limit + 1, // one more than the page, to know whether another page follows
      includeDeleted: o.includeDeleted === true,
      ...(kind === undefined ? {} : { kind }),
      ...(after === undefined ? {} : { after }),
    };
    const rows = await store.listEntries(query);
    // Only what was asked for, as every by-id read guards too: a store whose owner comparison is
    // looser than exact (a case-insensitive or space-padding collation) must not hand one owner
    // another's entries, nor their ids as a cursor. For a store that answers exactly this keeps
    // every row.
    const asked = (e: VaultEntryRecord): boolean =>
      e.owner === owner &&
      (kind === undefined || e.kind === kind) &&
      (query.includeDeleted || e.deletedAt === null) &&
      (after === undefined || e.id > after);
    const items = rows.slice(0, limit).filter(asked).map(entryInfo);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > limit && last !== undefined ? last.id : null };
  }

  async function remove(
    id: string,
    writeOptions: unknown,
    owner: string | undefined,
  ): Promise<VaultEntryInfo> {
    checkId(id);
    const actor = writeActor(writeOptions);
    const e = await load(id, owner);
    const now = clock();
    const done =
      owner === undefined
        ? await store.markDeleted(id, now)
        : await store.markDeleted(id, now, { owner });
    if (!done) return entryInfo(await load(id, owner));
    await record('delete', e, e.version, now, actor);
    return entryInfo({ ...e, deletedAt: now });
  }

  async function restore(
    id: string,
    writeOptions: unknown,
    owner: string | undefined,
  ): Promise<VaultEntryInfo> {
    checkId(id);
    const actor = writeActor(writeOptions);
    const e = await load(id, owner);
    let done: boolean;
    try {
      done =
        owner === undefined
          ? await store.markRestored(id)
          : await store.markRestored(id, { owner });
    } catch (error) {
      if (isCofferError(error, 'NAME_TAKEN')) {
        throw new VaultNameTakenError((e as Partial<VaultEntryRecord>).name ?? undefined);
      }
      throw error;
    }
    if (!done) return entryInfo(await load(id, owner));
    await record('restore', e, e.version, clock(), actor);
    return entryInfo({ ...e, deletedAt: null });
  }

  async function destroy(
    id: string,
    writeOptions: unknown,
    owner: string | undefined,
  ): Promise<void> {
    checkId(id);
    const actor = writeActor(writeOptions);
    const e = await load(id, owner);
    const done =
      owner === undefined ? await store.destroyEntry(id) : await store.destroyEntry(id, { owner });
    if (!done) throw new VaultNotFoundError(id);
    await record('destroy', e, e.version, clock(), actor);
  }

  async function findByName(
    givenName: unknown,
    owner: string,
  ): Promise<VaultEntryInfo | undefined> {
    const name = checkName(givenName);
    requireMethod('getEntryByName');
    const e = await store.getEntryByName(owner, name);
    // Only the owner's live entry of that name (a guard against a store that answers otherwise).
    if (e === undefined || e.owner !== owner || e.name !== name || e.deletedAt !== null) {
      return undefined;
    }
    return entryInfo(e);
  }

  function forOwner(givenOwner: unknown): ScopedVault {
    const owner = checkOwner(givenOwner);
    return {
      owner,
      put: (input) => put(input, owner),
      rotate: (id, value, rotateOptions) => rotate(id, value, rotateOptions, owner),
      update: (id, changes, updateOptions) => update(id, changes, updateOptions, owner),
      describe: async (id) => entryInfo(await load(checkId(id), owner)),
      findByName: (name) => findByName(name, owner),
      list: async (listOptions) =>
        list(listOptions === undefined ? {} : checkScopedList(listOptions, owner), owner),
      delete: (id, writeOptions) => remove(id, writeOptions, owner),
      restore: (id, writeOptions) => restore(id, writeOptions, owner),
      destroy: (id, writeOptions) => destroy(id, writeOptions, owner),
    };
  }

  return {
    forOwner,

    put: (input) => put(input, undefined),

    rotate: (id, value, rotateOptions) => rotate(id, value, rotateOptions, undefined),

    update: (id, changes, updateOptions) => update(id, changes, updateOptions, undefined),

    async describe(id) {
      return entryInfo(await load(checkId(id)));
    },

    async list(listOptions) {
      const o = checkObject(listOptions, 'options');
      return list(o, checkOwner(o.owner));
    },

    delete: (id, writeOptions) => remove(id, writeOptions, undefined),

    restore: (id, writeOptions) => restore(id, writeOptions, undefined),

    destroy: (id, writeOptions) => destroy(id, writeOptions, undefined),

    async purgeExpired(purgeOptions) {
      const o = purgeOptions === undefined ? {} : checkObject(purgeOptions, 'options');
      const batch =
        o.batchSize === undefined ? 100 : checkIntInRange(o.batchSize, 'batchSize', 1, 1000);
      const before = clock() - retentionMs;
      let purged = 0;
      for (;;) {
        const rows = await store.scanExpired(before, batch);
        let done = 0;
        for (const e of rows) {
          if (await store.destroyEntry(e.id, { deletedBefore: before })) {
            done++;
            purged++;
            await record('purge', e, e.version, clock());
          }
          // On a store whose queries complete synchronously (SQLite) a purge would otherwise hold
          // the event loop until its last entry (3,000 entries: over 2 s). Per entry, not per
          // batch: SQLite's destroy erases the WAL with a checkpoint and an fsync, so on a busy
          // disk one batch of 100 still stalled for seconds. A turn costs microseconds.
          await nextTurn();
        }
        if (rows.length < batch || done === 0) return { purged };
      }
    },

    async rewrapAll(rewrapOptions) {
      const o = rewrapOptions === undefined ? {} : checkObject(rewrapOptions, 'options');
      const batch =
        o.batchSize === undefined ? 100 : checkIntInRange(o.batchSize, 'batchSize', 1, 1000);
      const onProgress =
        typeof o.onProgress === 'function'
          ? (o.onProgress as RewrapOptions['onProgress'])
          : undefined;
      const signal = o.signal instanceof AbortSignal ? o.signal : undefined;
      const isAborted = (): boolean => signal?.aborted === true;
      const primary = await primaryKekId();
      const progress: RewrapProgress = { scanned: 0, rewrapped: 0, skipped: 0, failed: [] };
      const result = (aborted: boolean): RewrapResult => ({
        ...progress,
        failed: [...progress.failed],
        primaryKekId: primary,
        aborted,
      });
      // Best effort: the rows are replaced whether or not the store can erase their old bytes now.
      const eraseReplaced = async (): Promise<void> => {
        if (store.afterRewrapBatch === undefined) return;
        try {
          await store.afterRewrapBatch();
        } catch {
          // The next erase, or the store's own housekeeping, catches up.
        }
      };
      let after: { id: string; version: number } | undefined;
      for (;;) {
        if (isAborted()) return result(true);
        const rows = await store.scanForRewrap({
          notKekId: primary,
          limit: batch,
          ...(after === undefined ? {} : { after }),
        });
        const entries = new Map<string, VaultEntryRecord | undefined>();
        const rewrappedBefore = progress.rewrapped;
        let aborted = false;
        try {
          for (const row of rows) {
            if (isAborted()) {
              aborted = true;
              break;
            }
            after = { id: row.id, version: row.version };
            progress.scanned++;
            if (!entries.has(row.id)) entries.set(row.id, await store.getEntry(row.id));
            const e = entries.get(row.id);
            if (e === undefined) {
              progress.skipped++;
              continue;
            }
            let sealed: Uint8Array;
            try {
              sealed = await envelope.rewrap(row.sealed, { context: sealContext(e, row.version) });
            } catch (error) {
              const code = isCofferError(error) ? error.code : 'REWRAP_FAILED';
              progress.failed.push({ id: row.id, version: row.version, code });
              continue;
            }
            const replaced = await store.replaceSealed({
              id: row.id,
              version: row.version,
              expectedSealed: row.sealed,
              sealed,
              kekId: inspectSealed(sealed).kekId,
            });
            if (replaced) progress.rewrapped++;
            else progress.skipped++;
          }
        } finally {
          // Also when the batch stops early (aborted, a store error): the rows replaced so far
          // have their old bytes erased by the store (SQLite's WAL).
          if (progress.rewrapped > rewrappedBefore) await eraseReplaced();
        }
        onProgress?.({ ...progress, failed: [...progress.failed] });
        if (aborted) return result(true);
        if (rows.length < batch) return result(false);
        // A store whose queries complete synchronously (SQLite) would otherwise run the whole job
        // in one turn of the event loop: no timer, I/O or signal handler of the host (Ctrl-C, the
        // abort of `signal`, a progress redraw) could run until it ended.
        await nextTurn();
      }
    },

    async verifyKeys() {
      if (provider === undefined) {
        throw new InvalidInputError(
          'verifyKeys needs the key provider: pass createVault({ provider })',
          {
            details: { parameter: 'provider' },
          },
        );
      }
      const samples = await kekSamples(store, VERIFY_SAMPLES);
      const kekIds = [...samples.keys()].sort();
      const unknown: string[] = [];
      const retired: string[] = [];
      for (const kekId of kekIds) {
        const status = await askProvider(provider, 'keyStatus', () => provider.keyStatus(kekId));
        if (status === 'unknown') unknown.push(kekId);
        else if (status === 'retired') retired.push(kekId);
      }
      if (unknown.length > 0 || retired.length > 0) throw new KeysMissingError(unknown, retired);
      const mismatched: string[] = [];
      for (const kekId of kekIds) {
        if (!(await keyOpensAny(samples.get(kekId) ?? []))) mismatched.push(kekId);
      }
      if (mismatched.length > 0) throw new KekMismatchError(mismatched);
      return { kekIds, primaryKekId: await primaryKekId() };
    },
  };
}

/** The options of a scoped `list`: no `owner`, or the scope's own. */
function checkScopedList(options: unknown, owner: string): Record<string, unknown> {
  const o = checkObject(options, 'options');
  if (o.owner !== undefined && o.owner !== owner) {
    throw new InvalidInputError(
      'options.owner must not be given to a vault for one owner: forOwner(owner) sets it',
      { details: { parameter: 'owner' } },
    );
  }
  return o;
}

/** An update's changes: at least one of label, metadata, status, each valid; nothing else. */
function checkChanges(changes: unknown): VaultEntryChanges {
  const c = checkObject(changes, 'changes');
  for (const key of Object.keys(c)) {
    if (key !== 'label' && key !== 'metadata' && key !== 'status') {
      throw new InvalidInputError(
        `changes may set only label, metadata and status; "${key.length > 40 ? `${key.slice(0, 40)}…` : key}" cannot be updated`,
        { details: { parameter: 'changes' } },
      );
    }
  }
  const out: VaultEntryChanges = {};
  if (c.label !== undefined) out.label = checkLabel(c.label);
  if (c.metadata !== undefined) out.metadata = checkMetadata(c.metadata);
  if (c.status !== undefined) out.status = checkStatus(c.status);
  if (Object.keys(out).length === 0) {
    throw new InvalidInputError('changes must set at least one of label, metadata, status', {
      details: { parameter: 'changes' },
    });
  }
  return out;
}

function checkCursor(cursor: unknown): string {
  try {
    return checkId(cursor);
  } catch {
    throw new InvalidInputError('cursor must be the nextCursor of a previous page', {
      details: { parameter: 'cursor' },
    });
  }
}

/**
 * Every KEK id stored values use, each with up to `limit` of its rows. With `listKekIds` and
 * `listVersionsByKek` that is one query per id; otherwise one walk over the version rows (the
 * default of both), which stops early once every id `listKekIds` named has its rows.
 */
async function kekSamples(
  store: VaultStore,
  limit: number,
): Promise<Map<string, VaultVersionRecord[]>> {
  const samples = new Map<string, VaultVersionRecord[]>();
  const listed = store.listKekIds === undefined ? undefined : await store.listKekIds();
  if (listed !== undefined && store.listVersionsByKek !== undefined) {
    for (const kekId of listed) {
      const rows = (await store.listVersionsByKek(kekId, limit)).filter((r) => r.kekId === kekId);
      samples.set(kekId, rows.slice(0, limit));
    }
    return samples;
  }
  for (const kekId of listed ?? []) samples.set(kekId, []);
  const complete = (): boolean =>
    listed !== undefined && [...samples.values()].every((rows) => rows.length >= limit);
  let after: { id: string; version: number } | undefined;
  for (;;) {
    const rows = await store.scanForRewrap({
      notKekId: '',
      limit: 1000,
      ...(after === undefined ? {} : { after }),
    });
    for (const row of rows) {
      const kept = samples.get(row.kekId);
      if (kept === undefined) samples.set(row.kekId, [row]);
      else if (kept.length < limit) kept.push(row);
      after = { id: row.id, version: row.version };
    }
    if (rows.length < 1000 || complete()) return samples;
  }
}
