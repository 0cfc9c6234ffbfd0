// better-sqlite3 answers every query synchronously: a purge of many expired entries must still let
// the host's timers and I/O run after each entry (it held the event loop for the whole purge).
import { createVault, type VaultAuditEvent } from '@coffer/vault';
import { afterAll, describe, expect, it } from 'vitest';
import { envelope1 } from '../../store-kysely/test-support/fixtures.js';
import { createSqliteStore } from '../src/index.js';
import { makeTempDir } from './temp-dir.js';

const dir = makeTempDir('purge');
afterAll(() => dir.remove());

describe('SQLite: purgeExpired', () => {
  it('lets the event loop run after each entry', async () => {
    const storage = createSqliteStore({ filename: dir.file('purge.db') });
    try {
      await storage.migrate();
      const now = { ms: 1_750_000_000_000 };
      let turns = 0;
      const purgedAt: number[] = [];
      const vault = createVault({
        store: storage.vault,
        envelope: envelope1,
        clock: () => now.ms,
        retentionMs: 1000,
        audit: {
          emit: (e: VaultAuditEvent) => {
            if (e.action === 'purge') purgedAt.push(turns);
          },
        },
      });
      for (let i = 0; i < 40; i++) {
        const { id } = await vault.put({ kind: 'k', owner: 'o', value: `value-${i}-0123456789` });
        await vault.delete(id);
      }
      now.ms += 2000;
      let running = true;
      const tick = (): void => {
        turns++;
        if (running) setImmediate(tick);
      };
      setImmediate(tick);
      expect(await vault.purgeExpired({ batchSize: 10 })).toEqual({ purged: 40 });
      running = false;
      expect(purgedAt).toHaveLength(40);
      // One destroy on SQLite is a transaction, a WAL checkpoint and an fsync: each entry, not
      // only each batch, lets the loop run.
      for (let i = 1; i < purgedAt.length; i++) {
        expect(purgedAt[i] as number, `entry ${i}`).toBeGreaterThan(purgedAt[i - 1] as number);
      }
    } finally {
      await storage.close();
    }
  });
});
