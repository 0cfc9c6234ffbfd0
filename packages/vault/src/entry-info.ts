// The public view of an entry record (internal): dates instead of epoch milliseconds, and the
// fields a store written before named entries does not return filled in.
import type { VaultEntryInfo } from './vault.js';
import type { VaultEntryRecord } from './vault-store.js';

/** @internal Converts a store record to the public view. */
export function entryInfo(e: VaultEntryRecord): VaultEntryInfo {
  // A store written for the interface before names returns records without name, status and
  // revision: such an entry has no name, no status and is at its first revision.
  const legacy = e as Partial<Pick<VaultEntryRecord, 'name' | 'status' | 'revision'>>;
  return {
    id: e.id,
    kind: e.kind,
    owner: e.owner,
    name: legacy.name ?? null,
    label: e.label,
    status: legacy.status ?? null,
    metadata: e.metadata,
    preview: e.preview,
    version: e.version,
    revision: legacy.revision ?? 1,
    createdAt: new Date(e.createdAt),
    updatedAt: new Date(e.updatedAt),
    deletedAt: e.deletedAt === null ? null : new Date(e.deletedAt),
  };
}
