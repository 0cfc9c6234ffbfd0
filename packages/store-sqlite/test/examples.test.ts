// The TSDoc examples of @coffer/store-sqlite, run as written (file paths pointed at a temp dir).
import { createApiKeyManager, createApiKeyVerifier, createBcryptHasher } from '@coffer/api-keys';
import { isCofferError } from '@coffer/core';
import { createKyselyApiKeyStore, type DialectAdapter } from '@coffer/store-kysely';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { Migrator } from '../../../test-support/kysely-migration.ts';
import {
  cacheSqliteStatements,
  configureSqliteDatabase,
  createSqliteStore,
  SqliteBindingError,
  type SqliteConnectionOptions,
  SqliteOpenError,
  type SqlitePragmaTarget,
  type SqliteSchemaOptions,
  type SqliteStatementSource,
  type SqliteStore,
  type SqliteStoreBaseOptions,
  type SqliteStoreOptions,
  type SqliteStoreWithFile,
  type SqliteStoreWithKysely,
  sqliteMigrationProvider,
  sqliteMigrations,
} from '../src/index.js';
import { makeTempDir } from './temp-dir.js';

const dir = makeTempDir('examples');
afterAll(() => dir.remove());

describe('TSDoc examples', () => {
  it('createSqliteStore', async () => {
    const storage = createSqliteStore({ filename: ':memory:' });
    expect(await storage.migrate()).toEqual({
      applied: [
        'coffer_001_init',
        'coffer_002_api_keys',
        'coffer_003_api_key_tier',
        'coffer_004_vault_names_status',
        'coffer_006_api_key_change_notify',
      ],
    });
    expect(await storage.vault.getEntry('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3')).toBeUndefined();
    expect(await storage.apiKeys.getKey('0000000000000000')).toBeNull();
    await storage.close();
  });

  it('README and docs/stores.md: API keys on the store (bcrypt cost 4 here)', async () => {
    const storage = createSqliteStore({ filename: dir.file('readme-keys.db') });
    expect(await storage.migrate()).toEqual({
      applied: [
        'coffer_001_init',
        'coffer_002_api_keys',
        'coffer_003_api_key_tier',
        'coffer_004_vault_names_status',
        'coffer_006_api_key_change_notify',
      ],
    });
    const hasher = createBcryptHasher({ cost: 4 });
    const keys = createApiKeyManager({ store: storage.apiKeys, hasher });
    const verifier = createApiKeyVerifier({ store: storage.apiKeys, hasher });
    const minted = await keys.mint({ organizationId: 'org_42', env: 'live', name: 'billing sync' });
    const verified = await verifier.verify(minted.key.expose());
    expect(verified.keyId === minted.keyId).toBe(true);
    await hasher.close();
    await storage.close();
  });

  it('SqliteStore', async () => {
    const storage: SqliteStore = createSqliteStore({ filename: ':memory:' });
    await storage.migrate();
    await storage.close();
  });

  it('cacheSqliteStatements and SqliteStatementSource', async () => {
    const source: SqliteStatementSource = new Database(':memory:');
    expect(source.prepare('select 1 as one').all([])).toEqual([{ one: 1 }]);
    source.close();
    const database = new Database(':memory:');
    configureSqliteDatabase(database);
    const db = new Kysely<unknown>({
      dialect: new SqliteDialect({ database: cacheSqliteStatements(database) }),
    });
    const storage = createSqliteStore({ db });
    await storage.migrate();
    await db.destroy(); // closes the database
    expect(database.open).toBe(false);
  });

  it('SqliteOpenError', () => {
    const err = new SqliteOpenError('/srv/app.db');
    expect(err.code).toBe('STORE_OPEN_FAILED');
    expect(isCofferError(err, 'STORE_OPEN_FAILED')).toBe(true);
  });

  it('SqliteBindingError', () => {
    const err = new SqliteBindingError('not-built');
    expect(err.code).toBe('STORE_DRIVER_UNAVAILABLE');
    expect(err.message.includes('pnpm approve-builds')).toBe(true);
  });

  it('sqliteMigrations', () => {
    const [init] = sqliteMigrations({ tablePrefix: 'acme_' });
    const script = init?.up.map((s) => `${s};`).join('\n');
    expect(script?.includes('create table if not exists "acme_vault_entries"')).toBe(true);
    // And the script really runs, as `sqlite3 app.db < script.sql` would.
    const database = new Database(':memory:');
    database.exec(script ?? '');
    database.close();
  });

  it('sqliteMigrationProvider', async () => {
    const db = new Kysely<unknown>({
      dialect: new SqliteDialect({ database: new Database(':memory:') }),
    });
    const migrator = new Migrator({
      db,
      provider: sqliteMigrationProvider(),
      migrationTableName: 'coffer_migration',
      migrationLockTableName: 'coffer_migration_lock',
    });
    const { error } = await migrator.migrateToLatest();
    if (error !== undefined) throw error;
    expect((await migrator.getMigrations()).map((m) => m.executedAt !== undefined)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    await db.destroy();
  });

  it("@coffer/store-kysely's createKyselyApiKeyStore", async () => {
    const adapter: DialectAdapter = {
      dialect: 'sqlite',
      beginWrite: 'begin immediate',
      uuidIds: false,
      writableCte: false,
      nulFreeText: false,
      timeToDb: (ms) => ms,
      timeFromDb: (v) => Number(v),
      bytesFromDb: (v) => new Uint8Array(v as Uint8Array),
      jsonToDb: (value) => JSON.stringify(value),
      jsonFromDb: (v) => JSON.parse(String(v)),
      isTransient: (e) => String((e as { code?: unknown }).code).startsWith('SQLITE_BUSY'),
      isUniqueViolation: (e) => (e as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY',
    };
    const db = new Kysely<unknown>({
      dialect: new SqliteDialect({ database: new Database(':memory:') }),
    });
    // Tables from sqliteMigrations() must exist (the example says so; made here first).
    await createSqliteStore({ db }).migrate();
    const store = createKyselyApiKeyStore(db, adapter, { tablePrefix: 'coffer_' });
    expect(await store.getKey('0000000000000000')).toBeNull();
    await db.destroy();
  });

  it('option and settings types', async () => {
    const common: SqliteStoreBaseOptions = { tablePrefix: 'app_', busyRetryMs: 2000 };
    const database = new Database(':memory:');
    configureSqliteDatabase(database);
    const withKysely: SqliteStoreWithKysely<unknown> = {
      db: new Kysely<unknown>({ dialect: new SqliteDialect({ database }) }),
    };
    const withFile: SqliteStoreWithFile = { filename: dir.file('coffer.db') };
    const options: SqliteStoreOptions<unknown> = { filename: ':memory:', tablePrefix: 'app_' };
    const schema: SqliteSchemaOptions = { tablePrefix: 'app_' };
    const settings: SqliteConnectionOptions = { busyTimeoutMs: 1000 };
    const target: SqlitePragmaTarget = new Database(':memory:');
    expect(target.memory).toBe(true);
    expect(configureSqliteDatabase(target, settings)).toBe('memory');
    expect(sqliteMigrations(schema)[0]?.up.join('')).toContain('app_vault_entries');
    for (const o of [{ ...withKysely, ...common }, withFile, options]) {
      const storage = createSqliteStore(o);
      await storage.migrate();
      await storage.close();
    }
    await withKysely.db.destroy();
  });
});
