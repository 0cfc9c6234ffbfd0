// Named entries on a real database: the database itself (not the store reading first) refuses a
// second live entry with one owner's name, by insert or by restore, on any connection; concurrent
// puts and restores of one name leave exactly one live holder; and migration 004 upgrades tables
// holding entries (they get no name, no status, revision 1), ships a plain file that builds what
// the Migrator builds, and goes down keeping the entries.
import { createVault, createVaultReader } from '@coffer/vault';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator } from '../../../test-support/kysely-migration.ts';
import { createMigrationProvider } from '../src/index.js';
import type { DialectHarness, DialectStorage, TestDatabase } from './dialect-harness.js';
import { envelope1, openMany, pick, prefixer, who } from './fixtures.js';
import { insertEntryOf001, insertEntryRow } from './legacy-rows.js';
import { COFFER_MIGRATIONS } from './migrations-part.js';

const NAMES = 'coffer_004_vault_names_status';
const FROM_NAMES = COFFER_MIGRATIONS.slice(COFFER_MIGRATIONS.indexOf(NAMES));
const UP_TO_NAMES = COFFER_MIGRATIONS.indexOf(NAMES) + 1;

async function liveHolders(db: Kysely<unknown>, prefix: string, owner: string, name: string) {
  const r = await sql<{ n: number | string }>`
    select count(*) as n from ${sql.table(`${prefix}vault_entries`)}
    where owner = ${owner} and name = ${name} and deleted_at is null`.execute(db);
  return Number(r.rows[0]?.n);
}

