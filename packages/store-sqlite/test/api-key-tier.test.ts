// Migration 003 (each key's rate-limit tier) on SQLite: an upgrade keeps every existing key and
// makes it `standard`; tiers round-trip; the column refuses an empty or oversized tier; migrate()
// after the plain file only records 003; down removes the column and keeps the keys.
import { readFileSync } from 'node:fs';
import { createMigrationProvider } from '@coffer/store-kysely';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore, sqliteMigrationProvider, sqliteMigrations } from '../src/index.js';
import { apiKeyRecord, keyIdOf } from './api-key-record.js';
import { makeTempDir } from './temp-dir.js';

const dir = makeTempDir('tier');
afterAll(() => dir.remove());
const shipped = (file: string): string =>
  readFileSync(new URL(`../sql/${file}`, import.meta.url), 'utf8');

/** A file holding 001 and 002 (what the previous release left) with one key row in it. */
async function fileBeforeTiers(name: string): Promise<string> {
  const filename = dir.file(name);
  const db = new Kysely<unknown>({
    dialect: new SqliteDialect({ database: new Database(filename) }),
  });
  const migrator = new Migrator({
    db,
    provider: createMigrationProvider(sqliteMigrations().slice(0, 2)),
    migrationTableName: 'coffer_migration',
    migrationLockTableName: 'coffer_migration_lock',
  });
  expect((await migrator.migrateToLatest()).error).toBeUndefined();
  await db.destroy();
  const raw = new Database(filename);
  raw
    .prepare(
      `insert into coffer_api_key (key_id, organization_id, env, name, scopes, start, secret_hash,
        created_at, killed, revision) values (?, 'org_1', 'live', 'old key', '["events:read"]', ?, 'h', 1, 0, 3)`,
    )
    .run(keyIdOf(1), `lp_live_${keyIdOf(1)}`);
  raw.close();
  return filename;
}

describe('SQLite: migration 003 (api key tier)', () => {
  it('upgrades a file with keys: migrate() applies 003 alone, old keys are standard and intact', async () => {
    const filename = await fileBeforeTiers('upgrade.db');
    const storage = createSqliteStore({ filename });
    expect(await storage.migrate()).toEqual({ applied: ['coffer_003_api_key_tier'] });
    const old = await storage.apiKeys.getKey(keyIdOf(1));
    expect(old).toMatchObject({ tier: 'standard', name: 'old key', revision: 3 });
    expect(await storage.apiKeys.insertKey(apiKeyRecord(keyIdOf(2), { tier: 'partner' }))).toBe(
      true,
    );
    expect((await storage.apiKeys.getKey(keyIdOf(2)))?.tier).toBe('partner');
    await storage.close();
  });

  it('the column refuses an empty or oversized tier', async () => {
    const storage = createSqliteStore({ filename: dir.file('check.db') });
    await storage.migrate();
    for (const tier of ['', 't'.repeat(65)]) {
      await expect(storage.apiKeys.insertKey(apiKeyRecord(keyIdOf(3), { tier }))).rejects.toThrow();
    }
    expect(await storage.apiKeys.getKey(keyIdOf(3))).toBeNull();
    await storage.close();
  });

  it('after the plain 003 file, migrate() records 003 without failing on the existing column', async () => {
    const filename = await fileBeforeTiers('plain.db');
    const raw = new Database(filename);
    raw.exec(shipped('003_api_key_tier.sql'));
    // The file is for one run: a second one fails, as its header says.
    expect(() => raw.exec(shipped('003_api_key_tier.sql'))).toThrow(/duplicate column/);
    raw.close();
    const storage = createSqliteStore({ filename });
    expect(await storage.migrate()).toEqual({ applied: ['coffer_003_api_key_tier'] });
    expect((await storage.apiKeys.getKey(keyIdOf(1)))?.tier).toBe('standard');
    await storage.close();
  });

  it('down removes the column and keeps the keys; down twice through the Migrator is harmless', async () => {
    const filename = await fileBeforeTiers('down.db');
    const db = new Kysely<unknown>({
      dialect: new SqliteDialect({ database: new Database(filename) }),
    });
    const migrator = new Migrator({
      db,
      provider: sqliteMigrationProvider(),
      migrationTableName: 'coffer_migration',
      migrationLockTableName: 'coffer_migration_lock',
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const down = await migrator.migrateTo('coffer_002_api_keys');
    expect(down.error).toBeUndefined();
    await db.destroy();
    const raw = new Database(filename);
    const columns = raw.prepare("select name from pragma_table_info('coffer_api_key')").all();
    expect(columns.map((c) => (c as { name: string }).name)).not.toContain('tier');
    expect(raw.prepare('select name from coffer_api_key').all()).toEqual([{ name: 'old key' }]);
    raw.close();
    // The Migrator's guard: a down of 003 on a file that has no tier column does nothing.
    const [, , tier] = sqliteMigrations();
    const provider = createMigrationProvider(tier === undefined ? [] : [tier]);
    const again = new Kysely<unknown>({
      dialect: new SqliteDialect({ database: new Database(filename) }),
    });
    const migration = (await provider.getMigrations()).coffer_003_api_key_tier;
    await expect(migration?.down?.(again)).resolves.toBeUndefined();
    await again.destroy();
  });
});
