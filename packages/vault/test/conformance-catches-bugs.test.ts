import { describe, expect, it } from 'vitest';
import { createMemoryVaultStore, type VaultStore } from '../src/index.js';
import { runVaultStoreConformance } from '../src/testing/index.js';

// The conformance suite must fail on broken stores: each mutant breaks one contract, and the
// suite (run through a collecting runner) must report at least one failing case for it.

type Mutant = (store: ReturnType<typeof createMemoryVaultStore>) => Partial<VaultStore> & {
  rawDump?: () => Promise<Uint8Array>;
};

const mutants: Record<string, Mutant> = {
  'rotate without check-and-set': (s) => ({
    rotate: async (input) => {
      const e = await s.getEntry(input.id);
      return e === undefined ? false : s.rotate({ ...input, expectedVersion: e.version });
    },
  }),
  'rotate that keeps every version': (s) => ({
    rotate: (input) => s.rotate({ ...input, keepVersions: 1000 }),
  }),
  'listEntries on a case-insensitive owner collation': (s) => ({
    listEntries: async (query) => {
      const rows = [];
      for (const owner of new Set([
        query.owner,
        query.owner.toUpperCase(),
        query.owner.toLowerCase(),
      ])) {
        rows.push(...(await s.listEntries({ ...query, owner })));
      }
      return rows.sort((x, y) => (x.id < y.id ? -1 : 1)).slice(0, query.limit);
    },
  }),
  'owner conditions bound as a UTF-8 driver binds them (unpaired surrogate → U+FFFD)': (s) => {
    const bound = (owner: string): string => owner.replace(/\p{Surrogate}/gu, '\uFFFD');
    return {
      getEntry: (id, scope) =>
        s.getEntry(id, scope === undefined ? undefined : { owner: bound(scope.owner) }),
      listEntries: (query) => s.listEntries({ ...query, owner: bound(query.owner) }),
    };
  },
  'listEntries ignoring the cursor': (s) => ({
    listEntries: ({ after: _, ...query }) => s.listEntries(query),
  }),
  'listEntries ignoring the limit': (s) => ({
    listEntries: (query) => s.listEntries({ ...query, limit: 1000 }),
  }),
  'markDeleted that does nothing': () => ({ markDeleted: async () => true }),
  'markDeleted that overwrites an earlier deletion': (s) => ({
    markDeleted: async (id, at) => {
      await s.markRestored(id);
      return s.markDeleted(id, at);
    },
  }),
  'rotate of a soft-deleted entry': (s) => ({
    rotate: async (input) => {
      const e = await s.getEntry(input.id);
      if (e?.deletedAt === null || e === undefined) return s.rotate(input);
      await s.markRestored(input.id);
      const won = await s.rotate(input);
      await s.markDeleted(input.id, e.deletedAt);
      return won;
    },
  }),
  'scanExpired ignoring the limit': (s) => ({
    scanExpired: (before) => s.scanExpired(before, 1000),
  }),
  'destroyEntry ignoring deletedBefore': (s) => ({ destroyEntry: (id) => s.destroyEntry(id) }),
  'replaceSealed without check-and-set': (s) => ({
    replaceSealed: async (input) => {
      const row = await s.getVersion(input.id, input.version);
      return row === undefined ? false : s.replaceSealed({ ...input, expectedSealed: row.sealed });
    },
  }),
  'scanForRewrap ignoring notKekId': (s) => ({
    scanForRewrap: (scan) => s.scanForRewrap({ ...scan, notKekId: '' }),
  }),
  'getVersion returning shared bytes': (s) => {
    const cache = new Map<string, Uint8Array>();
    return {
      getVersion: async (id, version) => {
        const row = await s.getVersion(id, version);
        if (row === undefined) return undefined;
        const key = `${id}/${version}`;
        const shared = cache.get(key) ?? row.sealed;
        cache.set(key, shared);
        return { ...row, sealed: shared };
      },
    };
  },
  'getEntryWithVersion ignoring the requested version': (s) => ({
    getEntryWithVersion: (id) => s.getEntryWithVersion(id),
  }),
  'getEntryWithVersion returning shared bytes': (s) => {
    const cache = new Map<string, Uint8Array>();
    return {
      getEntryWithVersion: async (id, version) => {
        const found = await s.getEntryWithVersion(id, version);
        if (found?.version === undefined) return found;
        const key = `${id}/${found.version.version}`;
        const shared = cache.get(key) ?? found.version.sealed;
        cache.set(key, shared);
        return { ...found, version: { ...found.version, sealed: shared } };
      },
    };
  },
  'getEntryWithVersion that hides a retained version': (s) => ({
    getEntryWithVersion: async (id, version) => {
      const found = await s.getEntryWithVersion(id, version);
      return found === undefined || version === undefined
        ? found
        : { ...found, version: undefined };
    },
  }),
  'getEntryWithVersion reading the entry and its current version apart': (s) => ({
    getEntryWithVersion: async (id, version) => {
      const entry = await s.getEntry(id);
      if (entry === undefined) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { entry, version: await s.getVersion(id, version ?? entry.version) };
    },
  }),
  'getEntry ignoring the owner': (s) => ({ getEntry: (id) => s.getEntry(id) }),
  'getVersion ignoring the owner': (s) => ({ getVersion: (id, v) => s.getVersion(id, v) }),
  'listVersions ignoring the owner': (s) => ({ listVersions: (id) => s.listVersions(id) }),
  'getEntryWithVersion ignoring the owner': (s) => ({
    getEntryWithVersion: (id, v) => s.getEntryWithVersion(id, v),
  }),
  'rotate ignoring the owner': (s) => ({ rotate: ({ owner: _, ...input }) => s.rotate(input) }),
  'updateEntry ignoring the owner': (s) => ({
    updateEntry: ({ owner: _, ...input }) => s.updateEntry(input),
  }),
  'markDeleted ignoring the owner': (s) => ({ markDeleted: (id, at) => s.markDeleted(id, at) }),
  'markRestored ignoring the owner': (s) => ({ markRestored: (id) => s.markRestored(id) }),
  'destroyEntry ignoring the owner': (s) => ({
    destroyEntry: (id, o) =>
      s.destroyEntry(id, o?.deletedBefore === undefined ? {} : { deletedBefore: o.deletedBefore }),
  }),
  'insertEntry that drops the name': (s) => ({
    insertEntry: (entry, first) => s.insertEntry({ ...entry, name: null }, first),
  }),
  'insertEntry that drops the status': (s) => ({
    insertEntry: (entry, first) => s.insertEntry({ ...entry, status: null }, first),
  }),
  'markRestored that swallows NAME_TAKEN': (s) => ({
    markRestored: (id, scope) => s.markRestored(id, scope).catch(() => false),
  }),
  'getEntryByName that finds deleted entries': (s) => {
    const deleted = new Map<string, string>();
    return {
      markDeleted: async (id, at, scope) => {
        const e = await s.getEntry(id, scope);
        const done = await s.markDeleted(id, at, scope);
        if (done && e?.name != null) deleted.set(`${e.owner}/${e.name}`, id);
        return done;
      },
      getEntryByName: async (owner, name) => {
        const live = await s.getEntryByName(owner, name);
        const gone = deleted.get(`${owner}/${name}`);
        return live ?? (gone === undefined ? undefined : s.getEntry(gone));
      },
    };
  },
  'getEntryByName ignoring the owner': (s) => {
    const owners = new Set<string>();
    return {
      insertEntry: async (entry, first) => {
        owners.add(entry.owner);
        return s.insertEntry(entry, first);
      },
      getEntryByName: async (owner, name) => {
        for (const o of [owner, ...owners]) {
          const e = await s.getEntryByName(o, name);
          if (e !== undefined) return e;
        }
        return undefined;
      },
    };
  },
  'updateEntry without check-and-set': (s) => ({
    updateEntry: async (input) => {
      const e = await s.getEntry(input.id);
      return e === undefined
        ? false
        : s.updateEntry({ ...input, expectedRevision: e.revision, expectedVersion: e.version });
    },
  }),
  'updateEntry ignoring expectedVersion': (s) => ({
    updateEntry: ({ expectedVersion: _, ...input }) => s.updateEntry(input),
  }),
  'updateEntry that changes a field it was not given': (s) => ({
    updateEntry: (input) => s.updateEntry({ ...input, changes: { label: null, ...input.changes } }),
  }),
  'getEntryWithVersionByName ignoring the requested version': (s) => ({
    getEntryWithVersionByName: (owner, name) => s.getEntryWithVersionByName(owner, name),
  }),
  'rawDump that returns nothing': () => ({ rawDump: async () => new Uint8Array() }),
  'destroy that keeps the sealed bytes': (s) => {
    const kept: Uint8Array[] = [];
    return {
      destroyEntry: async (id, options) => {
        for (const row of await s.listVersions(id)) kept.push(row.sealed);
        return s.destroyEntry(id, options);
      },
      rawDump: async () => {
        const dump = await s.rawDump();
        const out = new Uint8Array(dump.length + kept.reduce((n, k) => n + k.length, 0));
        out.set(dump);
        let at = dump.length;
        for (const k of kept) {
          out.set(k, at);
          at += k.length;
        }
        return out;
      },
    };
  },
};

