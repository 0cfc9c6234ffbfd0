// The storage contract for API keys. A host plugs in its own database by implementing this; the
// conformance suite in `@coffer/api-keys/testing` proves an implementation keeps it.
import type { ApiKeyEnv } from './api-key-format.js';

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
}

/** The fields {@link ApiKeyStore.updateKey} may change. Absent fields are left as they are. */
export interface ApiKeyChanges {
  readonly secretHash?: string;
  readonly previousSecretHash?: string | null;
  readonly previousSecretExpiresAt?: number | null;
  readonly rotatedAt?: number | null;
  readonly revokedAt?: number | null;
  readonly killed?: boolean;
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
 * Persistence for API keys and kill switches. Every method may be called concurrently from many
 * processes; `updateKey` is the only read-modify-write and must be atomic (check-and-set on
 * `revision`).
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
  /** Inserts a new record (its `revision` is 1). Returns false, changing nothing, if the `keyId` exists. */
  insertKey(record: ApiKeyRecord): Promise<boolean>;
  /** The record with this `keyId`, or null. Revoked keys are still returned: nothing is deleted. */
  getKey(keyId: string): Promise<ApiKeyRecord | null>;
  /**
   * Applies `changes` and sets `revision` to `expectedRevision + 1`, only if the stored revision is
   * `expectedRevision`. Returns whether it did; false also when the key does not exist.
   */
  updateKey(keyId: string, expectedRevision: number, changes: ApiKeyChanges): Promise<boolean>;
  /** Sets `lastUsedAt` to `at` unless the stored value is already later. Does not bump `revision`. */
  touchKey(keyId: string, at: number): Promise<void>;
  /** One page of an organization's keys (revoked included), ordered by `keyId`. */
  listKeys(query: ApiKeyListQuery): Promise<ApiKeyRecord[]>;
  /** Whether a global or organization kill switch is on. Never-set switches are off. */
  getKillSwitch(target: KillSwitchTarget): Promise<boolean>;
  /** Turns a global or organization kill switch on or off; `at` is when. Idempotent. */
  setKillSwitch(target: KillSwitchTarget, killed: boolean, at: number): Promise<void>;
}
