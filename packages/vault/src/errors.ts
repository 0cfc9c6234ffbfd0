import { CofferError } from '@coffer/core';

/**
 * No vault entry (or no retained version) has this id — or, for a lookup by name, no live entry
 * of the owner has this name. Code `NOT_FOUND`, status 404. A scoped call (`forOwner`) answers an
 * entry of another owner with exactly this error, so existence never leaks across tenants.
 *
 * @example
 * ```ts
 * import { VaultNotFoundError } from '@coffer/vault';
 *
 * new VaultNotFoundError('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3').code; // 'NOT_FOUND'
 * new VaultNotFoundError({ name: 'openai' }).details; // { name: 'openai' }
 * ```
 */
export class VaultNotFoundError extends CofferError {
  /**
   * @param ref The vault id that was looked up, or `{ name }` for a lookup by name.
   * @param version The version that was asked for, when a specific one was.
   */
  constructor(ref: string | { name: string }, version?: number) {
    const what = typeof ref === 'string' ? { id: ref } : { name: ref.name };
    super(
      'NOT_FOUND',
      typeof ref !== 'string'
        ? `No live vault entry named "${ref.name}" exists for this owner (it may never have been stored, or be deleted).`
        : version === undefined
          ? `No vault entry with id "${ref}" exists (it may have been destroyed or purged).`
          : `Vault entry "${ref}" has no retained version ${version}; only the current and up to maxVersions earlier versions are kept.`,
      { status: 404, details: version === undefined ? what : { ...what, version } },
    );
  }
}

/**
 * Another live entry of the same owner already has this name: names are unique per owner among
 * live (not soft-deleted) entries. Code `NAME_TAKEN`, status 409. Nothing was written: a `put`
 * stored nothing, a `restore` left the entry deleted. Look the name up (`findByName`) and decide:
 * rotate that entry, or delete it first.
 *
 * @example
 * ```ts
 * import { VaultNameTakenError } from '@coffer/vault';
 *
 * new VaultNameTakenError('openai').details; // { name: 'openai' }
 * ```
 */
export class VaultNameTakenError extends CofferError {
  /** @param name The name that is taken, when known. */
  constructor(name?: string) {
    super(
      'NAME_TAKEN',
      `${name === undefined ? 'The name' : `The name "${name}"`} is already held by another live vault entry of this owner; nothing was written. Rotate that entry (findByName), or delete it first.`,
      { status: 409, details: name === undefined ? {} : { name } },
    );
  }
}

/**
 * A check-and-set update lost: the entry is no longer at the revision the caller expected (its
 * label, metadata or status changed meanwhile). Code `REVISION_CONFLICT`, status 409. Describe the
 * entry again and decide again.
 *
 * @example
 * ```ts
 * import { RevisionConflictError } from '@coffer/vault';
 *
 * new RevisionConflictError('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3', 3, 4).details; // { id, expectedRevision: 3, currentRevision: 4 }
 * ```
 */
export class RevisionConflictError extends CofferError {
  /**
   * @param id The vault id.
   * @param expectedRevision The revision the caller expected.
   * @param currentRevision The revision the entry has now, when known.
   */
  constructor(id: string, expectedRevision: number, currentRevision?: number) {
    super(
      'REVISION_CONFLICT',
      `Vault entry "${id}" is not at revision ${expectedRevision}${currentRevision === undefined ? '' : ` (it is at ${currentRevision})`}; another update came first. Describe the entry again and retry with its current revision.`,
      {
        status: 409,
        details:
          currentRevision === undefined
            ? { id, expectedRevision }
            : { id, expectedRevision, currentRevision },
      },
    );
  }
}

/**
 * The vault's store does not implement what the call needs: a store written for the interface
 * before named entries (no `getEntryByName`, no `updateEntry`) cannot keep names, statuses or
 * updates. Code `STORE_UNSUPPORTED`, status 501. Upgrade the store (docs/custom-store.md,
 * "Upgrading a store"); everything else keeps working meanwhile.
 *
 * @example
 * ```ts
 * import { VaultStoreUnsupportedError } from '@coffer/vault';
 *
 * new VaultStoreUnsupportedError('getEntryByName').details; // { method: 'getEntryByName' }
 * ```
 */