export function describeNamedEntries(h: DialectHarness): void {
  describe(`${h.name}: named entries`, () => {
    let database: TestDatabase;
    let stores: DialectStorage[] = [];
    const opened: DialectStorage[] = [];
    const nextPrefix = prefixer('n');
    const open = async (tablePrefix: string) => {
      const storage = await database.open({ tablePrefix });
      opened.push(storage);
      return storage;
    };
    const migrator = (storage: DialectStorage, prefix: string, upTo?: number) =>
      new Migrator({
        db: storage.db,
        provider: createMigrationProvider(h.migrations(prefix).slice(0, upTo)),
        migrationTableName: `${prefix}migration`,
        migrationLockTableName: `${prefix}migration_lock`,
      });
    const schemaUpTo = async (upTo?: number) => {
      const p = nextPrefix();
      const storage = await open(p);
      expect((await migrator(storage, p, upTo).migrateToLatest()).error).toBeUndefined();
      return database.describeSchema(p);
    };

    /** Tables as the release before names left them (001–003), holding a live and a deleted entry. */
    async function beforeNames(prefix: string) {
      const storage = await open(prefix);
      expect(
        (await migrator(storage, prefix, UP_TO_NAMES - 1).migrateToLatest()).error,
      ).toBeUndefined();
      const live = await insertEntryOf001(h, storage.db, prefix, {
        owner: 'org_old',
        kind: 'k',
        value: 'value-old-live-0123456789',
      });
      const deleted = await insertEntryOf001(h, storage.db, prefix, {
        owner: 'org_old',
        kind: 'k',
        value: 'value-old-deleted-0123456789',
        deletedAt: 1_750_000_000_500,
      });
      return { storage, live, deleted };
    }

    beforeAll(async () => {
      database = await h.createDatabase('names');
      stores = await openMany(database, h.handles);
    });
    afterAll(async () => {
      for (const s of [...stores, ...opened]) await s.close();
      await database?.drop();
    });

    it('the database refuses a second live entry of one owner with one name; deleted rows, other owners and no name are free', async () => {
      const db = pick(stores, 0).db;
      await insertEntryRow(h, db, 'coffer_', { owner: 'org_raw', name: 'dup' });
      await expect(
        insertEntryRow(h, pick(stores, 1).db, 'coffer_', { owner: 'org_raw', name: 'dup' }),
      ).rejects.toThrow();
      await insertEntryRow(h, db, 'coffer_', { owner: 'org_raw', name: 'dup', deletedAt: 1 });
      await insertEntryRow(h, db, 'coffer_', { owner: 'org_raw', name: 'dup', deletedAt: 2 });
      await insertEntryRow(h, db, 'coffer_', { owner: 'org_raw2', name: 'dup' });
      await insertEntryRow(h, db, 'coffer_', { owner: 'org_raw', name: 'Dup' });
      await insertEntryRow(h, db, 'coffer_', { owner: 'org_raw', name: null });
      await insertEntryRow(h, db, 'coffer_', { owner: 'org_raw', name: null });
      expect(await liveHolders(db, 'coffer_', 'org_raw', 'dup')).toBe(1);
      // Un-deleting a row whose name is held, with plain SQL: refused too.
      await expect(
        sql`update coffer_vault_entries set deleted_at = null
            where owner = 'org_raw' and name = 'dup' and deleted_at is not null`.execute(db),
      ).rejects.toThrow();
      expect(await liveHolders(db, 'coffer_', 'org_raw', 'dup')).toBe(1);
      // An empty name or status is refused by a check constraint.
      for (const row of [
        { owner: 'org_raw', name: '' },
        { owner: 'org_raw', name: null, status: '' },
      ]) {
        const error = await insertEntryRow(h, db, 'coffer_', row).catch((e: unknown) => e);
        expect(h.isCheckViolation(error), String(error)).toBe(true);
      }
    });

    it('of 40 concurrent puts of one name on several connections exactly one is stored', async () => {
      const settled = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) =>
          createVault({ store: pick(stores, i).vault, envelope: envelope1 })
            .forOwner('org_race')
            .put({ kind: 'k', name: 'race', value: `value-race-${i}-0123456789` }),
        ),
      );
      const won = settled.flatMap((s, i) =>
        s.status === 'fulfilled' ? [{ i, id: s.value.id }] : [],
      );
      expect(won).toHaveLength(1);
      for (const s of settled) {
        if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'NAME_TAKEN' });
      }
      const reader = createVaultReader({
        store: pick(stores, 1).vault,
        envelope: envelope1,
        audit: 'unaudited',
      });
      const found = await reader.forOwner('org_race').revealByName('race', who);
      expect(found.entry.id).toBe(won[0]?.id);
      expect(found.value.expose()).toBe(`value-race-${won[0]?.i}-0123456789`);
      expect(await liveHolders(pick(stores, 0).db, 'coffer_', 'org_race', 'race')).toBe(1);
    });

    it('a restore racing a put of the same name: exactly one wins each round, never two live holders', async () => {
      const vaults = stores.map((s) =>
        createVault({ store: s.vault, envelope: envelope1 }).forOwner('org_restore'),
      );
      for (let round = 0; round < 15; round++) {
        const name = `restore-${round}`;
        const old = await pick(vaults, round).put({
          kind: 'k',
          name,
          value: `value-old-${round}-0123456789`,
        });
        await pick(vaults, round).delete(old.id);
        const [restored, put] = await Promise.allSettled([
          pick(vaults, round).restore(old.id),
          pick(vaults, round + 1).put({ kind: 'k', name, value: `value-new-${round}-0123456789` }),
        ]);
        const outcomes = [restored.status, put.status].sort();
        expect(outcomes, `round ${round}`).toEqual(['fulfilled', 'rejected']);
        const loser = restored.status === 'rejected' ? restored : put;
        if (loser.status === 'rejected') expect(loser.reason).toMatchObject({ code: 'NAME_TAKEN' });
        const holder = await pick(vaults, round + 2).findByName(name);
        expect(holder?.id).toBe(
          restored.status === 'fulfilled' ? old.id : put.status === 'fulfilled' ? put.value.id : '',
        );
        expect(await liveHolders(pick(stores, 0).db, 'coffer_', 'org_restore', name)).toBe(1);
        if (restored.status === 'rejected') {
          expect((await pick(vaults, round).describe(old.id)).deletedAt).toBeInstanceOf(Date);
        }
      }
    });

    it('migration 004 upgrades tables holding entries: they get no name, no status, revision 1, and read back', async () => {
      const p = nextPrefix();
      const { storage, live, deleted } = await beforeNames(p);
      expect(await storage.migrate()).toEqual({ applied: FROM_NAMES });
      const reader = createVaultReader({
        store: storage.vault,
        envelope: envelope1,
        audit: 'unaudited',
      });
      expect((await reader.forOwner('org_old').reveal(live, who)).expose()).toBe(
        'value-old-live-0123456789',
      );
      for (const id of [live, deleted]) {
        expect(await storage.vault.getEntry(id)).toMatchObject({
          owner: 'org_old',
          name: null,
          status: null,
          revision: 1,
          metadata: { old: true },
        });
      }
      const vault = createVault({ store: storage.vault, envelope: envelope1 }).forOwner('org_old');
      const named = await vault.put({
        kind: 'k',
        name: 'new',
        status: 'active',
        value: 'value-new-0123456789',
      });
      await expect(
        vault.put({ kind: 'k', name: 'new', value: 'value-new-0123456789' }),
      ).rejects.toMatchObject({ code: 'NAME_TAKEN' });
      expect((await vault.update(live, { status: 'active' })).revision).toBe(2);
      expect((await vault.restore(deleted)).deletedAt).toBeNull();
      expect((await vault.findByName('new'))?.id).toBe(named.id);
      expect(await database.describeSchema(p)).toEqual(await schemaUpTo());
    });

    it('the plain 004 file builds what the Migrator builds, and migrate() after it only records 004', async () => {
      const file = h.shippedFiles().find((f) => f.name === NAMES);
      if (file === undefined) throw new Error(`no shipped ${NAMES} file`);
      // The shipped files name the default prefix: a database of its own.
      const own = await h.createDatabase('names_file');
      try {
        const storage = await own.open();
        try {
          const [init, keys, tier] = h.migrations();
          if (init === undefined || keys === undefined || tier === undefined)
            throw new Error('migrations');
          const m = new Migrator({
            db: storage.db,
            provider: createMigrationProvider([init, keys, tier]),
            migrationTableName: 'coffer_migration',
            migrationLockTableName: 'coffer_migration_lock',
          });
          expect((await m.migrateToLatest()).error).toBeUndefined();
          const id = await insertEntryOf001(h, storage.db, 'coffer_', {
            owner: 'o',
            kind: 'k',
            value: 'value-file-0123456789',
          });
          await own.runScript(file.up);
          if (h.applyOnce.includes(NAMES)) {
            expect(file.up).toContain('Apply once');
            await expect(own.runScript(file.up)).rejects.toThrow();
          } else {
            expect(file.up).toContain('Safe to run twice');
            await own.runScript(file.up);
          }
          // The Migrator's schema up to 004, and up to 003, under other prefixes of this database.
          const viaMigrator = async (prefix: string, upTo: number) => {
            const other = await own.open({ tablePrefix: prefix });
            try {
              const mm = new Migrator({
                db: other.db,
                provider: createMigrationProvider(h.migrations(prefix).slice(0, upTo)),
                migrationTableName: `${prefix}migration`,
                migrationLockTableName: `${prefix}migration_lock`,
              });
              expect((await mm.migrateToLatest()).error).toBeUndefined();
            } finally {
              await other.close();
            }
            return own.describeSchema(prefix);
          };
          expect(await own.describeSchema('coffer_')).toEqual(
            await viaMigrator('m4_', UP_TO_NAMES),
          );
          expect(await storage.migrate()).toEqual({ applied: FROM_NAMES });
          expect(await storage.vault.getEntry(id)).toMatchObject({ name: null, revision: 1 });
          // Its down file, while 004 is the newest migration (later ones add their own tables).
          if (COFFER_MIGRATIONS.length === UP_TO_NAMES) {
            await own.runScript(file.down);
            expect(await own.describeSchema('coffer_')).toEqual(
              await viaMigrator('m3_', UP_TO_NAMES - 1),
            );
          }
        } finally {
          await storage.close();
        }
      } finally {
        await own.drop();
      }
    });

    it('down removes the columns and the index and keeps the entries; the up and down of 004 do nothing when already done', async () => {
      const p = nextPrefix();
      const { storage, live } = await beforeNames(p);
      const before = await database.describeSchema(p);
      const all = migrator(storage, p, UP_TO_NAMES);
      expect((await all.migrateToLatest()).error).toBeUndefined();
      const vault = createVault({ store: storage.vault, envelope: envelope1 }).forOwner('org_old');
      await vault.put({ kind: 'k', name: 'n', status: 's', value: 'value-named-0123456789' });
      const down = await all.migrateTo(COFFER_MIGRATIONS[UP_TO_NAMES - 2] ?? '');
      expect(down.error).toBeUndefined();
      expect(down.results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual([
        [NAMES, 'Down', 'Success'],
      ]);
      expect(await database.describeSchema(p)).toEqual(before);
      const owners = await sql<{ owner: string }>`
        select owner from ${sql.table(`${p}vault_entries`)} order by owner`.execute(storage.db);
      expect(owners.rows).toHaveLength(3);
      const names = (await createMigrationProvider(h.migrations(p)).getMigrations())[NAMES];
      if (names?.down === undefined) throw new Error(`no ${NAMES}`);
      await names.down(storage.db);
      expect(await database.describeSchema(p)).toEqual(before);
      await names.up(storage.db);
      await names.up(storage.db);
      expect(await database.describeSchema(p)).toEqual(await schemaUpTo(UP_TO_NAMES));
      expect(await storage.vault.getEntry(live)).toMatchObject({
        name: null,
        status: null,
        revision: 1,
      });
    });
  });
}
