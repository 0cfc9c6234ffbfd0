// The storage contract for API keys. A host plugs in its own database by implementing this; the
// conformance suite in `@coffer/api-keys/testing` proves an implementation keeps it.
import type { ApiKeyEnv } from './api-key-format.js';
import type { ApiKeyMetadata } from './api-key-metadata.js';

/**
 * One stored API key. Times are epoch milliseconds. The store keeps it as given: the manager does
 * every state transition, the store only persists and answers queries.
 */
export interface ApiKeyRecord {
  /** The 16-character public handle; primary key. */
  readonly keyId: string;
  /** The organization the key belongs to. */
  readonly organizationId: string;
  readonly env: ApiKeyEnv;
  /** A human label, e.g. `"billing sync (prod)"`. Not secret. */
  readonly name: string;
  /** The scopes granted, in the order given at minting. */
  readonly scopes: readonly string[];
  /** The rate-limit tier, e.g. `standard` (the default), `pilot`, `partner`. */
  readonly tier: string;
  /** `<prefix>_<env>_<key_id>`, for display. */
  readonly start: string;
  /** The hash of the current secret (bcrypt `$2b$…` by default). */
  readonly secretHash: string;
  /** The hash of the secret replaced by the last rotation while its grace period lasts. */
  readonly previousSecretHash: string | null;
  /** When the previous secret stops working. */
  readonly previousSecretExpiresAt: number | null;
  readonly createdAt: number;
  /** When the key stops working, if it expires. */
  readonly expiresAt: number | null;
  /** When the secret was last rotated. */
  readonly rotatedAt: number | null;
  /** When the key was revoked; permanent once set. */
  readonly revokedAt: number | null;
  /** The per-key kill switch. */
  readonly killed: boolean;
  /** When the key last authenticated a request (updated at most about once a minute). */
  readonly lastUsedAt: number | null;
  /** Bumped by one on every update through {@link ApiKeyStore.updateKey}; starts at 1. */
  readonly revision: number;
  /** The host's own JSON object (at most 4 KiB serialized); `{}` when none was given. */
  readonly metadata: ApiKeyMetadata;
}

/** The fields {@link ApiKeyStore.updateKey} may change. Absent fields are left as they are. */
export interface ApiKeyChanges {
  readonly secretHash?: string;
  readonly previousSecretHash?: string | null;
  readonly previousSecretExpiresAt?: number | null;
  readonly rotatedAt?: number | null;
  readonly revokedAt?: number | null;
  readonly killed?: boolean;
  readonly name?: string;
  readonly scopes?: readonly string[];
  readonly tier?: string;
  readonly expiresAt?: number | null;
  readonly metadata?: ApiKeyMetadata;
}

/** What kind of change an audit entry (and an `onChange` event) records. */
export type ApiKeyChangeType =
  | 'minted'
  | 'imported'
  | 'rotated'
  | 'revoked'
  | 'killed'
  | 'unkilled'
  | 'updated'
  | 'organization-killed'
  | 'organization-unkilled'
  | 'global-killed'
  | 'global-unkilled';

/**
 * One entry of the audit trail of key administration: who changed what, when and why. The manager
 * builds it; the store writes it in the same transaction as the change it records, so a change
 * that did not happen leaves no entry and a change that happened always has one.
 */
export interface ApiKeyAuditEntry {
  /** Unique, opaque (26 characters), assigned by the manager. */
  readonly id: string;
  /** When, in epoch milliseconds. */
  readonly at: number;
  readonly type: ApiKeyChangeType;
  /** The key changed; null for an organization or global switch. */
  readonly keyId: string | null;
  /** The key's organization, or the switched organization; null for the global switch. */
  readonly organizationId: string | null;
  /** Who made the change (1–256 characters); `unattributed` when the caller gave no actor. */
  readonly actor: string;
  /** Why, if the caller said (1–1000 characters). */
  readonly reason: string | null;
  /** The request that made the change, if the caller passed one (1–200 characters). */
  readonly requestId: string | null;
}