export class VaultStoreUnsupportedError extends CofferError {
  /** @param method The store method that is missing. */
  constructor(method: string) {
    super(
      'STORE_UNSUPPORTED',
      `The vault store has no ${method}(): it was written for the VaultStore interface before named entries, statuses and updates. Upgrade it (see "Upgrading a store" in docs/custom-store.md) to use names, statuses or update().`,
      { status: 501, details: { method } },
    );
  }
}

/**
 * A check-and-set write lost: the entry is no longer at the version the caller expected.
 * Code `VERSION_CONFLICT`, status 409. Re-read the entry (`describe`) and decide again.
 *
 * @example
 * ```ts
 * import { VersionConflictError } from '@coffer/vault';
 *
 * new VersionConflictError('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3', 1, 2).details; // { id, expectedVersion: 1, currentVersion: 2 }
 * ```
 */
export class VersionConflictError extends CofferError {
  /**
   * @param id The vault id.
   * @param expectedVersion The version the caller expected.
   * @param currentVersion The version the entry has now, when known.
   */
  constructor(id: string, expectedVersion: number, currentVersion?: number) {
    super(
      'VERSION_CONFLICT',
      `Vault entry "${id}" is not at version ${expectedVersion}${currentVersion === undefined ? '' : ` (it is at ${currentVersion})`}; another write came first. Describe the entry again and retry with its current version.`,
      {
        status: 409,
        details:
          currentVersion === undefined
            ? { id, expectedVersion }
            : { id, expectedVersion, currentVersion },
      },
    );
  }
}

/**
 * The entry is soft-deleted: it cannot be rotated or revealed until restored. Code `DELETED`,
 * status 410.
 *
 * @example
 * ```ts
 * import { VaultEntryDeletedError } from '@coffer/vault';
 *
 * new VaultEntryDeletedError('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3').status; // 410
 * ```
 */
export class VaultEntryDeletedError extends CofferError {
  /** @param id The vault id of the deleted entry. */
  constructor(id: string) {
    super(
      'DELETED',
      `Vault entry "${id}" is deleted. Restore it with vault.restore(id) before using it (until it is purged).`,
      { status: 410, details: { id } },
    );
  }
}

/**
 * A value is larger than the vault accepts. Code `VALUE_TOO_LARGE`, status 413. The cap is
 * {@link MAX_VALUE_BYTES} (64 KiB of UTF-8 or raw bytes): the vault is for credentials, not files.
 *
 * @example
 * ```ts
 * import { ValueTooLargeError } from '@coffer/vault';
 *
 * new ValueTooLargeError(65_536).details; // { maxBytes: 65536 }
 * ```
 */
export class ValueTooLargeError extends CofferError {
  /** @param maxBytes The cap that was exceeded. */
  constructor(maxBytes: number) {
    super(
      'VALUE_TOO_LARGE',
      `The value is larger than ${maxBytes} bytes, the most the vault stores. Store large data elsewhere and keep only its key in the vault.`,
      { status: 413, details: { maxBytes } },
    );
  }
}

/**
 * The audit sink failed. Code `AUDIT_FAILED`, status 503.
 *
 * - On a reveal (`details.committed: false`) nothing was returned (unless the reader was created
 *   with `failOnAuditError: false`); the error is `retryable`.
 * - On a write (`details.committed: true`) the change was committed and only its audit record is
 *   missing; `details.id` and `details.version` say what was written, so a `put` whose event
 *   failed still hands back its new vault id. Not `retryable`: repeating it would write again.
 *
 * The sink's own error is not attached (it could carry anything).
 *
 * @example
 * ```ts
 * import { AuditFailedError } from '@coffer/vault';
 *
 * new AuditFailedError('reveal', false).code; // 'AUDIT_FAILED'
 * new AuditFailedError('put', true, { id: '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3', version: 1 }).details;
 * // { action: 'put', committed: true, id: '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3', version: 1 }
 * ```
 */
