// purgeExpired lets the event loop run after each entry. The memory store answers every query at
// once, as SQLite does: without a yield a purge of many entries ran in one turn of the event loop
// (3,000 entries on SQLite held it for over two seconds: no timer, I/O or request of the host ran).
import { describe, expect, it } from 'vitest';
import { createVault, type VaultAuditEvent } from '../src/index.js';
import { keys, setup } from './_helpers.js';

describe('purgeExpired on a store that answers synchronously', () => {
  it('runs the host’s callbacks after each entry, and purges every expired entry', async () => {
    const { store, now } = setup();
    const k = keys('one');
    let turns = 0;
    const purgedAt: number[] = [];
    const vault = createVault({
      store,
      envelope: k.envelope,
      clock: () => now.ms,
      retentionMs: 1000,
      audit: {
        emit: (e: VaultAuditEvent) => {
          if (e.action === 'purge') purgedAt.push(turns);
        },
      },
    });
    for (let i = 0; i < 12; i++) {
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
    const result = await vault.purgeExpired({ batchSize: 3 });
    running = false;
    expect(result).toEqual({ purged: 12 });
    expect(purgedAt).toHaveLength(12);
    // The store answers at once; each entry after the first is destroyed after at least one more
    // turn of the event loop, within a batch as well as across batches.
    for (let i = 1; i < purgedAt.length; i++) {
      expect(purgedAt[i] as number, `entry ${i}`).toBeGreaterThan(purgedAt[i - 1] as number);
    }
    expect((await vault.list({ owner: 'o', includeDeleted: true })).items).toEqual([]);
  });

  it('lets a timer queued before the purge run before it ends', async () => {
    const { store, now } = setup();
    const k = keys('one');
    const vault = createVault({ store, envelope: k.envelope, clock: () => now.ms, retentionMs: 0 });
    for (let i = 0; i < 6; i++) {
      const { id } = await vault.put({ kind: 'k', owner: 'o', value: `value-${i}-0123456789` });
      await vault.delete(id);
    }
    now.ms += 1;
    let ranDuringPurge = false;
    let done = false;
    setImmediate(() => {
      ranDuringPurge = !done;
    });
    await vault.purgeExpired({ batchSize: 2 });
    done = true;
    expect(ranDuringPurge).toBe(true);
  });
});
