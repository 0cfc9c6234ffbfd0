// Migrations: up from an empty database and then a no-op, the upgrade from a database holding only
// 001 (and its data), the shipped plain SQL equal to what the Migrator applies (twice over where
// the dialect can write it idempotently, then recorded by migrate(), then undone by the down
// scripts), prefixes keeping schemas apart, Kysely's Migrator up and down (from whichever kysely
// the run uses: COFFER_TEST_KYSELY), a failing migration, concurrent runs, and renderings for
// another prefix.
import { createVault, createVaultReader } from '@coffer/vault';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator, NO_MIGRATIONS } from '../../../test-support/kysely-migration.ts';
import { createMigrationProvider } from '../src/index.js';
import { apiKeyRecord } from './api-key-record.js';
import type { DialectHarness, DialectStorage, TestDatabase } from './dialect-harness.js';
import { envelope1, prefixer, who } from './fixtures.js';
import { insertEntryOf001 } from './legacy-rows.js';

/**
 * Every migration, in order. Every dialect ships each one: adding a migration means adding it to
 * each store's `*Migrations()` list (and regenerating the shipped SQL files with `vitest -u`),
 * then adding its name here — every dialect's suite fails until it has it.
 */
export const COFFER_MIGRATIONS: readonly string[] = [
  'coffer_001_init',
  'coffer_002_api_keys',
  'coffer_003_api_key_tier',
  'coffer_004_vault_names_status',
  'coffer_005_api_key_audit',
  'coffer_006_api_key_change_notify',
];
const ALL = [...COFFER_MIGRATIONS];
const KEY_ID = '0123456789ABCDEF';

async function roundTrip(storage: DialectStorage): Promise<string> {
  const vault = createVault({ store: storage.vault, envelope: envelope1 });
  const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-migrated-0123456' });
  const reader = createVaultReader({
    store: storage.vault,
    envelope: envelope1,
    audit: 'unaudited',
  });
  return (await reader.reveal(id, who)).expose();
}

async function apiKeyRoundTrip(storage: DialectStorage): Promise<string | undefined> {
  await storage.apiKeys.insertKey(apiKeyRecord(KEY_ID, { name: 'migrated' }));
  return (await storage.apiKeys.getKey(KEY_ID))?.name;
}

