// The TSDoc examples of @coffer/store-postgres (and createKyselyVaultStore's from
// @coffer/store-kysely), run as written with DATABASE_URL pointed at a fresh test database.

import {
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  followApiKeyChanges,
} from '@coffer/api-keys';
import { createKyselyVaultStore, type DialectAdapter } from '@coffer/store-kysely';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator } from '../../../test-support/kysely-migration.ts';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { COFFER_MIGRATIONS } from '../../store-kysely/test-support/index.js';
import {
  createPostgresApiKeyChangeSource,
  createPostgresStore,
  type PostgresSchemaOptions,
  type PostgresStore,
  type PostgresStoreBaseOptions,
  type PostgresStoreOptions,
  type PostgresStoreWithKysely,
  type PostgresStoreWithUrl,
  postgresApiKeyChangeChannel,
  postgresMigrationProvider,
  postgresMigrations,
} from '../src/index.js';

let database: TestDatabase;
const env = { DATABASE_URL: '' };
beforeAll(async () => {
  database = await createTestDatabase('pg_examples');
  env.DATABASE_URL = database.url;
});
afterAll(async () => {
  await database?.drop();
});

describe('TSDoc examples', () => {
  it('createPostgresStore (applies once, then nothing)', async () => {
    const storage = createPostgresStore({ connectionString: env.DATABASE_URL });
    expect(await storage.migrate()).toEqual({
      applied: [...COFFER_MIGRATIONS],
    });
    expect(await storage.vault.getEntry('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3')).toBeUndefined();
    expect(await storage.apiKeys.getKey('0000000000000000')).toBeNull();
    await storage.close();
    const again: PostgresStore = createPostgresStore({
      connectionString: env.DATABASE_URL,
    });
    expect(await again.migrate()).toEqual({ applied: [] });
    await again.close();
  });

  it('createPostgresApiKeyChangeSource and postgresApiKeyChangeChannel', async () => {
    expect(postgresApiKeyChangeChannel()).toBe('coffer_api_key_change');
    expect(postgresApiKeyChangeChannel({ schema: 'secrets', tablePrefix: 'acme_' })).toBe(
      'secrets.acme_api_key_change',
    );
    const url = env.DATABASE_URL;
    const store = createPostgresStore({ connectionString: url });
    await store.migrate();
    const hasher = createBcryptHasher({ cost: 4 });
    const verifier = createApiKeyVerifier({ store: store.apiKeys, hasher });
    const warnings: unknown[] = [];
    const follower = followApiKeyChanges(
      verifier,
      createPostgresApiKeyChangeSource({ connectionString: url }),
      { onError: (error) => warnings.push(error) },
    );
    while (!follower.stats().connected) await new Promise((r) => setTimeout(r, 10));
    // Another instance's manager: the trigger notifies, no publisher involved.
    const manager = createApiKeyManager({ store: store.apiKeys, hasher });
    await manager.mint({ organizationId: 'org_1', env: 'live', name: 'n' });
    while (follower.stats().applied === 0) await new Promise((r) => setTimeout(r, 10));
    expect(warnings).toEqual([]);
    await follower.stop();
    await store.close();
    await hasher.close();
  });

  it('postgresMigrations', async () => {
    const [init] = postgresMigrations({ tablePrefix: 'acme_', schema: 'secrets' });
    const script = init?.up.map((s) => `${s};`).join('\n');
    expect(script?.includes('create table if not exists "secrets"."acme_vault_entries"')).toBe(
      true,
    );
    // And the script really runs, as `psql -f` would.
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    await client.query(script ?? '');
    await client.end();
  });

  it('postgresMigrationProvider (own Migrator, coffer tables, in a schema)', async () => {
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: env.DATABASE_URL }) }),
    });
    const migrator = new Migrator({
      db,
      provider: postgresMigrationProvider({ schema: 'own_migrator' }),
      migrationTableName: 'coffer_migration',
      migrationLockTableName: 'coffer_migration_lock',
      migrationTableSchema: 'own_migrator',
    });
    const { error } = await migrator.migrateToLatest();
    if (error !== undefined) throw error;
    await db.destroy();
  });

  it("@coffer/store-kysely's createKyselyVaultStore", async () => {
    const adapter: DialectAdapter = {
      dialect: 'postgres',
      beginWrite: 'begin',
      uuidIds: true,
      writableCte: true,
      nulFreeText: true,
      timeToDb: (ms) => new Date(ms),
      timeFromDb: (v) => (v as Date).getTime(),
      bytesFromDb: (v) => new Uint8Array(v as Uint8Array),
      jsonToDb: (value) => JSON.stringify(value),
      jsonFromDb: (v) => v,
      isTransient: (e) => ['40001', '40P01'].includes(String((e as { code?: unknown }).code)),
      isUniqueViolation: (e) => (e as { code?: unknown }).code === '23505',
    };
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: env.DATABASE_URL }) }),
    });
    // Tables from postgresMigrations() (the first test created them in public).
    const store = createKyselyVaultStore(db, adapter, { tablePrefix: 'coffer_' });
    expect(await store.getEntry('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3')).toBeUndefined();
    await db.destroy();
  });

  it('option types', async () => {
    const common: PostgresStoreBaseOptions = { schema: 'secrets', tablePrefix: 'coffer_' };
    const pool = new pg.Pool({ connectionString: env.DATABASE_URL });
    const withKysely: PostgresStoreWithKysely<unknown> = {
      db: new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }),
      schema: 'secrets',
    };
    const withUrl: PostgresStoreWithUrl = { connectionString: env.DATABASE_URL, poolSize: 5 };
    const options: PostgresStoreOptions<unknown> = { connectionString: env.DATABASE_URL };
    const schema: PostgresSchemaOptions = { schema: 'secrets', tablePrefix: '' };
    expect(postgresMigrations(schema)[0]?.up.join('')).toContain('"secrets"."vault_entries"');
    for (const o of [{ ...withKysely, ...common }, withUrl, options]) {
      const storage = createPostgresStore(o);
      await storage.migrate();
      await storage.close();
    }
    await withKysely.db.destroy();
  });
});
