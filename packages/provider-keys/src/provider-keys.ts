import { eventEmitter } from './_event-hook.js';
import { createKeyAdmin } from './_key-admin.js';
import { readProviderKeysOptions } from './_options.js';
import { createFailureReporter } from './_report-failure.js';
import { createResolver } from './_resolver.js';
import type { UpstreamResponse } from './classify-failure.js';
import type { FailureClassification, ProviderKey } from './provider-definition.js';
import type { ProviderKeyInfo, ProviderKeyTestResult } from './provider-key-info.js';
import type { ProviderKeysOptions, ProviderKeyWriteOptions } from './provider-keys-options.js';
import type {
  ProviderKeyRef,
  ReportFailureResult,
  ResolvedProviderKey,
} from './resolved-provider-key.js';

/**
 * One owner's provider keys, from {@link ProviderKeys.forOwner}: what a dashboard handler holds.
 * Every call reaches only this owner's entries (the vault's `forOwner`): another owner's key
 * answers exactly like a missing one.
 *
 * @example
 * ```ts
 * import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
 * import { builtInProviders, createProviderKeys, createProviderRegistry } from '@coffer/provider-keys';
 * import { createMemoryVaultStore, createVault, createVaultReader } from '@coffer/vault';
 *
 * const store = createMemoryVaultStore();
 * const envelope = createEnvelope({
 *   provider: createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }])),
 * });
 * const keys = createProviderKeys({
 *   providers: createProviderRegistry(builtInProviders),
 *   vault: createVault({ store, envelope }),
 *   reader: createVaultReader({ store, envelope, audit: { emit: () => {} } }),
 * });
 * const acme = keys.forOwner('org_acme');
 * await acme.set('openai', `sk-proj-${'A'.repeat(40)}x7Qa`);
 * await acme.disable('openai');
 * (await acme.list())[0]?.status; // 'disabled'
 * await keys.forOwner('org_other').enable('openai'); // throws PROVIDER_KEY_NOT_FOUND
 * ```
 */
export interface ScopedProviderKeys {
  /** The owner every call is limited to. */
  readonly owner: string;
  /**
   * Stores the key: the first time a new entry, afterwards a new version of the same one. The key
   * becomes `active` (a `set` clears `invalid` and `disabled`). Of concurrent `set`s for one
   * provider, one entry results and the last rotation wins.
   *
   * @throws {InvalidInputError} `INVALID_INPUT` when the key does not have the provider's format
   *   (`details.reason`; the message never quotes the key) — nothing is stored.
   * @throws {UnknownProviderError} `UNKNOWN_PROVIDER`.
   * @throws {ProviderKeyConflictError} `PROVIDER_KEY_CONFLICT` when another kind of entry holds the name.
   */
  set(
    provider: string,
    key: ProviderKey,
    options?: ProviderKeyWriteOptions,
  ): Promise<ProviderKeyInfo>;
  /**
   * Makes the key `active` again (clears `invalid`).
   *
   * @throws {ProviderKeyNotFoundError} `PROVIDER_KEY_NOT_FOUND`; {@link UnknownProviderError} `UNKNOWN_PROVIDER`.
   */
  enable(provider: string, options?: ProviderKeyWriteOptions): Promise<ProviderKeyInfo>;
  /**
   * Keeps the key but stops `resolve` from using it.
   *
   * @throws {ProviderKeyNotFoundError} `PROVIDER_KEY_NOT_FOUND`; {@link UnknownProviderError} `UNKNOWN_PROVIDER`.
   */
  disable(provider: string, options?: ProviderKeyWriteOptions): Promise<ProviderKeyInfo>;
  /**
   * Runs the provider's validator on the stored key now and records the result and time. `invalid`
   * marks an active key invalid (and emits `key_invalidated`); `valid` makes an invalid key active
   * again; `rate_limited` and `unreachable` change no status.
   *
   * @throws {ProviderKeyNotFoundError} `PROVIDER_KEY_NOT_FOUND`; {@link UnknownProviderError} `UNKNOWN_PROVIDER`.
   * @throws The signal's reason when `signal` aborts.
   */
  test(provider: string, options?: { signal?: AbortSignal }): Promise<ProviderKeyTestResult>;
  /**
   * Soft-deletes the key: not used, restorable until the vault's retention ends (90 days), then
   * destroyed by the vault's `purgeExpired`.
   *
   * @throws {ProviderKeyNotFoundError} `PROVIDER_KEY_NOT_FOUND`; {@link UnknownProviderError} `UNKNOWN_PROVIDER`.
   */
  delete(provider: string, options?: ProviderKeyWriteOptions): Promise<ProviderKeyInfo>;
  /**
   * Restores the most recently deleted key of the provider.
   *
   * @throws {ProviderKeyNotFoundError} `PROVIDER_KEY_NOT_FOUND` when none is deleted.
   * @throws {ProviderKeyConflictError} `PROVIDER_KEY_CONFLICT` when another key was set meanwhile.
   */
  restore(provider: string, options?: ProviderKeyWriteOptions): Promise<ProviderKeyInfo>;
  /** The owner's keys (with `includeDeleted`, the restorable ones too), in registry order. */
  list(options?: { includeDeleted?: boolean }): Promise<ProviderKeyInfo[]>;
  /**
   * The owner's key when it is active, otherwise the platform key: see {@link ProviderKeys.resolve}.
   *
   * @throws As {@link ProviderKeys.resolve}.
   */
  resolve(provider: string): Promise<ResolvedProviderKey>;
}

