import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import {
  createMemoryVaultStore,
  createVault,
  createVaultReader,
  type VaultAuditEvent,
  type VaultOptions,
  type VaultReaderOptions,
} from '../src/index.js';

export const KEK1: Uint8Array = generateKek().expose();
export const KEK2: Uint8Array = generateKek().expose();

export function keys(which: 'one' | 'two' | 'two-only') {
  const entries =
    which === 'one'
      ? [{ id: 1, key: KEK1, status: 'primary' as const }]
      : which === 'two'
        ? [
            { id: 2, key: KEK2, status: 'primary' as const },
            { id: 1, key: KEK1, status: 'active' as const },
          ]
        : [{ id: 2, key: KEK2, status: 'primary' as const }];
  const provider = createLocalKeyProvider(Keyring.fromKeys(entries));
  return { provider, envelope: createEnvelope({ provider }) };
}

export function setup(
  extra: Partial<VaultOptions> = {},
  readerExtra: Partial<VaultReaderOptions> = {},
) {
  const store = createMemoryVaultStore();
  const events: VaultAuditEvent[] = [];
  const now = { ms: 1_750_000_000_000 };
  const k = keys('one');
  const audit = { emit: (e: VaultAuditEvent) => void events.push(e) };
  const vault = createVault({
    store,
    envelope: k.envelope,
    provider: k.provider,
    audit,
    clock: () => now.ms,
    ...extra,
  });
  const reader = createVaultReader({
    store,
    envelope: k.envelope,
    audit,
    clock: () => now.ms,
    ...readerExtra,
  });
  return { store, events, now, vault, reader, ...k };
}

export const WHO = { actor: 'worker-1', purpose: 'unit test' };
export const TOKEN = 'EAAGm0PX4ZCpsBA-secret-token-7f3a9c2e41';
