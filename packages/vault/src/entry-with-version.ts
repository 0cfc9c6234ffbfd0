// How the vault reads an entry with one of its versions: the store's own `getEntryWithVersion` (one
// consistent read) when it has one, else the default built from `getEntry` and `getVersion`.
import type { VaultEntryWithVersion, VaultStore } from './vault-store.js';

/** At most this many reads of the entry while concurrent rotations keep pruning its version. */
const MAX_READS = 16;

/** @internal The default of {@link VaultStore.getEntryWithVersion}. */
export async function entryWithVersionFrom(
  store: VaultStore,
  id: string,
  version: number | undefined,
): Promise<VaultEntryWithVersion | undefined> {
  let previous: number | undefined;
  for (let reads = 1; ; reads++) {
    const entry = await store.getEntry(id);
    if (entry === undefined) return undefined;
    if (version !== undefined) return { entry, version: await store.getVersion(id, version) };
    // The same current version missing twice is missing; a version that moved on means a
    // rotation committed between the two reads and pruned the one the entry named before.
    if (entry.version === previous || reads > MAX_READS) return { entry, version: undefined };
    const row = await store.getVersion(id, entry.version);
    if (row !== undefined) return { entry, version: row };
    previous = entry.version;
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
