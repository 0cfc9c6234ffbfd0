// rewrapAll lets the event loop run between batches. The memory store answers every query at once
// (as SQLite does): without a yield the whole job ran in one turn of the event loop, so a timer or
// signal handler that aborts it (Ctrl-C in `coffer rewrap`) only ran after the last row.
import { describe, expect, it } from 'vitest';
import { createVault } from '../src/index.js';
import { keys, setup } from './_helpers.js';

async function filled(n: number) {
  const s = setup();
  for (let i = 0; i < n; i++) {
    await s.vault.put({ kind: 'k', owner: 'o', value: `value-${i}-0123456789` });
  }
  return s;
}

describe('rewrapAll on a store that answers synchronously', () => {
  it('lets a callback queued before the job abort it after the first batch', async () => {
    const { store } = await filled(10);
    const two = keys('two');
    const vault = createVault({ store, envelope: two.envelope, provider: two.provider });
    const controller = new AbortController();
    setImmediate(() => controller.abort());
    const result = await vault.rewrapAll({ batchSize: 2, signal: controller.signal });
    expect(result).toMatchObject({ aborted: true, scanned: 2, rewrapped: 2, failed: [] });
    // The next run continues with the rows not yet moved.
    const rest = await vault.rewrapAll({ batchSize: 2 });
    expect(rest).toMatchObject({ aborted: false, scanned: 8, rewrapped: 8 });
  });

  it('runs the host’s timers between batches, and resolves with every row moved', async () => {
    const { store } = await filled(12);
    const two = keys('two');
    const vault = createVault({ store, envelope: two.envelope, provider: two.provider });
    let turns = 0;
    let running = true;
    const tick = (): void => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const seen: number[] = [];
    const result = await vault.rewrapAll({
      batchSize: 3,
      onProgress: () => seen.push(turns),
    });
    running = false;
    expect(result).toMatchObject({ aborted: false, scanned: 12, rewrapped: 12 });
    // Four full batches, then the scan that finds nothing left.
    expect(seen).toHaveLength(5);
    // Each batch after the first started after at least one more turn of the event loop.
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i] as number).toBeGreaterThan(seen[i - 1] as number);
    }
  });
});
