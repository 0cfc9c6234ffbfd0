import { isCofferError } from '@coffer/core';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator } from '../../../test-support/kysely-migration.ts';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { createMigrationProvider, migrateToLatest } from '../src/index.js';

let database: TestDatabase;
let db: Kysely<unknown>;

beforeAll(async () => {
  database = await createTestDatabase('store_kysely_migrations');
  db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 4 }) }),
  });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe('createMigrationProvider', () => {
  it('runs its documented example', async () => {
    const provider = createMigrationProvider([
      {
        name: '001_init',
        up: ['create table if not exists t (id integer)'],
        down: ['drop table t'],
      },
    ]);
    const migrations = await provider.getMigrations();
    expect(Object.keys(migrations)).toEqual(['001_init']);
  });
});

describe('migrateToLatest', () => {
  it('runs its documented example (applies once, then nothing)', async () => {
    // The example with DATABASE_URL pointed at a fresh test database.
    const provider = createMigrationProvider([
      {
        name: '001_init',
        up: ['create table if not exists demo (id integer)'],
        down: ['drop table demo'],
      },
    ]);
    const tables = {
      migrationTableName: 'demo_migration',
      migrationLockTableName: 'demo_migration_lock',
    };
    expect((await migrateToLatest(db, provider, tables)).applied).toEqual(['001_init']);
    expect((await migrateToLatest(db, provider, tables)).applied).toEqual([]);
    const rows = await sql<{ name: string }>`select name from demo_migration`.execute(db);
    expect(rows.rows.map((r) => r.name)).toEqual(['001_init']);
  });

  it('keeps its history apart from the default kysely_migration table', async () => {
    const exists = await sql<{
      t: string | null;
    }>`select to_regclass('kysely_migration') as t`.execute(db);
    expect(exists.rows[0]?.t).toBeNull();
  });

  it('creates the migration schema when one is given', async () => {
    const provider = createMigrationProvider([
      { name: '001', up: ['create table if not exists s1.x (id integer)'], down: [] },
    ]);
    const report = await migrateToLatest(db, provider, {
      migrationTableName: 'm',
      migrationLockTableName: 'm_lock',
      migrationTableSchema: 's1',
    });
    expect(report.applied).toEqual(['001']);
    const t = await sql<{ t: string | null }>`select to_regclass('s1.m')::text as t`.execute(db);
    expect(t.rows[0]?.t).toBe('s1.m');
  });

  it('fails with MIGRATION_FAILED naming the migration, and rolls the failing run back', async () => {
    const provider = createMigrationProvider([
      { name: '001_ok', up: ['create table if not exists ok_t (id integer)'], down: [] },
      {
        name: '002_bad',
        up: ['create table bad_t (id integer)', 'select * from nowhere'],
        down: [],
      },
    ]);
    const tables = { migrationTableName: 'bad_migration', migrationLockTableName: 'bad_lock' };
    let caught: unknown;
    try {
      await migrateToLatest(db, provider, tables);
    } catch (e) {
      caught = e;
    }
    expect(isCofferError(caught, 'MIGRATION_FAILED')).toBe(true);
    expect((caught as { details?: unknown }).details).toEqual({
      migration: '002_bad',
      migrationTable: 'bad_migration',
    });
    // PostgreSQL runs the whole batch in one transaction: nothing of it stays.
    const t = await sql<{ t: string | null }>`select to_regclass('bad_t')::text as t`.execute(db);
    expect(t.rows[0]?.t).toBeNull();
  });

  it('serializes concurrent runs: each migration applies exactly once', async () => {
    const provider = createMigrationProvider([
      { name: '001', up: ['create table conc_t (id integer)'], down: [] },
      { name: '002', up: ['insert into conc_t values (1)'], down: [] },
    ]);
    const tables = { migrationTableName: 'conc_migration', migrationLockTableName: 'conc_lock' };
    const reports = await Promise.all(
      Array.from({ length: 4 }, () => migrateToLatest(db, provider, tables)),
    );
    expect(reports.flatMap((r) => r.applied).sort()).toEqual(['001', '002']);
    const n = await sql<{ n: number }>`select count(*)::int as n from conc_t`.execute(db);
    expect(n.rows[0]?.n).toBe(1);
  });

  it("continues a history Kysely's Migrator wrote, and Kysely's Migrator continues its history", async () => {
    const step = (n: number) => ({
      name: `00${n}`,
      up: [`create table if not exists compat.t${n} (id integer)`],
      down: [`drop table compat.t${n}`],
    });
    const tables = {
      migrationTableName: 'compat_migration',
      migrationLockTableName: 'compat_migration_lock',
      migrationTableSchema: 'compat',
    };
    const kyselyRun = async (steps: number[]) => {
      const migrator = new Migrator({
        db,
        provider: createMigrationProvider(steps.map(step)),
        ...tables,
      });
      const { error, results } = await migrator.migrateToLatest();
      expect(error).toBeUndefined();
      return (results ?? []).map((r) => `${r.migrationName}:${r.status}`);
    };
    // Kysely's Migrator applies 001; coffer's runner continues with 002; Kysely's Migrator finds
    // both applied and applies 003; coffer's runner finds nothing left.
    expect(await kyselyRun([1])).toEqual(['001:Success']);
    expect(
      (await migrateToLatest(db, createMigrationProvider([1, 2].map(step)), tables)).applied,
    ).toEqual(['002']);
    expect(await kyselyRun([1, 2, 3])).toEqual(['003:Success']);
    expect(
      (await migrateToLatest(db, createMigrationProvider([1, 2, 3].map(step)), tables)).applied,
    ).toEqual([]);
    const rows = await sql<{
      name: string;
      timestamp: string;
    }>`select name, timestamp from compat.compat_migration`.execute(db);
    const history = [...rows.rows].sort(
      (a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp),
    );
    expect(history.map((r) => r.name)).toEqual(['001', '002', '003']);
    for (const r of history) expect(new Date(r.timestamp).toISOString()).toBe(r.timestamp);
    const lock = await sql<{
      id: string;
      is_locked: number;
    }>`select id, is_locked from compat.compat_migration_lock`.execute(db);
    expect(lock.rows).toEqual([{ id: 'migration_lock', is_locked: 0 }]);
  });

  it('refuses a history that records a migration it does not know (a newer release), changing nothing', async () => {
    const tables = { migrationTableName: 'newer_migration', migrationLockTableName: 'newer_lock' };
    const v1 = [{ name: '001', up: ['create table newer_a (id integer)'], down: [] }];
    const v2 = [...v1, { name: '002', up: ['create table newer_b (id integer)'], down: [] }];
    await migrateToLatest(db, createMigrationProvider(v2), tables);
    const older = [...v1, { name: '001b', up: ['create table newer_c (id integer)'], down: [] }];
    let caught: unknown;
    try {
      await migrateToLatest(db, createMigrationProvider(older), tables);
    } catch (e) {
      caught = e;
    }
    expect(isCofferError(caught, 'MIGRATION_FAILED')).toBe(true);
    expect((caught as Error).message).toContain('"002"');
    expect((caught as Error).message).toContain('newer release');
    const t = await sql<{ t: string | null }>`select to_regclass('newer_c')::text as t`.execute(db);
    expect(t.rows[0]?.t).toBeNull();
  });

  it('refuses a history with a gap rather than running migrations out of order', async () => {
    const tables = { migrationTableName: 'gap_migration', migrationLockTableName: 'gap_lock' };
    const all = ['001', '002', '003'].map((name) => ({
      name,
      up: [`create table if not exists gap_${name} (id integer)`],
      down: [],
    }));
    await migrateToLatest(db, createMigrationProvider(all), tables);
    await sql`delete from gap_migration where name = '002'`.execute(db);
    let caught: unknown;
    try {
      await migrateToLatest(db, createMigrationProvider(all), tables);
    } catch (e) {
      caught = e;
    }
    expect(isCofferError(caught, 'MIGRATION_FAILED')).toBe(true);
    expect((caught as Error).message).toContain('in order');
  });
});