/**
 * Customers' provider keys on `@coffer/vault`. Hand request handlers `forOwner(owner)`; the
 * process that calls providers uses `resolve` and `reportFailure`.
 *
 * @example
 * ```ts
 * import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
 * import { builtInProviders, createProviderKeys, createProviderRegistry } from '@coffer/provider-keys';
 * import { createMemoryVaultStore, createVault, createVaultReader } from '@coffer/vault';
 *
 * const store = createMemoryVaultStore();
 * const envelope = createEnvelope({
 *   provider: createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }])),
 * });
 * const keys = createProviderKeys({
 *   providers: createProviderRegistry(builtInProviders),
 *   vault: createVault({ store, envelope }),
 *   reader: createVaultReader({ store, envelope, audit: { emit: () => {} } }),
 *   platformKeys: () => 'sk-proj-platform-key-0000000000',
 * });
 * await keys.forOwner('org_acme').set('openai', `sk-proj-${'A'.repeat(40)}x7Qa`);
 * const used = await keys.resolve('org_acme', 'openai');
 * used.source; // 'customer'
 * const outcome = await keys.reportFailure(used.ref, { status: 401 });
 * outcome.action; // 'marked_invalid'
 * (await keys.resolve('org_acme', 'openai')).source; // 'platform'
 * ```
 */
export interface ProviderKeys {
  /**
   * The keys of one owner (see {@link ScopedProviderKeys}).
   *
   * @throws {InvalidInputError} `INVALID_INPUT` for a malformed owner.
   */
  forOwner(owner: string): ScopedProviderKeys;
  /**
   * The key to call `provider` with for `owner`: the owner's key while it is active and not
   * rate-limited, otherwise the platform key, saying which (`source`) and why (`fallbackReason`).
   * Answers are cached in this process for `cacheTtlMs` (owners without a usable key for
   * `negativeCacheTtlMs`); this process's own changes take effect at once, other instances' within
   * the TTL. A reveal (audited) happens only when the cache is filled.
   *
   * @throws {ProviderKeyUnavailableError} `PROVIDER_KEY_UNAVAILABLE` when the customer's key is not
   *   usable and no platform key is configured for the provider.
   * @throws {UnknownProviderError} `UNKNOWN_PROVIDER`; {@link InvalidInputError} `INVALID_INPUT` for a malformed owner.
   */
  resolve(owner: string, provider: string): Promise<ResolvedProviderKey>;
  /**
   * Tells the manager how your call with a resolved key failed: the provider's response
   * (`{ status, headers?, body? }`, a fetch `Response` works) or a classification you made with
   * `classifyUpstreamFailure`. An authentication failure marks the customer's key `invalid` — only
   * if it is still the version `ref` was resolved from — and emits `key_invalidated`; a rate limit
   * makes `resolve` fall back until its wait is over (in this process). The platform key is never
   * marked; its failures are reported as `platform_key_failed`.
   *
   * @throws {InvalidInputError} `INVALID_INPUT` for a ref this manager did not make, or a malformed response or classification.
   */
  reportFailure(
    ref: ProviderKeyRef,
    failure: UpstreamResponse | FailureClassification,
  ): Promise<ReportFailureResult>;
  /** Waits for pending last-used writes (call before shutting down). */
  flush(): Promise<void>;
}

