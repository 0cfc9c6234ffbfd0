// How the vault reads an entry with one of its versions: the store's own `getEntryWithVersion` /
// `getEntryWithVersionByName` (one consistent read) when it has them, else the defaults built from
// `getEntry` / `getEntryByName` and `getVersion`.
import { VaultStoreUnsupportedError } from './errors.js';
import type {
  VaultEntryRecord,
  VaultEntryWithVersion,
  VaultScope,
  VaultStore,
} from './vault-store.js';

/** At most this many reads of the entry while concurrent rotations keep pruning its version. */
const MAX_READS = 16;

/** The default: the entry (read by `readEntry`), then its version, again if a rotation pruned it. */
async function entryThenVersion(
  store: VaultStore,
  readEntry: () => Promise<VaultEntryRecord | undefined>,
  version: number | undefined,
  scope: VaultScope | undefined,
): Promise<VaultEntryWithVersion | undefined> {
  let previous: number | undefined;
  for (let reads = 1; ; reads++) {
    const entry = await readEntry();
    if (entry === undefined) return undefined;
    const row = (v: number) =>
      scope === undefined ? store.getVersion(entry.id, v) : store.getVersion(entry.id, v, scope);
    if (version !== undefined) return { entry, version: await row(version) };
    // The same current version missing twice is missing; a version that moved on means a
    // rotation committed between the two reads and pruned the one the entry named before.
    if (entry.version === previous || reads > MAX_READS) return { entry, version: undefined };
    const found = await row(entry.version);
    if (found !== undefined) return { entry, version: found };
    previous = entry.version;
  }
}

/** @internal The default of {@link VaultStore.getEntryWithVersion}. */
export function entryWithVersionFrom(
  store: VaultStore,
  id: string,
  version: number | undefined,
  scope?: VaultScope,
): Promise<VaultEntryWithVersion | undefined> {
  const readEntry = () => (scope === undefined ? store.getEntry(id) : store.getEntry(id, scope));
  return entryThenVersion(store, readEntry, version, scope);
}

/** @internal The store's method when it has one, else the default; by id, optionally scoped. */
export function entryWithVersionReader(
  store: VaultStore,
): (
  id: string,
  version: number | undefined,
  scope: VaultScope | undefined,
) => Promise<VaultEntryWithVersion | undefined> {
  const own = store.getEntryWithVersion;
  if (typeof own !== 'function') {
    return (id, version, scope) => entryWithVersionFrom(store, id, version, scope);
  }
  return (id, version, scope) =>
    scope !== undefined
      ? own.call(store, id, version, scope)
      : version === undefined
        ? own.call(store, id)
        : own.call(store, id, version);
}

/**
 * @internal The store's `getEntryWithVersionByName` when it has one, else the default built from
 * `getEntryByName` (`STORE_UNSUPPORTED` without that).
 */
export function entryWithVersionByNameReader(
  store: VaultStore,
): (
  owner: string,
  name: string,
  version: number | undefined,
) => Promise<VaultEntryWithVersion | undefined> {
  const own = store.getEntryWithVersionByName;
  if (typeof own === 'function') {
    return (owner, name, version) =>
      version === undefined ? own.call(store, owner, name) : own.call(store, owner, name, version);
  }
  return (owner, name, version) => {
    if (typeof store.getEntryByName !== 'function') {
      throw new VaultStoreUnsupportedError('getEntryByName');
    }
    return entryThenVersion(store, () => store.getEntryByName(owner, name), version, { owner });
  };
}
