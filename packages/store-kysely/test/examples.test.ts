// The TSDoc examples of @coffer/store-kysely that need no database, run as written.
// (createKyselyVaultStore's example needs coffer's tables: it runs in @coffer/store-postgres's
// examples test, createKyselyApiKeyStore's in @coffer/store-sqlite's; migrateToLatest's runs in
// migrations.test.ts.)
import {
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  sql,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  type CofferTableNames,
  createMigrationProvider,
  DEFAULT_BUSY_RETRY_MS,
  DEFAULT_TABLE_PREFIX,
  type DialectAdapter,
  type KyselyMigration,
  type KyselyMigrationProvider,
  type KyselyStoreOptions,
  type MigrationReport,
  type MigrationTables,
  migrationTablesFor,
  resolveBusyRetryMs,
  type SqlMigration,
  tableNames,
} from '../src/index.js';

describe('TSDoc examples', () => {
  it('DialectAdapter', () => {
    const adapter: DialectAdapter = {
      dialect: 'example',
      beginWrite: 'begin',
      uuidIds: false,
      writableCte: false,
      nulFreeText: false,
      timeToDb: (ms) => new Date(ms).toISOString(),
      timeFromDb: (v) => Date.parse(String(v)),
      bytesFromDb: (v) => new Uint8Array(v as Uint8Array),
      jsonToDb: (value) => JSON.stringify(value),
      jsonFromDb: (v) => JSON.parse(String(v)),
      isTransient: (e) => (e as { code?: unknown }).code === 'BUSY',
      isUniqueViolation: () => false,
    };
    expect(adapter.timeFromDb(adapter.timeToDb(1_750_000_000_000))).toBe(1750000000000);
    expect(adapter.jsonFromDb(adapter.jsonToDb({ a: [1] }))).toEqual({ a: [1] });
    expect(adapter.isTransient({ code: 'BUSY' })).toBe(true);
  });

  it('KyselyMigration (its up() sends its statement)', async () => {
    const migration: KyselyMigration = {
      up: async (db) => {
        await sql`create table if not exists demo (id integer)`.execute(db);
      },
    };
    // A Kysely that executes nothing and records what it was sent.
    const sent: string[] = [];
    const db = new Kysely<unknown>({
      dialect: {
        createAdapter: () => new SqliteAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (k) => new SqliteIntrospector(k),
        createQueryCompiler: () => new SqliteQueryCompiler(),
      },
      log: (event) => {
        sent.push(event.query.sql);
      },
    });
    await migration.up(db);
    expect(sent).toEqual(['create table if not exists demo (id integer)']);
  });

  it('KyselyMigrationProvider', async () => {
    const provider: KyselyMigrationProvider = createMigrationProvider([]);
    expect(Object.keys(await provider.getMigrations())).toEqual([]);
  });

  it('SqlMigration, MigrationTables, MigrationReport', () => {
    const m: SqlMigration = {
      name: '001_init',
      up: ['create table if not exists t (id integer primary key)'],
      down: ['drop table if exists t'],
    };
    const tables: MigrationTables = {
      migrationTableName: 'coffer_migration',
      migrationLockTableName: 'coffer_migration_lock',
      migrationTableSchema: 'secrets',
    };
    const report: MigrationReport = { applied: ['coffer_001_init'] };
    const upToDate = report.applied.length === 0;
    expect(upToDate).toBe(false);
    expect(m.up).toHaveLength(1);
    expect(tables).toEqual(migrationTablesFor('coffer_', 'secrets'));
  });

  it('KyselyStoreOptions, DEFAULT_BUSY_RETRY_MS, resolveBusyRetryMs', () => {
    const options: KyselyStoreOptions = {
      tablePrefix: 'billing_',
      schema: 'secrets',
      busyRetryMs: 2000,
    };
    expect(resolveBusyRetryMs(options.busyRetryMs)).toBe(2000);
    expect(DEFAULT_BUSY_RETRY_MS).toBe(5000);
    expect(resolveBusyRetryMs(undefined)).toBe(5000);
    expect(resolveBusyRetryMs(250)).toBe(250);
  });

  it.each<[unknown]>([[-1], [1.5], ['100'], [600_001], [Number.NaN], [null]])(
    'resolveBusyRetryMs refuses %j with INVALID_INPUT',
    (value) => {
      expect(() => resolveBusyRetryMs(value)).toThrowError(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    },
  );

  it('tableNames, CofferTableNames, DEFAULT_TABLE_PREFIX, migrationTablesFor', () => {
    expect(tableNames('coffer_').vaultEntries).toBe('coffer_vault_entries');
    const names: CofferTableNames = tableNames('app_');
    expect(names.vaultVersions).toBe('app_vault_versions');
    expect(names.apiKeys).toBe('app_api_key');
    expect(names.apiKeySwitches).toBe('app_kill_switch');
    expect(`${DEFAULT_TABLE_PREFIX}vault_entries`).toBe('coffer_vault_entries');
    expect(migrationTablesFor('coffer_', 'secrets')).toEqual({
      migrationTableName: 'coffer_migration',
      migrationLockTableName: 'coffer_migration_lock',
      migrationTableSchema: 'secrets',
    });
    expect(migrationTablesFor('x_', undefined)).toEqual({
      migrationTableName: 'x_migration',
      migrationLockTableName: 'x_migration_lock',
    });
  });
});
