// Every query the API key store makes is served by an index: capture the SQL of every method and
// check PostgreSQL's plans with sequential scans disabled (so a plan that still scans a table
// sequentially has no index to use, whatever the table's size); listKeys reads the
// (organization_id, key_id) index in order, with no sort.
import { type CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { createPostgresStore } from '../src/index.js';
import { apiKeyRecord, keyIdOf, T0 } from './api-key-record.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('pg_api_key_plans');
});

afterAll(async () => {
  await database?.drop();
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

function nodes(node: PlanNode, out: PlanNode[] = []): PlanNode[] {
  out.push(node);
  for (const child of node.Plans ?? []) nodes(child, out);
  return out;
}

describe('PostgreSQL query plans of the API key store', () => {
  it('getKey, listKeys, updateKey, touchKey and the kill switches use an index condition', async () => {
    const captured: CompiledQuery[] = [];
    const pool = new pg.Pool({ connectionString: database.url, max: 4 });
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({ pool }),
      log: (event) => {
        if (event.level === 'query') captured.push(event.query);
      },
    });
    const storage = createPostgresStore({ db, schema: 'plans' });
    await storage.migrate();
    const store = storage.apiKeys;
    // 5000 keys of one large organization, then 20 of org_1 sorting after all of them: walking
    // the primary key in key_id order and filtering would read everything first.
    await sql`
      insert into plans.coffer_api_key (key_id, organization_id, env, name, scopes, start,
        secret_hash, created_at, revision)
      select 'K' || lpad(n::text, 15, '0'), 'org_big', 'live', 'bulk', '[]'::jsonb, 'lp_live_x',
        'hash', now(), 1
      from generate_series(0, 4999) as n`.execute(db);
    for (let i = 5000; i < 5020; i++) {
      await store.insertKey(apiKeyRecord(keyIdOf(i), { organizationId: 'org_1' }));
    }
    await sql`analyze plans.coffer_api_key`.execute(db);
    captured.length = 0;
    await store.insertKey(apiKeyRecord(keyIdOf(1000)));
    await store.getKey(keyIdOf(3));
    await store.listKeys({ organizationId: 'org_1', limit: 5 });
    await store.listKeys({ organizationId: 'org_1', limit: 5, afterKeyId: keyIdOf(5004) });
    await store.updateKey(keyIdOf(3), 1, { killed: true, revokedAt: T0 });
    await store.touchKey(keyIdOf(3), T0 + 1);
    await store.setKillSwitch({ scope: 'global' }, true, T0);
    await store.getKillSwitch({ scope: 'organization', organizationId: 'org_1' });
    await db.destroy();

    expect(captured.map((q) => q.sql.split(' ')[0])).toEqual([
      'insert',
      'select',
      'select',
      'select',
      'update',
      'update',
      'insert',
      'select',
    ]);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('set enable_seqscan = off');
      let checked = 0;
      for (const q of captured) {
        const result = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
          `explain (format json) ${q.sql}`,
          q.parameters as unknown[],
        );
        const plan = result.rows[0]?.['QUERY PLAN'][0]?.Plan;
        if (plan === undefined) throw new Error('no plan');
        const all = nodes(plan);
        for (const node of all) {
          if (node['Node Type'] === 'ModifyTable' || node['Node Type'] === 'Result') continue;
          if (!(node['Relation Name'] ?? node['Index Name'] ?? '').startsWith('coffer_')) continue;
          checked++;
          expect(node['Node Type'], q.sql).not.toBe('Seq Scan');
          if (node['Node Type'] !== 'Bitmap Heap Scan') {
            expect(node['Index Cond'], `${q.sql}\n${node['Node Type']}`).toBeDefined();
          }
        }
        if (q.sql.includes('"organization_id" =')) {
          expect(
            all.map((n) => n['Node Type']),
            q.sql,
          ).not.toContain('Sort');
          expect(
            all.map((n) => n['Index Name']),
            q.sql,
          ).toContain('coffer_api_key_organization_idx');
        }
      }
      expect(checked).toBeGreaterThanOrEqual(6);
    } finally {
      await client.end();
    }
  });
});
