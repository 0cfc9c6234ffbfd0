// Migration 003 (each key's rate-limit tier) on PostgreSQL: an upgrade keeps every existing key and
// makes it `standard`; tiers round-trip; the column refuses an empty or oversized tier; the plain
// file runs twice; down removes the column and keeps the keys.
import { readFileSync } from 'node:fs';
import { createMigrationProvider } from '@coffer/store-kysely';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import {
  createPostgresStore,
  postgresMigrationProvider,
  postgresMigrations,
} from '../src/index.js';
import { apiKeyRecord, keyIdOf } from './api-key-record.js';

let database: TestDatabase;
let db: Kysely<unknown>;
const shipped = (file: string): string =>
  readFileSync(new URL(`../sql/${file}`, import.meta.url), 'utf8');

beforeAll(async () => {
  database = await createTestDatabase('api_key_tier');
  db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url }) }),
  });
});

afterAll(async () => {
  await db.destroy();
  await database.drop();
});

/** A schema holding 001 and 002 (what the previous release left) with one key row in it. */
async function schemaBeforeTiers(schema: string): Promise<Migrator> {
  const migrator = new Migrator({
    db,
    provider: createMigrationProvider(postgresMigrations({ schema }).slice(0, 2)),
    migrationTableName: 'coffer_migration',
    migrationLockTableName: 'coffer_migration_lock',
    migrationTableSchema: schema,
  });
  expect((await migrator.migrateToLatest()).error).toBeUndefined();
  await sql
    .raw(
      `insert into "${schema}".coffer_api_key (key_id, organization_id, env, name, scopes, start,
        secret_hash, created_at, killed, revision)
       values ('${keyIdOf(1)}', 'org_1', 'live', 'old key', '["events:read"]', 'lp_live_${keyIdOf(1)}',
        'h', now(), false, 3)`,
    )
    .execute(db);
  return migrator;
}

describe('PostgreSQL: migration 003 (api key tier)', () => {
  it('upgrades a schema with keys: migrate() applies 003 alone, old keys are standard and intact', async () => {
    await schemaBeforeTiers('t_upgrade');
    const storage = createPostgresStore({ db, schema: 't_upgrade' });
    expect(await storage.migrate()).toEqual({ applied: ['coffer_003_api_key_tier'] });
    expect(await storage.apiKeys.getKey(keyIdOf(1))).toMatchObject({
      tier: 'standard',
      name: 'old key',
      revision: 3,
    });
    expect(await storage.apiKeys.insertKey(apiKeyRecord(keyIdOf(2), { tier: 'partner' }))).toBe(
      true,
    );
    expect((await storage.apiKeys.getKey(keyIdOf(2)))?.tier).toBe('partner');
    const listed = await storage.apiKeys.listKeys({ organizationId: 'org_1', limit: 10 });
    expect(listed.map((r) => r.tier)).toEqual(['standard', 'partner']);
  });

  it('the column refuses an empty or oversized tier', async () => {
    const storage = createPostgresStore({ db, schema: 't_check' });
    await storage.migrate();
    for (const tier of ['', 't'.repeat(65)]) {
      await expect(storage.apiKeys.insertKey(apiKeyRecord(keyIdOf(3), { tier }))).rejects.toThrow();
    }
    expect(await storage.apiKeys.getKey(keyIdOf(3))).toBeNull();
  });

  it('the plain 003 file runs twice, and migrate() after it only records 003', async () => {
    await schemaBeforeTiers('t_plain');
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('set search_path to t_plain');
      await client.query(shipped('003_api_key_tier.sql'));
      await client.query(shipped('003_api_key_tier.sql'));
      const checks = await client.query(
        `select count(*)::int as n from pg_constraint where conrelid = 't_plain.coffer_api_key'::regclass and conname like '%tier%'`,
      );
      expect(checks.rows[0]?.n).toBe(1);
    } finally {
      await client.end();
    }
    const storage = createPostgresStore({ db, schema: 't_plain' });
    expect(await storage.migrate()).toEqual({ applied: ['coffer_003_api_key_tier'] });
    expect((await storage.apiKeys.getKey(keyIdOf(1)))?.tier).toBe('standard');
  });

  it('down removes the column and keeps the keys', async () => {
    await schemaBeforeTiers('t_down');
    const migrator = new Migrator({
      db,
      provider: postgresMigrationProvider({ schema: 't_down' }),
      migrationTableName: 'coffer_migration',
      migrationLockTableName: 'coffer_migration_lock',
      migrationTableSchema: 't_down',
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect((await migrator.migrateTo('coffer_002_api_keys')).error).toBeUndefined();
    const columns = await sql<{ column_name: string }>`
      select column_name from information_schema.columns
      where table_schema = 't_down' and table_name = 'coffer_api_key'`.execute(db);
    expect(columns.rows.map((r) => r.column_name)).not.toContain('tier');
    const names = await sql<{ name: string }>`select name from t_down.coffer_api_key`.execute(db);
    expect(names.rows).toEqual([{ name: 'old key' }]);
  });
});
