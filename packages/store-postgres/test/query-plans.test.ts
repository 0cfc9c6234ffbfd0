// Every query the vault store makes is served by an index: capture the SQL the store runs during
// a full lifecycle and check PostgreSQL's plans with sequential scans disabled (so a plan that
// still scans a table sequentially has no index to use, whatever the table's size).
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createVault, createVaultReader } from '@coffer/vault';
import { type CompiledQuery, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { createPostgresStore } from '../src/index.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('pg_plans');
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

function scans(node: PlanNode, out: PlanNode[] = []): PlanNode[] {
  if (node['Relation Name'] !== undefined || node['Index Name'] !== undefined) out.push(node);
  for (const child of node.Plans ?? []) scans(child, out);
  return out;
}

describe('PostgreSQL query plans', () => {
  it('no store query scans a table sequentially; lookups use an index condition', async () => {
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
    const k1 = generateKek().expose();
    const keys1 = createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: k1, status: 'primary' }]));
    const keys2 = createLocalKeyProvider(
      Keyring.fromKeys([
        { id: 2, key: generateKek().expose(), status: 'primary' },
        { id: 1, key: k1, status: 'active' },
      ]),
    );
    let now = 1_750_000_000_000;
    const vault = createVault({
      store: storage.vault,
      envelope: createEnvelope({ provider: keys1 }),
      provider: keys1,
      clock: () => now,
    });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const kind = i % 2 ? 'a' : 'b';
      ids.push((await vault.put({ kind, owner: `o${i % 3}`, value: `v-${i}-0123456789` })).id);
    }
    const [a, b, c] = ids;
    if (a === undefined || b === undefined || c === undefined) throw new Error('ids');
    captured.length = 0;
    await vault.put({ kind: 'a', owner: 'o1', value: 'v-put-0123456789' });
    await vault.rotate(a, 'v-rotated-0123456789');
    await vault.list({ owner: 'o1', limit: 5 });
    const page = await vault.list({ owner: 'o1', kind: 'a', limit: 2 });
    await vault.list({
      owner: 'o1',
      kind: 'a',
      limit: 2,
      cursor: page.nextCursor ?? a,
      includeDeleted: true,
    });
    await vault.describe(b);
    await vault.delete(b);
    await vault.restore(b);
    await vault.delete(c);
    now += 100 * 24 * 3600 * 1000;
    await vault.purgeExpired();
    await vault.destroy(a);
    const envelope2 = createEnvelope({ provider: keys2 });
    const reader = createVaultReader({
      store: storage.vault,
      envelope: envelope2,
      audit: 'unaudited',
    });
    await reader.revealVersions(b, { actor: 't', purpose: 't' });
    await reader.reveal(b, { actor: 't', purpose: 't', version: 1 });
    await createVault({ store: storage.vault, envelope: envelope2, provider: keys2 }).rewrapAll({
      batchSize: 5,
    });
    await vault.verifyKeys().catch(() => undefined);
    await db.destroy();

    const statements = captured.filter((q) => !/^\s*(begin|commit|rollback)/i.test(q.sql));
    expect(statements.length).toBeGreaterThan(10);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('set enable_seqscan = off');
      let checked = 0;
      for (const q of statements) {
        const result = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
          `explain (format json) ${q.sql}`,
          q.parameters as unknown[],
        );
        const plan = result.rows[0]?.['QUERY PLAN'][0]?.Plan;
        if (plan === undefined) throw new Error('no plan');
        for (const node of scans(plan)) {
          if (!(node['Relation Name'] ?? node['Index Name'] ?? '').startsWith('coffer_')) continue;
          checked++;
          expect(node['Node Type'], q.sql).not.toBe('Seq Scan');
          // Only the KEK scans (rewrap, listKekIds) may walk a whole index by design.
          if (!q.sql.includes('"kek_id" <') && !q.sql.includes('distinct "kek_id"')) {
            if (node['Node Type'] !== 'Bitmap Heap Scan' && node['Node Type'] !== 'ModifyTable') {
              expect(node['Index Cond'], `${q.sql}\n${node['Node Type']}`).toBeDefined();
            }
          }
        }
      }
      expect(checked).toBeGreaterThan(10);
    } finally {
      await client.end();
    }
  });
});
