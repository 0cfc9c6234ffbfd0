// Migration 003 (each API key's rate-limit tier): an upgrade keeps every existing key and makes it
// `standard`; tiers round-trip and list; the column refuses an empty or oversized tier; the plain
// 003 file builds what the Migrator builds (run twice where the dialect can write it idempotently,
// refused on a second run where it cannot) and migrate() after it only records 003; down removes
// the column and keeps the keys; the Migrator's up and down of 003 do nothing when already done.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator } from '../../../test-support/kysely-migration.ts';
import { createMigrationProvider } from '../src/index.js';
import { apiKeyRecord, keyIdOf, T0 } from './api-key-record.js';
import type { DialectHarness, DialectStorage, TestDatabase } from './dialect-harness.js';
import { prefixer } from './fixtures.js';
import { COFFER_MIGRATIONS } from './migrations-part.js';

const TIER = 'coffer_003_api_key_tier';
/** 003 and every migration after it: what migrate() applies to tables that hold 001 and 002. */
const FROM_TIER = COFFER_MIGRATIONS.slice(COFFER_MIGRATIONS.indexOf(TIER));
const UP_TO_TIER = COFFER_MIGRATIONS.indexOf(TIER) + 1;

export function describeApiKeyTier(h: DialectHarness): void {
  describe(`${h.name}: migration 003 (api key tier)`, () => {
    let database: TestDatabase;
    const opened: DialectStorage[] = [];
    const nextPrefix = prefixer('t');
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
    /** The schema `migrate()` builds, described for comparison. */
    const latest = async () => {
      const p = nextPrefix();
      await (await open(p)).migrate();
      return database.describeSchema(p);
    };
    /** The schema of every migration up to 003 (what 003's own up and down are compared with). */
    const upToTier = async () => {
      const p = nextPrefix();
      const storage = await open(p);
      expect((await migrator(storage, p, UP_TO_TIER).migrateToLatest()).error).toBeUndefined();
      return database.describeSchema(p);
    };

    /** Tables holding 001 and 002 (what the release before tiers left) with one key row. */
    async function beforeTiers(prefix: string): Promise<DialectStorage> {
      const storage = await open(prefix);
      expect((await migrator(storage, prefix, 2).migrateToLatest()).error).toBeUndefined();
      await sql`insert into ${sql.table(`${prefix}api_key`)}
        (key_id, organization_id, env, name, scopes, start, secret_hash, created_at, killed, revision)
        values (${keyIdOf(1)}, 'org_1', 'live', 'old key', ${'["events:read"]'},
          ${`lp_live_${keyIdOf(1)}`}, 'h', ${h.timeToDb(T0)}, false, 3)`.execute(storage.db);
      return storage;
    }

    beforeAll(async () => {
      database = await h.createDatabase('api_key_tier');
    });
    afterAll(async () => {
      for (const s of opened) await s.close();
      await database?.drop();
    });

    it('upgrades tables with keys: migrate() applies 003 (and the migrations after it), old keys are standard and intact', async () => {
      const p = nextPrefix();
      const storage = await beforeTiers(p);
      expect(await storage.migrate()).toEqual({ applied: FROM_TIER });
      expect(await storage.apiKeys.getKey(keyIdOf(1))).toMatchObject({
        tier: 'standard',
        name: 'old key',
        revision: 3,
        scopes: ['events:read'],
      });
      expect(await storage.apiKeys.insertKey(apiKeyRecord(keyIdOf(2), { tier: 'partner' }))).toBe(
        true,
      );
      expect((await storage.apiKeys.getKey(keyIdOf(2)))?.tier).toBe('partner');
      const listed = await storage.apiKeys.listKeys({ organizationId: 'org_1', limit: 10 });
      expect(listed.map((r) => r.tier)).toEqual(['standard', 'partner']);
      expect(await database.describeSchema(p)).toEqual(await latest());
    });

    it('the column refuses an empty or oversized tier and keeps one of 64 characters', async () => {
      const p = nextPrefix();
      const storage = await open(p);
      await storage.migrate();
      const empty = await storage.apiKeys
        .insertKey(apiKeyRecord(keyIdOf(3), { tier: '' }))
        .catch((e: unknown) => e);
      expect(h.isCheckViolation(empty), String(empty)).toBe(true);
      await expect(
        storage.apiKeys.insertKey(apiKeyRecord(keyIdOf(3), { tier: 't'.repeat(65) })),
      ).rejects.toThrow();
      expect(await storage.apiKeys.getKey(keyIdOf(3))).toBeNull();
      const long = `${'é'.repeat(62)}🦊`;
      expect(await storage.apiKeys.insertKey(apiKeyRecord(keyIdOf(4), { tier: long }))).toBe(true);
      expect((await storage.apiKeys.getKey(keyIdOf(4)))?.tier).toBe(long);
    });

    it('the plain 003 file builds what the Migrator builds, and migrate() after it only records 003', async () => {
      // The shipped files name the default prefix; migrate() then applies the migrations after 003.
      const file = h.shippedFiles().find((f) => f.name === TIER);
      if (file === undefined) throw new Error(`no shipped ${TIER} file`);
      // The shipped files name the default prefix.
      const storage = await beforeTiers('coffer_');
      await database.runScript(file.up);
      if (h.applyOnce.includes(TIER)) {
        // For one run, as its header says: a second one fails on the existing column.
        expect(file.up).toContain('Apply once');
        await expect(database.runScript(file.up)).rejects.toThrow();
      } else {
        expect(file.up).toContain('Safe to run twice');
        await database.runScript(file.up);
      }
      expect(await database.describeSchema('coffer_')).toEqual(await upToTier());
      expect(await storage.migrate()).toEqual({ applied: FROM_TIER });
      expect((await storage.apiKeys.getKey(keyIdOf(1)))?.tier).toBe('standard');
    });

    it('down removes the column and keeps the keys; the up and down of 003 do nothing when already done', async () => {
      const p = nextPrefix();
      const storage = await beforeTiers(p);
      const before = await database.describeSchema(p);
      const all = migrator(storage, p, UP_TO_TIER);
      expect((await all.migrateToLatest()).error).toBeUndefined();
      const down = await all.migrateTo('coffer_002_api_keys');
      expect(down.error).toBeUndefined();
      expect(down.results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual([
        [TIER, 'Down', 'Success'],
      ]);
      expect(await database.describeSchema(p)).toEqual(before);
      const names = await sql<{ name: string }>`
        select name from ${sql.table(`${p}api_key`)}`.execute(storage.db);
      expect(names.rows).toEqual([{ name: 'old key' }]);

      const tier = (await createMigrationProvider(h.migrations(p)).getMigrations())[TIER];
      if (tier?.down === undefined) throw new Error(`no ${TIER}`);
      await tier.down(storage.db);
      expect(await database.describeSchema(p)).toEqual(before);
      await tier.up(storage.db);
      await tier.up(storage.db);
      expect(await database.describeSchema(p)).toEqual(await upToTier());
      expect((await storage.apiKeys.getKey(keyIdOf(1)))?.tier).toBe('standard');
    });
  });
}
