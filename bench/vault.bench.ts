// vault: put and reveal of a 256 B token over the memory store, against the raw envelope seal and
// open of the same value with the same context shape (the vault's own cost: validation, preview,
// id, records, copies, the audit hook); and the tenant-scoped reveal, by id and by name.
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createMemoryVaultStore, createVault, createVaultReader } from '@coffer/vault';
import type { BenchContext } from './harness.ts';

export default async function (b: BenchContext): Promise<void> {
  const keyring = Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]);
  const envelope = createEnvelope({ provider: createLocalKeyProvider(keyring) });
  const token = `EAAG${'x'.repeat(252)}`;
  const context = {
    'coffer.vault.id': '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3',
    owner: 'org_42',
    kind: 'meta-capi-token',
    version: '1',
  };

  // A vault binds every value to its own row id, so the raw baseline seals under a distinct
  // context per call too (ids precomputed: the baseline does not pay for id generation).
  const ids = Array.from(
    { length: 4096 },
    (_, i) => `0190f5b2-7c1e-7a3b-9c4d-${i.toString(16).padStart(12, '0')}`,
  );
  let next = 0;
  const freshContext = () => ({ ...context, 'coffer.vault.id': ids[next++ & 4095] ?? '' });

  const store = createMemoryVaultStore();
  const vault = createVault({ store, envelope });
  const reader = createVaultReader({ store, envelope, audit: { emit: () => {} } });

  // Puts go to a store recycled every 4096 entries, so the figure is the vault's cost and not
  // the garbage collector walking a heap of hundreds of thousands of live test entries.
  let putVault = createVault({ store: createMemoryVaultStore(), envelope });
  let puts = 0;
  const put = () => {
    if (++puts % 4096 === 0) putVault = createVault({ store: createMemoryVaultStore(), envelope });
    return putVault.put({ kind: 'meta-capi-token', owner: 'org_42', value: token });
  };

  await b.compare({
    name: 'vault: put 256 B (memory store) vs envelope seal',
    target: 0.6,
    baseline: {
      name: '@coffer/envelope seal 256 B (context per row)',
      fn: () => envelope.seal(token, { context: freshContext() }),
    },
    subject: put,
  });

  const sealed = await envelope.seal(token, { context });
  const { id } = await vault.put({ kind: 'meta-capi-token', owner: 'org_42', value: token });
  const who = { actor: 'bench', purpose: 'bench' };
  await b.compare({
    name: 'vault: reveal 256 B (memory store) vs envelope open',
    target: 0.6,
    baseline: {
      name: '@coffer/envelope open 256 B + UTF-8 decode',
      fn: async () => new TextDecoder().decode(await envelope.open(sealed, { context })),
    },
    subject: () => reader.reveal(id, who),
  });

  // The tenant's reader: the owner is a condition of the store's own lookup, nothing more.
  const scoped = reader.forOwner('org_42');
  await vault.forOwner('org_42').put({ kind: 'provider-key', name: 'openai', value: token });
  await b.compare({
    name: 'vault: reveal 256 B for one owner (reader.forOwner, memory store) vs envelope open',
    target: 0.6,
    baseline: {
      name: '@coffer/envelope open 256 B + UTF-8 decode',
      fn: async () => new TextDecoder().decode(await envelope.open(sealed, { context })),
    },
    subject: () => scoped.reveal(id, who),
  });
  await b.compare({
    name: 'vault: revealByName 256 B (reader.forOwner, memory store) vs envelope open',
    target: 0.6,
    baseline: {
      name: '@coffer/envelope open 256 B + UTF-8 decode',
      fn: async () => new TextDecoder().decode(await envelope.open(sealed, { context })),
    },
    subject: () => scoped.revealByName('openai', who),
  });
}