async function failures(mutant: Mutant | undefined): Promise<string[]> {
  const cases: { name: string; fn: () => Promise<void> }[] = [];
  runVaultStoreConformance(
    { describe: (_name, fn) => fn(), it: (name, fn) => void cases.push({ name, fn }) },
    {
      createStore: async () => {
        const base = createMemoryVaultStore();
        const overrides = mutant?.(base) ?? {};
        const store: VaultStore = {
          insertEntry: base.insertEntry,
          getEntry: base.getEntry,
          getVersion: base.getVersion,
          listVersions: base.listVersions,
          rotate: base.rotate,
          listEntries: base.listEntries,
          markDeleted: base.markDeleted,
          markRestored: base.markRestored,
          destroyEntry: base.destroyEntry,
          scanExpired: base.scanExpired,
          scanForRewrap: base.scanForRewrap,
          replaceSealed: base.replaceSealed,
          listKekIds: base.listKekIds,
          getEntryWithVersion: base.getEntryWithVersion,
          getEntryWithVersionByName: base.getEntryWithVersionByName,
          updateEntry: base.updateEntry,
          getEntryByName: base.getEntryByName,
          ...overrides,
        };
        return { store, rawDump: overrides.rawDump ?? base.rawDump };
      },
    },
  );
  const failed: string[] = [];
  for (const c of cases) {
    try {
      await c.fn();
    } catch {
      failed.push(c.name);
    }
  }
  return failed;
}

describe('the conformance suite catches broken stores', () => {
  it('the unmodified memory store fails nothing through the collecting runner', async () => {
    expect(await failures(undefined)).toEqual([]);
  });

  for (const [name, mutant] of Object.entries(mutants)) {
    it(`fails a store with ${name}`, async () => {
      expect((await failures(mutant)).length).toBeGreaterThan(0);
    });
  }
});