export class AuditFailedError extends CofferError {
  /**
   * @param action The audited action.
   * @param committed Whether the action's change was already committed.
   * @param ref The entry (and version) acted on, when known.
   */
  constructor(action: string, committed: boolean, ref?: { id: string; version?: number }) {
    super(
      'AUDIT_FAILED',
      committed
        ? `The vault ${action}${ref === undefined ? '' : ` of "${ref.id}"`} was committed, but the audit sink failed to record it. Check the sink; do not repeat the ${action}.`
        : `The audit sink failed, so the ${action} was refused (no unrecorded reads). Check the sink and retry.`,
      {
        status: 503,
        retryable: !committed,
        details: {
          action,
          committed,
          ...(ref === undefined ? {} : { id: ref.id }),
          ...(ref?.version === undefined ? {} : { version: ref.version }),
        },
      },
    );
  }
}

/**
 * Stored values use key-encryption keys the key provider lacks (or has retired): they cannot be
 * opened. Code `KEYS_MISSING`. `details.kekIds` lists every such KEK id (`details.unknown`,
 * `details.retired` split them). Load the keys before serving traffic.
 *
 * @example
 * ```ts
 * import { KeysMissingError } from '@coffer/vault';
 *
 * new KeysMissingError(['1'], []).details; // { kekIds: ['1'], unknown: ['1'], retired: [] }
 * ```
 */
export class KeysMissingError extends CofferError {
  /**
   * @param unknown KEK ids the provider does not know.
   * @param retired KEK ids the provider has retired.
   */
  constructor(unknown: string[], retired: string[]) {
    const kekIds = [...unknown, ...retired];
    super(
      'KEYS_MISSING',
      `Stored vault values use key-encryption keys that cannot open them: ${kekIds.map((k) => `"${k}"`).join(', ')}. Add the missing keys to the keyring (as active), or un-retire them and run rewrapAll.`,
      { details: { kekIds, unknown, retired } },
    );
  }
}

/**
 * The key provider has a key under a stored KEK id, but it is not the key the stored values were
 * sealed with: the same id with different bytes (a regenerated or mistyped key, a keyring from
 * another environment). Code `KEK_MISMATCH`. `details.kekIds` lists every such id; nothing about
 * the keys is in the error. Sealing new values next to the old ones would leave the store holding
 * values under two different keys with one id: restore the original key for that id (a new key
 * gets a new id) before serving traffic.
 *
 * @example
 * ```ts
 * import { KekMismatchError } from '@coffer/vault';
 *
 * new KekMismatchError(['2']).details; // { kekIds: ['2'] }
 * ```
 */
export class KekMismatchError extends CofferError {
  /** @param kekIds The KEK ids whose configured key does not open the values stored under them. */
  constructor(kekIds: string[]) {
    super(
      'KEK_MISMATCH',
      `The configured key-encryption key${kekIds.length === 1 ? '' : 's'} ${kekIds.map((k) => `"${k}"`).join(', ')} do${kekIds.length === 1 ? 'es' : ''} not open the values stored under that id: the id is right but the key bytes differ (a regenerated or mistyped key?). Restore the original key for that id (a new key needs a new id) before sealing anything.`,
      { details: { kekIds } },
    );
  }
}

/**
 * The largest value the vault stores: 64 KiB (65 536 bytes, UTF-8 for strings). Credentials are
 * far smaller; the cap bounds memory per call and row size.
 *
 * @example
 * ```ts
 * import { MAX_VALUE_BYTES } from '@coffer/vault';
 *
 * const fits = (token: string) => new TextEncoder().encode(token).length <= MAX_VALUE_BYTES;
 * ```
 */
export const MAX_VALUE_BYTES: number = 65_536;
