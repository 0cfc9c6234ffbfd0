// A rewrap of 10,000 rows interrupted midway (AbortSignal) and resumed ends with every row on
// the primary KEK and every value readable — on PostgreSQL.
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createVault, createVaultReader } from '@coffer/vault';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import { createPostgresStore, type PostgresStore } from '../src/index.js';

const ROWS = 10_000;
const PARALLEL = 16;
let database: TestDatabase;
let storage: PostgresStore;
const kek1 = generateKek().expose();
const kek2 = generateKek().expose();
const oldKeys = createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: kek1, status: 'primary' }]));
const newKeys = createLocalKeyProvider(
  Keyring.fromKeys([
    { id: 2, key: kek2, status: 'primary' },
    { id: 1, key: kek1, status: 'active' },
  ]),
);

/** Runs `fn(i)` for i in [0, n) with at most `PARALLEL` in flight (one per pooled connection). */
async function inParallel(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

async function countByKek(): Promise<Record<string, number>> {
  const rows = await sql<{ kek_id: string; n: number }>`
    select kek_id, count(*)::int as n from coffer_vault_versions group by kek_id order by kek_id`.execute(
    storage.db,
  );
  return Object.fromEntries(rows.rows.map((r) => [r.kek_id, r.n]));
}

beforeAll(async () => {
  database = await createTestDatabase('pg_rewrap_10k');
  storage = createPostgresStore({ connectionString: database.url, poolSize: PARALLEL });
  await storage.migrate();
});

afterAll(async () => {
  await storage?.close();
  await database?.drop();
});

describe('rewrap of 10,000 rows, interrupted and resumed (PostgreSQL)', () => {
  const ids: string[] = [];

  it('stores 10,000 values under the old KEK (puts spread over the pool)', async () => {
    const vault = createVault({
      store: storage.vault,
      envelope: createEnvelope({ provider: oldKeys }),
    });
    await inParallel(ROWS, async (i) => {
      const { id } = await vault.put({
        kind: 'k',
        owner: `org_${i % 50}`,
        value: `token-${i}-0123456789abcdef`,
      });
      ids[i] = id;
    });
    expect(await countByKek()).toEqual({ '1': ROWS });
  });

  it('stops at the signal midway, then a second run finishes only the rest', async () => {
    const envelope = createEnvelope({ provider: newKeys });
    const vault = createVault({ store: storage.vault, envelope, provider: newKeys });
    const controller = new AbortController();
    const first = await vault.rewrapAll({
      batchSize: 500,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.rewrapped >= ROWS / 2) controller.abort();
      },
    });
    expect(first.aborted).toBe(true);
    expect(first.failed).toEqual([]);
    expect(first.rewrapped).toBeGreaterThanOrEqual(ROWS / 2);
    expect(first.rewrapped).toBeLessThan(ROWS);
    const done = first.rewrapped;
    expect(await countByKek()).toEqual({ '1': ROWS - done, '2': done });

    const second = await vault.rewrapAll({ batchSize: 500 });
    expect(second.aborted).toBe(false);
    expect(second.failed).toEqual([]);
    // Resumable: rows already on the primary KEK are not scanned again.
    expect(second.scanned).toBe(ROWS - done);
    expect(second.rewrapped).toBe(ROWS - done);
    expect(await countByKek()).toEqual({ '2': ROWS });
    expect(await vault.verifyKeys()).toEqual({ kekIds: ['2'], primaryKekId: '2' });

    const reader = createVaultReader({ store: storage.vault, envelope, audit: 'unaudited' });
    await inParallel(ROWS, async (i) => {
      const value = await reader.reveal(ids[i] ?? '', { actor: 'test', purpose: 'rewrap check' });
      expect(value.expose()).toBe(`token-${i}-0123456789abcdef`);
    });
  });
});