/**
 * Creates the provider-keys manager over your vault and reader. Keys are stored one per owner and
 * provider as a named vault entry (kind `provider-key`, name `provider-key:<provider>`), so the
 * vault's unique index on an owner's live names enforces "at most one key per provider" — two
 * concurrent first `set`s cannot both insert. Only the key is sealed; provider, status, display
 * prefix and the dates are clear-text status and metadata, changed by compare-and-set.
 *
 * @param options See {@link ProviderKeysOptions}.
 * @returns The {@link ProviderKeys} manager.
 * @throws {InvalidInputError} `INVALID_INPUT` for malformed options.
 *
 * @example
 * ```ts
 * import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
 * import { builtInProviders, createProviderKeys, createProviderRegistry } from '@coffer/provider-keys';
 * import { createMemoryVaultStore, createVault, createVaultReader } from '@coffer/vault';
 *
 * const store = createMemoryVaultStore();
 * const envelope = createEnvelope({
 *   provider: createLocalKeyProvider(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }])),
 * });
 * const keys = createProviderKeys({
 *   providers: createProviderRegistry(builtInProviders),
 *   vault: createVault({ store, envelope }),
 *   reader: createVaultReader({ store, envelope, audit: { emit: () => {} } }),
 *   platformKeys: (provider) => (provider === 'anthropic' ? 'sk-ant-platform' : undefined),
 * });
 * const r = await keys.resolve('org_acme', 'anthropic');
 * r.source; // 'platform'
 * ```
 */
export function createProviderKeys(options: ProviderKeysOptions): ProviderKeys {
  const settings = readProviderKeysOptions(options);
  const { vault } = settings;
  const emit = eventEmitter(settings.onEvent);
  const resolver = createResolver(settings, emit);
  const { resolve } = resolver;
  const { set, setStatus, test, remove, restore, list } = createKeyAdmin(
    settings,
    emit,
    resolver.invalidate,
  );
  const reportFailure = createFailureReporter(settings, emit, resolver);

  function forOwner(givenOwner: unknown): ScopedProviderKeys {
    const owner = vault.forOwner(givenOwner as string).owner;
    return Object.freeze({
      owner,
      set: (provider: string, key: ProviderKey, o?: ProviderKeyWriteOptions) =>
        set(owner, provider, key, o),
      enable: (provider: string, o?: ProviderKeyWriteOptions) =>
        setStatus(owner, provider, 'active', o),
      disable: (provider: string, o?: ProviderKeyWriteOptions) =>
        setStatus(owner, provider, 'disabled', o),
      test: (provider: string, o?: { signal?: AbortSignal }) => test(owner, provider, o),
      delete: (provider: string, o?: ProviderKeyWriteOptions) => remove(owner, provider, o),
      restore: (provider: string, o?: ProviderKeyWriteOptions) => restore(owner, provider, o),
      list: (o?: { includeDeleted?: boolean }) => list(owner, o),
      resolve: (provider: string) => resolve(owner, provider),
    });
  }

  return Object.freeze({
    forOwner,
    resolve: (owner: string, provider: string) => resolve(owner, provider),
    reportFailure,
    flush: resolver.flush,
  });
}