export function describeMigrations(h: DialectHarness): void {
  describe(`${h.name}: migrations`, () => {
    let database: TestDatabase;
    const opened: DialectStorage[] = [];
    const nextPrefix = prefixer('m');
    const open = async (tablePrefix?: string) => {
      const storage = await database.open(tablePrefix === undefined ? {} : { tablePrefix });
      opened.push(storage);
      return storage;
    };
    const recorded = async (storage: DialectStorage, prefix: string): Promise<string[]> => {
      const db = storage.db as unknown as Kysely<Record<string, { name: string }>>;
      const rows = await db
        .selectFrom(`${prefix}migration`)
        .select('name')
        .orderBy('name')
        .execute();
      return rows.map((r) => r.name);
    };

    beforeAll(async () => {
      database = await h.createDatabase('migrations');
    });
    afterAll(async () => {
      for (const s of opened) await s.close();
      await database?.drop();
    });

    it('has every migration, in order, under its shared name', () => {
      expect(h.migrations().map((m) => m.name)).toEqual(ALL);
    });

    it('migrate() goes up from empty, then is a no-op (again, and from a new connection)', async () => {
      const p = nextPrefix();
      const storage = await open(p);
      expect(await storage.migrate()).toEqual({ applied: ALL });
      expect(await storage.migrate()).toEqual({ applied: [] });
      expect(await (await open(p)).migrate()).toEqual({ applied: [] });
      expect(await roundTrip(storage)).toBe('value-migrated-0123456');
      expect(await apiKeyRoundTrip(storage)).toBe('migrated');
      expect(await recorded(storage, p)).toEqual(ALL);
    });

    it('upgrades a database that holds only 001 (and its data): migrate() applies the rest alone', async () => {
      const p = nextPrefix();
      const storage = await open(p);
      // What an earlier release left behind: 001 applied through the Migrator.
      const [init] = h.migrations(p);
      if (init === undefined) throw new Error('no migration');
      const migrator = new Migrator({
        db: storage.db,
        provider: createMigrationProvider([init]),
        migrationTableName: `${p}migration`,
        migrationLockTableName: `${p}migration_lock`,
      });
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const id = await insertEntryOf001(h, storage.db, p, {
        owner: 'o',
        kind: 'k',
        value: 'value-before-upgrade-01',
      });

      expect(await storage.migrate()).toEqual({ applied: ALL.slice(1) });
      expect(await storage.migrate()).toEqual({ applied: [] });
      const reader = createVaultReader({
        store: storage.vault,
        envelope: envelope1,
        audit: 'unaudited',
      });
      expect((await reader.reveal(id, who)).expose()).toBe('value-before-upgrade-01');
      expect(await storage.vault.getEntry(id)).toMatchObject({
        label: 'old label',
        metadata: { old: true },
        name: null,
        status: null,
        revision: 1,
      });
      expect(await apiKeyRoundTrip(storage)).toBe('migrated');
      const fresh = nextPrefix();
      await (await open(fresh)).migrate();
      expect(await database.describeSchema(p)).toEqual(await database.describeSchema(fresh));
    });

    it('the shipped SQL files build the Migrator schema (twice over where the dialect allows), the store works on it, migrate() then only records them, and the down files remove every table', async () => {
      const files = h.shippedFiles();
      expect(files.map((f) => f.name)).toEqual(ALL);
      const up = files.map((f) => f.up).join('\n');
      await database.runScript(up);
      // Idempotent, but for the files the dialect cannot write so (their headers say so).
      await database.runScript(
        files
          .filter((f) => !h.applyOnce.includes(f.name))
          .map((f) => f.up)
          .join('\n'),
      );
      const viaMigrator = nextPrefix();
      await (await open(viaMigrator)).migrate();
      expect(await database.describeSchema('coffer_')).toEqual(
        await database.describeSchema(viaMigrator),
      );
      const storage = await open();
      expect(await roundTrip(storage)).toBe('value-migrated-0123456');
      expect(await apiKeyRoundTrip(storage)).toBe('migrated');
      expect(await storage.migrate()).toEqual({ applied: ALL });
      await database.runScript(
        [...files]
          .reverse()
          .map((f) => f.down)
          .join('\n'),
      );
      expect(await database.describeSchema('coffer_')).toEqual(
        await database.describeSchema('no_such_prefix_'),
      );
    });

    it('prefixes keep two coffer schemas apart in one database', async () => {
      const a = await open(nextPrefix());
      const b = await open(nextPrefix());
      await a.migrate();
      await b.migrate();
      const vault = createVault({ store: a.vault, envelope: envelope1 });
      const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-prefix-a-012345' });
      expect(await b.vault.getEntry(id)).toBeUndefined();
      expect((await a.vault.getEntry(id))?.id).toBe(id);
      await a.apiKeys.setKillSwitch({ scope: 'global' }, true, 1);
      expect(await b.apiKeys.getKillSwitch({ scope: 'global' })).toBe(false);
      expect(await a.apiKeys.getKillSwitch({ scope: 'global' })).toBe(true);
    });

    it("Kysely's Migrator with the dialect's migrations goes up and down", async () => {
      const p = nextPrefix();
      const storage = await open(p);
      const migrator = new Migrator({
        db: storage.db,
        provider: createMigrationProvider(h.migrations(p)),
        migrationTableName: `${p}migration`,
        migrationLockTableName: `${p}migration_lock`,
      });
      const empty = await database.describeSchema(p);
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      expect(await database.describeSchema(p)).not.toEqual(empty);
      const down = await migrator.migrateTo(NO_MIGRATIONS);
      expect(down.error).toBeUndefined();
      expect(down.results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual(
        [...ALL].reverse().map((name) => [name, 'Down', 'Success']),
      );
      expect(await database.describeSchema(p)).toEqual(empty);
    });

    it('a failing migration surfaces as MIGRATION_FAILED naming it, is not recorded, and succeeds once the cause is gone', async () => {
      const p = nextPrefix();
      const storage = await open(p);
      const empty = await database.describeSchema(p);
      // A foreign object under coffer's table name makes 001 fail.
      await storage.db.schema
        .createView(`${p}vault_entries`)
        .as(storage.db.selectNoFrom(sql<number>`1`.as('id')))
        .execute();
      await expect(storage.migrate()).rejects.toMatchObject({
        code: 'MIGRATION_FAILED',
        details: { migration: 'coffer_001_init', migrationTable: `${p}migration` },
      });
      expect(await recorded(storage, p)).toEqual([]);
      if (h.transactionalDdl) expect(await database.describeSchema(p)).toEqual(empty);
      await storage.db.schema.dropView(`${p}vault_entries`).execute();
      expect(await storage.migrate()).toEqual({ applied: ALL });
      expect(await roundTrip(storage)).toBe('value-migrated-0123456');
    });

    it('concurrent migrate() on several connections: each migration applied once, or the losers refused and nothing broken', async () => {
      const p = nextPrefix();
      const stores = await Promise.all([0, 1, 2].map(() => open(p)));
      const settled = await Promise.allSettled(stores.map((s) => s.migrate()));
      const applied = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value.applied : []));
      // Each migration ran at most once; whatever lost the race says so with a typed error.
      expect(new Set(applied).size).toBe(applied.length);
      for (const s of settled) {
        // With a migration lock (PostgreSQL's advisory lock, MySQL's GET_LOCK) nobody loses.
        if (h.migrationLock) expect(s.status).toBe('fulfilled');
        if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'MIGRATION_FAILED' });
      }
      const after = await (await open(p)).migrate();
      expect([...applied, ...after.applied].sort()).toEqual(ALL);
      expect(await recorded(await open(p), p)).toEqual(ALL);
    });

    it('renders every statement for another prefix', () => {
      const migrations = h.migrations('acme_');
      expect(migrations.map((m) => m.name)).toEqual(ALL);
      const text = migrations.flatMap((m) => [...m.up, ...m.down]).join('\n');
      expect(text).not.toContain('coffer_');
      expect(text).toContain('acme_vault_entries');
      expect(text).toContain('acme_api_key');
    });
  });
}
