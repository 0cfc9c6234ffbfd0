// verifyKeys proves each stored KEK id's configured key opens what is stored: a key regenerated or
// mistyped under an existing id fails closed before anything is sealed next to the old values.
import { isCofferError } from '@coffer/core';
import {
  createEnvelope,
  createLocalKeyProvider,
  generateKek,
  type KeyProvider,
  Keyring,
} from '@coffer/envelope';
import { describe, expect, it } from 'vitest';
import { createVault, type VaultStore } from '../src/index.js';
import { KEK1, KEK2, keys, setup } from './_helpers.js';

function keysOf(entries: { id: number; key: Uint8Array; status: 'primary' | 'active' }[]) {
  const provider = createLocalKeyProvider(Keyring.fromKeys(entries));
  return { provider, envelope: createEnvelope({ provider }) };
}

async function filled(n: number) {
  const s = setup();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push((await s.vault.put({ kind: 'k', owner: 'o', value: `value-${i}-0123456789` })).id);
  }
  return { ...s, ids };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected verifyKeys to fail');
}

/** The store without the optional methods, so verifyKeys falls back to its walk. */
function plain(store: VaultStore, drop: ReadonlyArray<'listKekIds' | 'listVersionsByKek'>) {
  const copy: VaultStore = { ...store };
  for (const name of drop) delete copy[name];
  return copy;
}

describe('verifyKeys: the key behind each id', () => {
  it('fails with KEK_MISMATCH naming the id when the primary key was regenerated', async () => {
    const { store } = await filled(3);
    const wrong = keysOf([{ id: 1, key: generateKek().expose(), status: 'primary' }]);
    const vault = createVault({ store, envelope: wrong.envelope, provider: wrong.provider });
    const error = await failure(vault.verifyKeys());
    expect(isCofferError(error, 'KEK_MISMATCH')).toBe(true);
    expect((error as { details: unknown }).details).toEqual({ kekIds: ['1'] });
    const text = `${(error as Error).message} ${JSON.stringify(error)}`;
    expect(text).not.toContain(Buffer.from(KEK1).toString('base64url').slice(0, 8));
  });

  it('names only the wrong id after a rotation (old key mistyped, new key right)', async () => {
    const { store } = await filled(2);
    const right = keys('two');
    const vault = createVault({ store, envelope: right.envelope, provider: right.provider });
    await vault.put({ kind: 'k', owner: 'o', value: 'under-key-2-0123456789' });
    expect(await vault.verifyKeys()).toEqual({ kekIds: ['1', '2'], primaryKekId: '2' });

    const oldWrong = keysOf([
      { id: 2, key: KEK2, status: 'primary' },
      { id: 1, key: generateKek().expose(), status: 'active' },
    ]);
    const error = await failure(
      createVault({ store, envelope: oldWrong.envelope, provider: oldWrong.provider }).verifyKeys(),
    );
    expect((error as { code: string; details: unknown }).code).toBe('KEK_MISMATCH');
    expect((error as { details: unknown }).details).toEqual({ kekIds: ['1'] });

    const bothWrong = keysOf([
      { id: 2, key: generateKek().expose(), status: 'primary' },
      { id: 1, key: generateKek().expose(), status: 'active' },
    ]);
    const both = await failure(
      createVault({
        store,
        envelope: bothWrong.envelope,
        provider: bothWrong.provider,
      }).verifyKeys(),
    );
    expect((both as { details: unknown }).details).toEqual({ kekIds: ['1', '2'] });
  });

  it('checks the same way without the optional store methods (a walk)', async () => {
    const { store } = await filled(4);
    const wrong = keysOf([{ id: 1, key: generateKek().expose(), status: 'primary' }]);
    for (const drop of [['listVersionsByKek'], ['listKekIds', 'listVersionsByKek']] as const) {
      const bare = plain(store, drop);
      const right = keys('one');
      expect(
        await createVault({
          store: bare,
          envelope: right.envelope,
          provider: right.provider,
        }).verifyKeys(),
      ).toEqual({ kekIds: ['1'], primaryKekId: '1' });
      const error = await failure(
        createVault({
          store: bare,
          envelope: wrong.envelope,
          provider: wrong.provider,
        }).verifyKeys(),
      );
      expect((error as { code: string }).code).toBe('KEK_MISMATCH');
    }
  });

  it('one damaged row does not fail a right key: any of up to 3 rows that opens proves it', async () => {
    const { store, ids } = await filled(3);
    const row = await store.getVersion(ids[0] ?? '', 1);
    if (row === undefined) throw new Error('missing row');
    const damaged = row.sealed.slice();
    damaged[damaged.length - 1] = (damaged[damaged.length - 1] ?? 0) ^ 1;
    // Swap the wrapped key byte region too: a damaged wrapped key fails unwrap like a wrong key.
    damaged[10] = (damaged[10] ?? 0) ^ 1;
    await store.replaceSealed({
      id: row.id,
      version: 1,
      expectedSealed: row.sealed,
      sealed: damaged,
      kekId: '1',
    });
    const k = keys('one');
    const vault = createVault({ store, envelope: k.envelope, provider: k.provider });
    expect(await vault.verifyKeys()).toEqual({ kekIds: ['1'], primaryKekId: '1' });
  });

  it('passes on an empty store', async () => {
    const { vault } = setup();
    expect(await vault.verifyKeys()).toEqual({ kekIds: [], primaryKekId: '1' });
  });

  it('throws what the provider throws when it cannot answer (nothing proven, fail closed)', async () => {
    const { store } = await filled(1);
    const k = keys('one');
    const down: KeyProvider = {
      ...k.provider,
      name: 'down',
      async unwrapKey() {
        throw new TypeError('connect ECONNREFUSED');
      },
    };
    const vault = createVault({
      store,
      envelope: createEnvelope({ provider: down }),
      provider: down,
    });
    const error = await failure(vault.verifyKeys());
    expect(isCofferError(error, 'KEY_PROVIDER_FAILED')).toBe(true);
  });
});
