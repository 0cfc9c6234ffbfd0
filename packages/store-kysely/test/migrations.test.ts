import { isCofferError } from '@coffer/core';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
