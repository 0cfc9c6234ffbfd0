import { isCofferError } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import { createVault, createVaultReader, type RewrapProgress } from '../src/index.js';
import { keys, setup, WHO } from './_helpers.js';

async function fill(n: number) {
  const s = setup({ maxVersions: 2 });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const { id } = await s.vault.put({ kind: 'k', owner: 'o', value: `value-${i}-0123456789` });
    ids.push(id);
  }
  return { ...s, ids };
}

describe('rewrapAll', () => {
  it('stops on abort with progress so far, and a second run resumes to completion', async () => {
    const { store, ids } = await fill(25);
    const k2 = keys('two');
    const vault = createVault({ store, envelope: k2.envelope, provider: k2.provider });
    const controller = new AbortController();
    const seen: RewrapProgress[] = [];
    const first = await vault.rewrapAll({
      batchSize: 10,
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.rewrapped >= 10) controller.abort();
      },
    });
    expect(first.aborted).toBe(true);
    expect(first.rewrapped).toBe(10);
    expect(seen.map((p) => p.rewrapped)).toEqual([10]);
    expect(await store.listKekIds()).toEqual(expect.arrayContaining(['1', '2']));

    const second = await vault.rewrapAll({ batchSize: 10 });
    expect(second).toMatchObject({
      aborted: false,
      scanned: 15,
      rewrapped: 15,
      skipped: 0,
      failed: [],
    });
    expect(await store.listKekIds()).toEqual(['2']);

    const reader = createVaultReader({
      store,
      envelope: keys('two-only').envelope,
      audit: 'unaudited',
    });
    for (const [i, id] of ids.entries()) {
      expect((await reader.reveal(id, WHO)).expose()).toBe(`value-${i}-0123456789`);
    }
  });

  it('an already-aborted signal does nothing', async () => {
    const { store } = await fill(3);
    const k2 = keys('two');
    const vault = createVault({ store, envelope: k2.envelope, provider: k2.provider });
    const result = await vault.rewrapAll({ signal: AbortSignal.abort() });
    expect(result).toMatchObject({ aborted: true, scanned: 0, rewrapped: 0 });
  });

  it('rows rotated during the job are skipped (check-and-set), not overwritten', async () => {
    const { store, ids } = await fill(4);
    const k2 = keys('two');
    const vault = createVault({ store, envelope: k2.envelope, provider: k2.provider });
    const target = ids.slice().sort()[3] ?? '';
    const replaceSealed = store.replaceSealed.bind(store);
    let raced = false;
    store.replaceSealed = async (input) => {
      if (!raced && input.id === target) {
        raced = true;
        const row = await store.getVersion(input.id, input.version);
        if (row !== undefined) {
          await replaceSealed({
            ...input,
            expectedSealed: row.sealed,
            sealed: row.sealed.slice().reverse(),
          });
        }
      }
      return replaceSealed(input);
    };
    const result = await vault.rewrapAll({ batchSize: 2 });
    expect(result).toMatchObject({ rewrapped: 3, skipped: 1 });
  });

  it('rows that do not open under any loaded key are reported, not thrown', async () => {
    const { store } = await fill(3);
    const k = keys('two-only');
    const vault = createVault({ store, envelope: k.envelope, provider: k.provider });
    const result = await vault.rewrapAll();
    expect(result.rewrapped).toBe(0);
    expect(result.failed.map((f) => f.code)).toEqual(['UNKNOWN_KEK', 'UNKNOWN_KEK', 'UNKNOWN_KEK']);
  });

  it('works without a provider (primary KEK id from a probe seal)', async () => {
    const { store } = await fill(2);
    const vault = createVault({ store, envelope: keys('two').envelope });
    expect(await vault.rewrapAll()).toMatchObject({ primaryKekId: '2', rewrapped: 2 });
  });
});

describe('verifyKeys', () => {
  it('passes when every stored KEK is loaded', async () => {
    const { store } = await fill(2);
    const k = keys('two');
    const vault = createVault({ store, envelope: k.envelope, provider: k.provider });
    expect(await vault.verifyKeys()).toEqual({ kekIds: ['1'], primaryKekId: '2' });
  });

  it('fails closed with KEYS_MISSING listing the missing KEK ids', async () => {
    const { store } = await fill(2);
    const k = keys('two-only');
    const vault = createVault({ store, envelope: k.envelope, provider: k.provider });
    const error = await vault.verifyKeys().catch((e: unknown) => e);
    expect(isCofferError(error, 'KEYS_MISSING')).toBe(true);
    expect((error as { details: unknown }).details).toEqual({
      kekIds: ['1'],
      unknown: ['1'],
      retired: [],
    });
  });

  it('treats retired KEKs as missing', async () => {
    const { store } = await fill(1);
    const { Keyring, createLocalKeyProvider, createEnvelope } = await import('@coffer/envelope');
    const { KEK1, KEK2 } = await import('./_helpers.js');
    const provider = createLocalKeyProvider(
      Keyring.fromKeys([
        { id: 2, key: KEK2, status: 'primary' },
        { id: 1, key: KEK1, status: 'retired' },
      ]),
    );
    const vault = createVault({ store, envelope: createEnvelope({ provider }), provider });
    const error = await vault.verifyKeys().catch((e: unknown) => e);
    expect((error as { details: unknown }).details).toEqual({
      kekIds: ['1'],
      unknown: [],
      retired: ['1'],
    });
  });

  it('uses a full scan when the store has no listKekIds', async () => {
    const { store } = await fill(3);
    const { listKekIds: _, ...withoutList } = store;
    const k = keys('two');
    const vault = createVault({ store: withoutList, envelope: k.envelope, provider: k.provider });
    expect(await vault.verifyKeys()).toEqual({ kekIds: ['1'], primaryKekId: '2' });
  });

  it('needs the provider', async () => {
    const { store, envelope } = setup();
    const vault = createVault({ store, envelope });
    const error = await vault.verifyKeys().catch((e: unknown) => e);
    expect(isCofferError(error, 'INVALID_INPUT')).toBe(true);
  });
});
