// Every query the vault store makes is served by an index: capture the SQL the store runs during
// a full lifecycle and check SQLite's EXPLAIN QUERY PLAN for full table scans.
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createVault, createVaultReader } from '@coffer/vault';
import Database from 'better-sqlite3';
import { type CompiledQuery, Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { configureSqliteDatabase, createSqliteStore } from '../src/index.js';
import { makeTempDir } from './temp-dir.js';

const dir = makeTempDir('plans');
afterAll(() => dir.remove());

describe('SQLite query plans', () => {
  it('no store query scans a table without an index', async () => {
    const filename = dir.file('plans.db');
    const database = new Database(filename);
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
      ids.push(
        (
          await vault.put({
            kind: i % 2 ? 'a' : 'b',
            owner: `o${i % 3}`,
            value: `v-${i}-0123456789`,
          })
        ).id,
      );
    }
    captured.length = 0; // only the store's queries from here on, not the migration's
    const [a, b, c] = ids;
    if (a === undefined || b === undefined || c === undefined) throw new Error('ids');
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
    const reader = createVaultReader({
      store: storage.vault,
      envelope: createEnvelope({ provider: keys2 }),
      audit: 'unaudited',
    });
    await reader.revealVersions(b, { actor: 't', purpose: 't' });
    await reader.reveal(b, { actor: 't', purpose: 't', version: 1 });
    await createVault({
      store: storage.vault,
      envelope: createEnvelope({ provider: keys2 }),
      provider: keys2,
    }).rewrapAll({ batchSize: 5 });
    await vault.verifyKeys().catch(() => undefined);

    const reads = captured.filter((q) => !/^\s*(insert|begin|commit|rollback|pragma)/i.test(q.sql));
    expect(reads.length).toBeGreaterThan(10);
    const kinds = new Set<string>();
    for (const q of reads) {
      const plan = database
        .prepare(`explain query plan ${q.sql}`)
        .all(...(q.parameters as unknown[])) as Array<{ detail: string }>;
      for (const step of plan) {
        // Lookups must SEARCH an index. Only the KEK scans (rewrap, listKekIds) walk a whole
        // index by design — never the table itself.
        if (q.sql.includes('"kek_id"')) expect(step.detail, q.sql).not.toMatch(/^SCAN \S+$/);
        else expect(step.detail, q.sql).toMatch(/^(SEARCH|USE TEMP B-TREE FOR ORDER BY)/);
      }
      kinds.add(q.sql.split(' ')[0] ?? '');
    }
    expect([...kinds].sort()).toEqual(['delete', 'select', 'update']);
    await db.destroy();
  });
});
