// Builds a provider-keys manager over a vault store for the tests: the memory store, SQLite (a
// file in a fresh temporary directory) or PostgreSQL (a fresh database on the test server, dropped
// afterwards). The clock is the test's, so TTLs and throttles are exact.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createPostgresStore } from '@coffer/store-postgres';
import { createSqliteStore } from '@coffer/store-sqlite';
import {
  createMemoryVaultStore,
  createVault,
  createVaultReader,
  type Vault,
  type VaultAuditEvent,
  type VaultReader,
  type VaultStore,
} from '@coffer/vault';
import { createTestDatabase } from '../../../test-support/postgres.ts';
import {
  builtInProviders,
  createProviderKeys,
  createProviderRegistry,
  type ProviderDefinition,
  type ProviderKeyEvent,
  type ProviderKeys,
  type ProviderKeysOptions,
} from '../src/index.js';

export type StoreKind = 'memory' | 'sqlite' | 'postgres';

export interface OpenedStore {
  store: VaultStore;
  close(): Promise<void>;
}

export async function openStore(kind: StoreKind, label: string): Promise<OpenedStore> {
  if (kind === 'memory') return { store: createMemoryVaultStore(), close: async () => undefined };
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-pk-'));
    const storage = createSqliteStore({ filename: join(dir, 'keys.db') });
    await storage.migrate();
    return {
      store: storage.vault,
      close: async () => {
        await storage.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const database = await createTestDatabase(`pk_${label}`);
  const storage = createPostgresStore({ connectionString: database.url });
  await storage.migrate();
  return {
    store: storage.vault,
    close: async () => {
      await storage.close();
      await database.drop();
    },
  };
}

export interface Harness {
  keys: ProviderKeys;
  vault: Vault;
  reader: VaultReader;
  store: VaultStore;
  events: ProviderKeyEvent[];
  audit: VaultAuditEvent[];
  clock: { now: number };
  /** Another manager on the same store (a second instance of the app). */
  another(options?: Partial<ProviderKeysOptions>): ProviderKeys;
}

export const T0 = Date.UTC(2026, 11, 5, 12, 0, 0);

export function harness(
  store: VaultStore,
  options: Partial<ProviderKeysOptions> & { providerList?: readonly ProviderDefinition[] } = {},
): Harness {
  const provider = createLocalKeyProvider(
    Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
  );
  const envelope = createEnvelope({ provider });
  const clock = { now: T0 };
  const audit: VaultAuditEvent[] = [];
  const sink = { emit: (e: VaultAuditEvent) => void audit.push(e) };
  const vault = createVault({ store, envelope, audit: sink, clock: () => clock.now });
  const reader = createVaultReader({ store, envelope, audit: sink, clock: () => clock.now });
  const events: ProviderKeyEvent[] = [];
  const { providerList, ...rest } = options;
  const providers = createProviderRegistry(providerList ?? builtInProviders);
  const make = (more: Partial<ProviderKeysOptions> = {}): ProviderKeys =>
    createProviderKeys({
      providers,
      vault,
      reader,
      clock: () => clock.now,
      onEvent: (e) => void events.push(e),
      ...rest,
      ...more,
    });
  return { keys: make(), vault, reader, store, events, audit, clock, another: make };
}
