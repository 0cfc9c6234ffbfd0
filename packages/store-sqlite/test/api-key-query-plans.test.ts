// Every query the API key store makes is served by an index: capture the SQL of every method and
// check SQLite's EXPLAIN QUERY PLAN — lookups SEARCH an index, and listKeys' order comes from the
// (organization_id, key_id) index, not a sort.
import Database from 'better-sqlite3';
import { type CompiledQuery, Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { configureSqliteDatabase, createSqliteStore } from '../src/index.js';
import { apiKeyRecord, keyIdOf, T0 } from './api-key-record.js';
import { makeTempDir } from './temp-dir.js';

const dir = makeTempDir('api-key-plans');
afterAll(() => dir.remove());

describe('SQLite query plans of the API key store', () => {
  it('getKey, listKeys, updateKey, touchKey and the kill switches use an index', async () => {
    const database = new Database(dir.file('plans.db'));
    configureSqliteDatabase(database);
    const captured: CompiledQuery[] = [];
    const db = new Kysely<unknown>({
      dialect: new SqliteDialect({ database }),
      log: (event) => {
        if (event.level === 'query') captured.push(event.query);
      },
    });
    const storage = createSqliteStore({ db });
    await storage.migrate();
    const store = storage.apiKeys;
    for (let i = 0; i < 60; i++) {
      await store.insertKey(apiKeyRecord(keyIdOf(i), { organizationId: `org_${i % 4}` }));
    }
    database.exec('analyze');
    captured.length = 0; // only the store's queries from here on
    await store.getKey(keyIdOf(3));
    await store.listKeys({ organizationId: 'org_1', limit: 5 });
    await store.listKeys({ organizationId: 'org_1', limit: 5, afterKeyId: keyIdOf(21) });
    await store.updateKey(keyIdOf(3), 1, { killed: true, revokedAt: T0 });
    await store.touchKey(keyIdOf(3), T0 + 1);
    await store.setKillSwitch({ scope: 'global' }, true, T0);
    await store.getKillSwitch({ scope: 'organization', organizationId: 'org_1' });

    const statements = captured.filter(
      (q) => !/^\s*(insert|begin|commit|rollback|pragma)/i.test(q.sql),
    );
    expect(statements.map((q) => q.sql.split(' ')[0])).toEqual([
      'select',
      'select',
      'select',
      'update',
      'update',
      'select',
    ]);
    for (const q of statements) {
      const plan = database
        .prepare(`explain query plan ${q.sql}`)
        .all(...(q.parameters as unknown[])) as Array<{ detail: string }>;
      expect(plan.length, q.sql).toBeGreaterThan(0);
      for (const step of plan) expect(step.detail, q.sql).toMatch(/^SEARCH \S+ USING .*INDEX/);
      if (q.sql.includes('"organization_id" =')) {
        expect(plan.map((s) => s.detail).join('\n')).toMatch(/coffer_api_key_organization_idx/);
      }
    }
    await db.destroy();
  });
});
