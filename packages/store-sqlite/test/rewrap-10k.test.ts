// A rewrap of 10,000 rows interrupted midway (AbortSignal) and resumed ends with every row on
// the primary KEK and every value readable — on a SQLite WAL file.
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createVault, createVaultReader } from '@coffer/vault';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore, type SqliteStore } from '../src/index.js';
import { makeTempDir } from './temp-dir.js';

const ROWS = 10_000;
const dir = makeTempDir('rewrap');
let storage: SqliteStore;
const kek1 = generateKek().expose();
const kek2 = generateKek().expose();
const oldKeys = createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: kek1, status: 'primary' }]));
const newKeys = createLocalKeyProvider(
  Keyring.fromKeys([
    { id: 2, key: kek2, status: 'primary' },
    { id: 1, key: kek1, status: 'active' },
  ]),
);

async function countByKek(): Promise<Record<string, number>> {
  const rows = await sql<{ kek_id: string; n: number }>`
    select kek_id, count(*) as n from coffer_vault_versions group by kek_id order by kek_id`.execute(
    storage.db,
  );
  return Object.fromEntries(rows.rows.map((r) => [r.kek_id, Number(r.n)]));
}

beforeAll(async () => {
  storage = createSqliteStore({ filename: dir.file('rewrap.db') });
  await storage.migrate();
});

afterAll(async () => {
  await storage.close();
  dir.remove();
});

describe('rewrap of 10,000 rows, interrupted and resumed (SQLite file)', () => {
  const ids: string[] = [];

  it('stores 10,000 values under the old KEK', async () => {
    const vault = createVault({
      store: storage.vault,
      envelope: createEnvelope({ provider: oldKeys }),
    });
    for (let i = 0; i < ROWS; i++) {
      ids.push(
        (
          await vault.put({
            kind: 'k',
            owner: `org_${i % 50}`,
            value: `token-${i}-0123456789abcdef`,
          })
        ).id,
      );
    }
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
    for (const [i, id] of ids.entries()) {
      const value = await reader.reveal(id, { actor: 'test', purpose: 'rewrap check' });
      expect(value.expose()).toBe(`token-${i}-0123456789abcdef`);
    }
  });
});
