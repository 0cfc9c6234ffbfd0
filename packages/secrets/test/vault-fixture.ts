// A vault-backed secrets source over any VaultStore, with a clock the test moves and every audit
// event kept, so tests can check what was revealed and written.
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import {
  createVault,
  createVaultReader,
  type Vault,
  type VaultAuditEvent,
  type VaultStore,
} from '@coffer/vault';
import { createVaultSecretSource } from '../src/index.js';

export interface Clock {
  now: () => number;
  advance(ms: number): void;
}

export function testClock(start = Date.UTC(2026, 0, 1)): Clock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

/** One KEK for every fixture in a test file, so separate pools open each other's values. */
export const KEK = generateKek();

export function vaultSource(
  store: VaultStore,
  clock: Clock,
  options: { maxVersions?: number; owner?: string } = {},
) {
  const provider = createLocalKeyProvider(
    Keyring.fromKeys([{ id: 1, key: KEK, status: 'primary' }]),
  );
  const envelope = createEnvelope({ provider });
  const events: VaultAuditEvent[] = [];
  const audit = { emit: (e: VaultAuditEvent) => void events.push(e) };
  const vault: Vault = createVault({
    store,
    envelope,
    audit,
    clock: clock.now,
    maxVersions: options.maxVersions ?? 5,
  });
  const reader = createVaultReader({ store, envelope, audit, clock: clock.now });
  const source = createVaultSecretSource({
    vault,
    reader,
    now: clock.now,
    ...(options.owner === undefined ? {} : { owner: options.owner }),
  });
  return { source, vault, events };
}
