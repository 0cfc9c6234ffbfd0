// How the vault reads an entry with one of its versions: the store's own `getEntryWithVersion` (one
// consistent read) when it has one, else the default built from `getEntry` and `getVersion`.
import type { VaultEntryWithVersion, VaultStore } from './vault-store.js';

/** Rereads of the entry when a concurrent rotation pruned its current version between two reads. */
const PRUNED_REREADS = 3;

/** @internal The default of {@link VaultStore.getEntryWithVersion}. */
export async function entryWithVersionFrom(
  store: VaultStore,
  id: string,
  version: number | undefined,
): Promise<VaultEntryWithVersion | undefined> {
  for (let attempt = 0; ; attempt++) {
    const entry = await store.getEntry(id);
    if (entry === undefined) return undefined;
    const row = await store.getVersion(id, version ?? entry.version);
    // A missing current version means a rotation committed between the two reads and pruned it:
    // the entry read again names the new current version.
    if (row !== undefined || version !== undefined || attempt >= PRUNED_REREADS) {
      return { entry, version: row };
    }
  }
}

/** @internal The store's method when it has one, else the default. */
export function entryWithVersionReader(
  store: VaultStore,
): (id: string, version: number | undefined) => Promise<VaultEntryWithVersion | undefined> {
  const own = store.getEntryWithVersion;
  if (typeof own !== 'function') return (id, version) => entryWithVersionFrom(store, id, version);
  return (id, version) =>
    version === undefined ? own.call(store, id) : own.call(store, id, version);
}
