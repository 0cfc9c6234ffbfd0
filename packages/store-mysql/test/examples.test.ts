// The TSDoc examples of @coffer/store-mysql, run as written with DATABASE_URL pointed at a fresh
// test database.
import { Kysely, MysqlDialect } from 'kysely';
import { createPool } from 'mysql2';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator } from '../../../test-support/kysely-migration.ts';
import { COFFER_MIGRATIONS } from '../../store-kysely/test-support/index.js';
import {
  createMysqlStore,
  MysqlCharsetError,
  type MysqlFlavor,
  type MysqlSchemaOptions,
  type MysqlStore,
  type MysqlStoreBaseOptions,
  type MysqlStoreOptions,
  type MysqlStoreWithKysely,
  type MysqlStoreWithUrl,
  mysqlMigrationProvider,
  mysqlMigrations,
} from '../src/index.js';
import { createTestMysqlDatabase, type TestMysqlDatabase } from './test-database.js';

let database: TestMysqlDatabase;
const env = { DATABASE_URL: '' };
beforeAll(async () => {
  database = await createTestMysqlDatabase('my_examples');
  env.DATABASE_URL = database.url;
});
afterAll(async () => {
  await database?.drop();
});

describe('TSDoc examples', () => {
  it('createMysqlStore (applies once, then nothing)', async () => {
    const databaseUrl = env.DATABASE_URL;
    const storage = createMysqlStore({ connectionString: databaseUrl });
    expect(await storage.migrate()).toEqual({
      applied: [...COFFER_MIGRATIONS],
    });
    expect(await storage.vault.getEntry('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3')).toBeUndefined();
    expect(await storage.apiKeys.getKey('0000000000000000')).toBeNull();
    await storage.close();
    const again: MysqlStore = createMysqlStore({ connectionString: databaseUrl });
    expect(await again.migrate()).toEqual({ applied: [] });
    await again.close();
  });

  it('mysqlMigrations (the script runs as the command-line client would)', async () => {
    const [init] = mysqlMigrations({ tablePrefix: 'acme_', flavor: 'mariadb' });
    const script = init?.up.map((s) => `${s};`).join('\n');
    expect(script?.includes('create table if not exists `acme_vault_entries`')).toBe(true);
    const connection = await createConnection({ uri: env.DATABASE_URL, multipleStatements: true });
    await connection.query(script ?? '');
    await connection.end();
  });

  it('mysqlMigrationProvider (own Migrator, coffer tables)', async () => {
    const db = new Kysely<unknown>({
      dialect: new MysqlDialect({ pool: createPool({ uri: env.DATABASE_URL }) }),
    });
    const migrator = new Migrator({
      db,
      provider: mysqlMigrationProvider({ flavor: 'mariadb', tablePrefix: 'own_' }),
      migrationTableName: 'own_migration',
      migrationLockTableName: 'own_migration_lock',
    });
    const { error } = await migrator.migrateToLatest();
    if (error !== undefined) throw error;
    await db.destroy();
  });

  it('option types', async () => {
    const common: MysqlStoreBaseOptions = { tablePrefix: 'coffer_', busyRetryMs: 2000 };
    const withKysely: MysqlStoreWithKysely<unknown> = {
      db: new Kysely<unknown>({
        dialect: new MysqlDialect({ pool: createPool({ uri: env.DATABASE_URL }) }),
      }),
    };
    const withUrl: MysqlStoreWithUrl = { connectionString: env.DATABASE_URL, poolSize: 5 };
    const options: MysqlStoreOptions<unknown> = { connectionString: env.DATABASE_URL };
    const schema: MysqlSchemaOptions = { tablePrefix: 'app_', flavor: 'mysql' };
    const flavor: MysqlFlavor = 'mariadb';
    expect(mysqlMigrations(schema)[0]?.up.join('')).toContain('`app_vault_entries`');
    expect(mysqlMigrations({ flavor })[0]?.up.join('')).toContain('utf8mb4_nopad_bin');
    for (const o of [{ ...withKysely, ...common }, withUrl, options]) {
      const storage = createMysqlStore(o);
      await storage.migrate();
      await storage.close();
    }
    await withKysely.db.destroy();
  });

  it('MysqlCharsetError', () => {
    const err = new MysqlCharsetError({
      client: 'latin1',
      connection: 'latin1',
      results: 'latin1',
    });
    expect(err.code).toBe('STORE_CHARSET_UNSUPPORTED');
    expect(err.details).toEqual({ client: 'latin1', connection: 'latin1', results: 'latin1' });
  });
});
