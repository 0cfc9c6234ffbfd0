// provider-keys: `resolve` of an active customer key from the warm cache against a raw vault reveal
// of the same value (what a host without the cache would pay per call), and the fallback path (the
// owner has no key, the platform key is served) against a plain Map lookup of the platform key.
// `resolve` returns a promise (a cold answer reads the database), so its callers always pay one
// await; the target compares it with a Map.get behind an await — what the host pays for holding
// the platform key in a Map itself, in an async resolver. The ratio against a synchronous Map.get
// is reported too, as information: an await of an already settled promise alone is about 0.03× of
// that on this machine, so no promise-returning function can reach 0.3× of it. Keys are made up
// here; nothing is printed.
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import {
  builtInProviders,
  createProviderKeys,
  createProviderRegistry,
} from '@coffer/provider-keys';
import { createMemoryVaultStore, createVault, createVaultReader } from '@coffer/vault';
import type { BenchContext } from './harness.ts';

export default async function (b: BenchContext): Promise<void> {
  const provider = createLocalKeyProvider(
    Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
  );
  const envelope = createEnvelope({ provider });
  const store = createMemoryVaultStore();
  const vault = createVault({ store, envelope });
  const reader = createVaultReader({ store, envelope, audit: { emit: () => undefined } });
  const platform = new Map([['openai', `sk-proj-${'p'.repeat(48)}`]]);
  const keys = createProviderKeys({
    providers: createProviderRegistry(builtInProviders),
    vault,
    reader,
    platformKeys: (id) => platform.get(id),
    cacheTtlMs: 300_000,
    negativeCacheTtlMs: 300_000,
  });
  const customerKey = `sk-proj-${'A1b2C3d4'.repeat(19)}Zq9w`;
  const { id } = await keys.forOwner('org_bench').set('openai', customerKey);
  await keys.resolve('org_bench', 'openai');
  await keys.resolve('org_without_key', 'openai');

  const scoped = reader.forOwner('org_bench');
  const who = { actor: 'bench', purpose: 'bench' };
  await b.compare({
    name: 'provider-keys: resolve (warm, customer key) vs vault reveal of the same value',
    target: 0.8,
    baseline: { name: 'reader.forOwner(owner).reveal', fn: () => scoped.reveal(id, who) },
    subject: () => keys.resolve('org_bench', 'openai'),
  });

  await b.compare({
    name: 'provider-keys: resolve (fallback, no customer key) vs an awaited Map.get',
    target: 0.3,
    baseline: { name: 'async Map.get', fn: async () => platform.get('openai') },
    subject: () => keys.resolve('org_without_key', 'openai'),
  });
  const fallbackOps = await b.measure(() => keys.resolve('org_without_key', 'openai'));
  const mapOps = await b.measure(() => platform.get('openai'));
  b.report({
    name: 'provider-keys: resolve (fallback) vs a synchronous Map.get (information, no target)',
    value: Number((fallbackOps / mapOps).toFixed(4)),
    unit: 'x',
  });
  await keys.flush();
}
