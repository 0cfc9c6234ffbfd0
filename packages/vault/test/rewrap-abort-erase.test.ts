// docs/stores.md: rewrapped-away values leave the store's files after each rewrapAll batch (the
// store's afterRewrapBatch, a WAL checkpoint on SQLite). That must hold for a batch that stops early
// too — aborted by the signal, or cut short by a store error — once it has replaced rows.
import { describe, expect, it } from 'vitest';
import { createVault, type VaultStore } from '../src/index.js';
import { keys, setup } from './_helpers.js';

async function filled(n: number) {
  const s = setup();
  for (let i = 0; i < n; i++) {
    await s.vault.put({ kind: 'k', owner: 'o', value: `value-${i}-0123456789` });
  }
  return s;
}

/** The store, counting afterRewrapBatch calls and running `onReplace` after each replaced row. */
function watched(store: VaultStore, onReplace: (replaced: number) => void) {
  const calls = { erase: 0, replaced: 0 };
  const wrapped: VaultStore = {
    ...store,
    async replaceSealed(input) {
      const ok = await store.replaceSealed(input);
      if (ok) calls.replaced++;
      onReplace(calls.replaced);
      return ok;
    },
    async afterRewrapBatch() {
      calls.erase++;
    },
  };
  return { wrapped, calls };
}

describe('rewrapAll erases replaced rows even when a batch stops early', () => {
  it('aborted in the middle of a batch', async () => {
    const { store } = await filled(5);
    const controller = new AbortController();
    const { wrapped, calls } = watched(store, (replaced) => {
      if (replaced === 2) controller.abort();
    });
    const two = keys('two');
    const vault = createVault({ store: wrapped, envelope: two.envelope, provider: two.provider });
    const result = await vault.rewrapAll({ batchSize: 100, signal: controller.signal });
    expect(result).toMatchObject({ aborted: true, rewrapped: 2 });
    expect(calls.erase).toBe(1);
  });

  it('cut short by a store error', async () => {
    const { store } = await filled(5);
    const { wrapped, calls } = watched(store, (replaced) => {
      if (replaced === 3) throw new Error('connection lost');
    });
    const two = keys('two');
    const vault = createVault({ store: wrapped, envelope: two.envelope, provider: two.provider });
    await expect(vault.rewrapAll({ batchSize: 100 })).rejects.toThrow('connection lost');
    expect(calls.replaced).toBe(3);
    expect(calls.erase).toBe(1);
  });

  it('not asked to erase when the batch replaced nothing', async () => {
    const { store } = await filled(3);
    const controller = new AbortController();
    controller.abort();
    const { wrapped, calls } = watched(store, () => {});
    const two = keys('two');
    const vault = createVault({ store: wrapped, envelope: two.envelope, provider: two.provider });
    expect(await vault.rewrapAll({ signal: controller.signal })).toMatchObject({ aborted: true });
    expect(calls.erase).toBe(0);
  });
});
