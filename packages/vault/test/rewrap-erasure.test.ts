// rewrapAll tells the store after each batch that replaced rows, so a store that keeps replaced
// bytes in a log (SQLite's WAL) can erase them once per batch.
import { describe, expect, it } from 'vitest';
import { createVault } from '../src/index.js';
import { keys, setup } from './_helpers.js';

describe('rewrapAll and afterRewrapBatch', () => {
  it('calls the hook once per batch that replaced rows, and ignores its failure', async () => {
    const { store, vault } = setup();
    for (let i = 0; i < 5; i++) {
      await vault.put({ kind: 'k', owner: 'o', value: `value-${i}-0123456789` });
    }
    const calls: number[] = [];
    let replaced = 0;
    const replaceSealed = store.replaceSealed.bind(store);
    const watched = {
      ...store,
      async replaceSealed(input: Parameters<typeof store.replaceSealed>[0]) {
        const ok = await replaceSealed(input);
        if (ok) replaced++;
        return ok;
      },
      async afterRewrapBatch() {
        calls.push(replaced);
        throw new Error('checkpoint failed');
      },
    };
    const k2 = keys('two');
    const after = createVault({ store: watched, envelope: k2.envelope, provider: k2.provider });
    const result = await after.rewrapAll({ batchSize: 2 });
    expect(result).toMatchObject({ rewrapped: 5, failed: [], aborted: false });
    expect(calls).toEqual([2, 4, 5]);
    // Nothing left to move: no batch replaced anything, so no call.
    await after.rewrapAll({ batchSize: 2 });
    expect(calls).toEqual([2, 4, 5]);
  });
});
