// The reads and compare-and-set writes of an owner's provider-key entry (internal), shared by the
// write operations, `resolve`'s last-used writes and `reportFailure`. How an entry is laid out is
// `_stored-key.ts`.
import { isCofferError } from '@coffer/core';
import type { ScopedVault, Vault, VaultEntryInfo } from '@coffer/vault';
import {
  effectiveStatus,
  entryName,
  PROVIDER_KEY_KIND,
  readMeta,
  type StoredMeta,
  type StoredStatus,
  writeMeta,
} from './_stored-key.js';
import {
  ProviderKeyBusyError,
  ProviderKeyConflictError,
  ProviderKeyNotFoundError,
} from './errors.js';

const MUTATE_ATTEMPTS = 8;

/** The owner's live provider-key entry, `undefined` when none; a foreign entry is a conflict. */
export async function findKey(
  scoped: ScopedVault,
  provider: string,
): Promise<VaultEntryInfo | undefined> {
  const e = await scoped.findByName(entryName(provider));
  if (e !== undefined && e.kind !== PROVIDER_KEY_KIND) {
    throw new ProviderKeyConflictError(provider, 'foreign_entry');
  }
  return e;
}

/** A version of a stored key, which a {@link mutate} may be pinned to. */
export interface KeyPin {
  id: string;
  version: number;
}

/** What a {@link mutate} change writes: status and metadata, or nothing (`undefined`). */
export type KeyChange = { status?: StoredStatus; meta: StoredMeta } | undefined;
/**
 * What {@link mutate} did: `updated` the entry (`before` is what it read), left it `unchanged` (the
 * change was nothing), or found the pinned id and version `superseded`.
 */
export type MutateOutcome =
  | { outcome: 'updated'; entry: VaultEntryInfo; before: VaultEntryInfo }
  | { outcome: 'unchanged'; entry: VaultEntryInfo }
  | { outcome: 'superseded' };

/**
 * A read-modify-write of a key's status and metadata by compare-and-set on its revision (and,
 * when pinned, its id and version), retried when another update won the race in between.
 * Metadata is replaced whole by the vault, so every writer starts from what it just read.
 */
export async function mutate(
  vault: Vault,
  owner: string,
  provider: string,
  change: (e: VaultEntryInfo, meta: StoredMeta, status: StoredStatus) => KeyChange,
  pin: KeyPin | undefined,
  actor: string,
): Promise<MutateOutcome> {
  const scoped = vault.forOwner(owner);
  for (let attempt = 0; attempt < MUTATE_ATTEMPTS; attempt++) {
    const e = await findKey(scoped, provider);
    if (e === undefined) {
      if (pin !== undefined) return { outcome: 'superseded' };
      throw new ProviderKeyNotFoundError(provider);
    }
    if (pin !== undefined && (e.id !== pin.id || e.version !== pin.version)) {
      return { outcome: 'superseded' };
    }
    const meta = readMeta(e.metadata);
    const c = change(e, meta, effectiveStatus(e, meta));
    if (c === undefined) return { outcome: 'unchanged', entry: e };
    try {
      const entry = await scoped.update(
        e.id,
        {
          ...(c.status === undefined ? {} : { status: c.status }),
          metadata: writeMeta({ ...c.meta, provider }),
        },
        { expectedRevision: e.revision, expectedVersion: e.version, actor },
      );
      return { outcome: 'updated', entry, before: e };
    } catch (error) {
      if (isCofferError(error, 'REVISION_CONFLICT')) continue;
      if (
        isCofferError(error, 'VERSION_CONFLICT') ||
        isCofferError(error, 'DELETED') ||
        isCofferError(error, 'NOT_FOUND')
      ) {
        if (pin !== undefined) return { outcome: 'superseded' };
        continue;
      }
      throw error;
    }
  }
  if (pin !== undefined) return { outcome: 'superseded' };
  throw new ProviderKeyBusyError(provider);
}

/** Status `status` for the entry's current version, with `invalid` fields set or cleared. */
export function withStatus(
  e: VaultEntryInfo,
  meta: StoredMeta,
  status: StoredStatus,
  invalid?: { reason: string; at: number },
): { status: StoredStatus; meta: StoredMeta } {
  return {
    status,
    meta: {
      ...meta,
      statusVersion: e.version,
      invalidReason: invalid?.reason,
      invalidAt: invalid?.at,
    },
  };
}

/** Every provider-key entry of the owner (deleted ones too when asked), page by page. */
export async function allEntries(
  scoped: ScopedVault,
  includeDeleted: boolean,
): Promise<VaultEntryInfo[]> {
  const out: VaultEntryInfo[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await scoped.list({
      kind: PROVIDER_KEY_KIND,
      includeDeleted,
      limit: 1000,
      ...(cursor === undefined ? {} : { cursor }),
    });
    out.push(...page.items);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
}
