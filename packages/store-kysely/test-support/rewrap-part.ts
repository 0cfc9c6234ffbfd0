// A rewrap of many rows interrupted midway (AbortSignal) and resumed ends with every row on the
// primary KEK and every value readable; the second run scans only the rows left.
import { createVault, createVaultReader } from '@coffer/vault';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectHarness, DialectStorage, TestDatabase } from './dialect-harness.js';
import { envelope1, envelope2, inParallel, keys2 } from './fixtures.js';

const PARALLEL = 16;
// Both cases write and read every row; on a loaded machine (2 cores shared with other suites) each
// row costs a few milliseconds of commits and crypto, so their time limit grows with the row count
// instead of being vitest's 60 s: what is tested is the property, not a speed.
const timeoutFor = (rows: number): number => 60_000 + rows * 25;

export function describeRewrap(h: DialectHarness): void {
  const rows = h.rewrapRows;
  describe(`${h.name}: rewrap of ${rows} rows, interrupted and resumed`, () => {
    let database: TestDatabase;
    let storage: DialectStorage;
    const ids: string[] = [];
    const countByKek = async (): Promise<Record<string, number>> => {
      const r = await sql<{ kek_id: string; n: number | string }>`
        select kek_id, count(*) as n from coffer_vault_versions group by kek_id order by kek_id`.execute(
        storage.db,
      );
      return Object.fromEntries(r.rows.map((x) => [x.kek_id, Number(x.n)]));
    };

    beforeAll(async () => {
      database = await h.createDatabase('rewrap');
      storage = await database.open();
      await storage.migrate();
    });
    afterAll(async () => {
      await storage?.close();
      await database?.drop();
    });

    it(`stores ${rows} values under the old KEK`, { timeout: timeoutFor(rows) }, async () => {
      const vault = createVault({ store: storage.vault, envelope: envelope1 });
      await inParallel(rows, PARALLEL, async (i) => {
        const { id } = await vault.put({
          kind: 'k',
          owner: `org_${i % 50}`,
          value: `token-${i}-0123456789abcdef`,
        });
        ids[i] = id;
      });
      expect(await countByKek()).toEqual({ '1': rows });
    });

    it('stops at the signal midway, then a second run finishes only the rest', {
      timeout: timeoutFor(rows),
    }, async () => {
      const vault = createVault({ store: storage.vault, envelope: envelope2, provider: keys2 });
      const batchSize = Math.max(50, Math.floor(rows / 20));
      const controller = new AbortController();
      const first = await vault.rewrapAll({
        batchSize,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.rewrapped >= rows / 2) controller.abort();
        },
      });
      expect(first.aborted).toBe(true);
      expect(first.failed).toEqual([]);
      expect(first.rewrapped).toBeGreaterThanOrEqual(rows / 2);
      expect(first.rewrapped).toBeLessThan(rows);
      const done = first.rewrapped;
      expect(await countByKek()).toEqual({ '1': rows - done, '2': done });

      const second = await vault.rewrapAll({ batchSize });
      expect(second.aborted).toBe(false);
      expect(second.failed).toEqual([]);
      // Resumable: rows already on the primary KEK are not scanned again.
      expect(second.scanned).toBe(rows - done);
      expect(second.rewrapped).toBe(rows - done);
      expect(await countByKek()).toEqual({ '2': rows });
      expect(await vault.verifyKeys()).toEqual({ kekIds: ['2'], primaryKekId: '2' });

      const reader = createVaultReader({
        store: storage.vault,
        envelope: envelope2,
        audit: 'unaudited',
      });
      await inParallel(rows, PARALLEL, async (i) => {
        const value = await reader.reveal(ids[i] ?? '', { actor: 'test', purpose: 'rewrap check' });
        expect(value.expose()).toBe(`token-${i}-0123456789abcdef`);
      });
    });
  });
}