/**
 * Which audit entries {@link ApiKeyStore.listAudit} returns, newest first (`at` descending, then
 * `id` descending). Both `keyId` and `organizationId` given: the key's entries only if it belongs
 * to the organization. Neither: every entry.
 */
export interface ApiKeyAuditQuery {
  readonly keyId?: string;
  readonly organizationId?: string;
  /** At most this many entries (1–1000). */
  readonly limit: number;
  /** Only entries older than this one: `at` below, or the same `at` and `id` below. */
  readonly before?: { readonly at: number; readonly id: string };
}

/** Options of the store's writes. */
export interface ApiKeyWriteOptions {
  /** Record this entry in the same transaction as the write; nothing is recorded if it does not apply. */
  readonly audit?: ApiKeyAuditEntry;
  /** Apply only if the key belongs to this organization (checked by the write itself). */
  readonly organizationId?: string;
}

/** A kill switch above a single key: every key, or every key of one organization. */
export type KillSwitchTarget =
  | { readonly scope: 'global' }
  | { readonly scope: 'organization'; readonly organizationId: string };

/** One page of keys in `keyId` order. */
export interface ApiKeyListQuery {
  readonly organizationId: string;
  /** At most this many records (1–1000). */
  readonly limit: number;
  /** Only keys whose `keyId` sorts after this one (keyset pagination). */
  readonly afterKeyId?: string;
}

/**
 * Persistence for API keys, kill switches and the audit trail of their changes. Every method may be
 * called concurrently from many processes; `updateKey` is the only read-modify-write and must be
 * atomic (check-and-set on `revision`). A write given an `audit` entry stores the change and the
 * entry together or neither (one transaction on a SQL store).
 *
 * @example
 * ```ts
 * import { type ApiKeyStore, createMemoryApiKeyStore } from '@coffer/api-keys';
 *
 * const store: ApiKeyStore = createMemoryApiKeyStore();
 * await store.getKey('0000000000000000'); // null
 * ```
 */
export interface ApiKeyStore {
  /**
   * Inserts a new record (its `revision` is 1), and `options.audit` with it. Returns false,
   * changing and recording nothing, if the `keyId` exists.
   */
  insertKey(record: ApiKeyRecord, options?: ApiKeyWriteOptions): Promise<boolean>;
  /**
   * The record with this `keyId`, or null. Revoked keys are still returned: nothing is deleted.
   * With `organizationId`, a key of another organization is null too, decided by the lookup itself.
   */
  getKey(keyId: string, organizationId?: string): Promise<ApiKeyRecord | null>;
  /**
   * Applies `changes` and sets `revision` to `expectedRevision + 1`, only if the stored revision is
   * `expectedRevision` (and, with `options.organizationId`, the key is that organization's), and
   * records `options.audit` with it. Returns whether it did; false also when the key does not
   * exist. When it returns false nothing is recorded.
   */
  updateKey(
    keyId: string,
    expectedRevision: number,
    changes: ApiKeyChanges,
    options?: ApiKeyWriteOptions,
  ): Promise<boolean>;
  /** Sets `lastUsedAt` to `at` unless the stored value is already later. Does not bump `revision`. */
  touchKey(keyId: string, at: number): Promise<void>;
  /** One page of an organization's keys (revoked included), ordered by `keyId`. */
  listKeys(query: ApiKeyListQuery): Promise<ApiKeyRecord[]>;
  /** Whether a global or organization kill switch is on. Never-set switches are off. */
  getKillSwitch(target: KillSwitchTarget): Promise<boolean>;
  /**
   * Turns a global or organization kill switch on or off; `at` is when. Idempotent. Records
   * `options.audit` in the same transaction.
   */
  setKillSwitch(
    target: KillSwitchTarget,
    killed: boolean,
    at: number,
    options?: Pick<ApiKeyWriteOptions, 'audit'>,
  ): Promise<void>;
  /** One page of audit entries, newest first; see {@link ApiKeyAuditQuery}. */
  listAudit(query: ApiKeyAuditQuery): Promise<ApiKeyAuditEntry[]>;
}
