import type { Vault, VaultReader } from '@coffer/vault';
import type { PlatformKeySource } from './platform-keys.js';
import type { ProviderKeyEvent } from './provider-key-events.js';
import type { ProviderRegistry } from './provider-registry.js';
import type { FetchLike } from './validate-key.js';

/**
 * Options of {@link createProviderKeys}.
 *
 * @example
 * ```ts
 * import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
 * import { builtInProviders, createProviderRegistry, type ProviderKeysOptions } from '@coffer/provider-keys';
 * import { createMemoryVaultStore, createVault, createVaultReader } from '@coffer/vault';
 *
 * const store = createMemoryVaultStore();
 * const envelope = createEnvelope({
 *   provider: createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }])),
 * });
 * const options: ProviderKeysOptions = {
 *   providers: createProviderRegistry(builtInProviders),
 *   vault: createVault({ store, envelope }),
 *   reader: createVaultReader({ store, envelope, audit: { emit: () => {} } }),
 *   platformKeys: (provider) => (provider === 'openai' ? process.env.OPENAI_API_KEY : undefined),
 *   onEvent: (event) => console.log(event.type),
 * };
 * ```
 */
export interface ProviderKeysOptions {
  /** The providers keys may be stored for (`createProviderRegistry`). */
  providers: ProviderRegistry;
  /** The vault keys are stored in (`createVault`); only the key is sealed. */
  vault: Vault;
  /** The reader over the same store (`createVaultReader`): `resolve` and `test` reveal through it, audited. */
  reader: VaultReader;
  /** Your own key per provider, used when a customer has no usable one. */
  platformKeys?: PlatformKeySource;
  /** Told when a key is marked invalid or rate-limited (see {@link ProviderKeyEvent}). Errors it throws are ignored. */
  onEvent?: (event: ProviderKeyEvent) => void | Promise<void>;
  /** How long `resolve` keeps an answer in this process, 0–300 000 ms; 5 000 unless given. */
  cacheTtlMs?: number;
  /** How long `resolve` remembers that an owner has no usable key, 0–300 000 ms; `cacheTtlMs` unless given. */
  negativeCacheTtlMs?: number;
  /** At most this many (owner, provider) answers are cached, 1–1 000 000; 10 000 unless given. */
  maxCacheEntries?: number;
  /** At most one last-used write per key per this interval, 1 000–86 400 000 ms; 60 000 unless given. */
  lastUsedIntervalMs?: number;
  /** How long `resolve` falls back after a rate limit that named no wait, 1–3 600 000 ms; 60 000 unless given. */
  rateLimitFallbackMs?: number;
  /** The `fetch` and timeout `test` validates with. */
  validation?: { fetch?: FetchLike; timeoutMs?: number };
  /** The actor recorded in the vault's audit events; `provider-keys` unless given. */
  actor?: string;
  /** Current time in epoch milliseconds; `Date.now` unless given. */
  clock?: () => number;
  /** How long a deleted key stays restorable (shown in `list`); 90 days, the vault's default, unless given. */
  retentionMs?: number;
}

/**
 * Options of the writes of {@link ScopedProviderKeys}.
 *
 * @example
 * ```ts
 * import type { ProviderKeyWriteOptions } from '@coffer/provider-keys';
 *
 * const options: ProviderKeyWriteOptions = { actor: 'user_7 via dashboard' };
 * ```
 */
export interface ProviderKeyWriteOptions {
  /** Who acts, for the vault's audit event; the manager's `actor` unless given. */
  actor?: string;
}
