import { InvalidInputError, isCofferError, Redacted } from '@coffer/core';
import type { ScopedVault, Vault, VaultEntryInfo, VaultReader } from '@coffer/vault';
import {
  currentPrefix,
  effectiveStatus,
  entryName,
  PROVIDER_KEY_KIND,
  providerOfName,
  readMeta,
  type StoredMeta,
  type StoredStatus,
  writeMeta,
} from './_stored-key.js';
import { classifyUpstreamFailure, type UpstreamResponse } from './classify-failure.js';
import { displayPrefix } from './display-prefix.js';
import {
  ProviderKeyBusyError,
  ProviderKeyConflictError,
  ProviderKeyNotFoundError,
  ProviderKeyUnavailableError,
} from './errors.js';
import { checkKeyFormat } from './key-format.js';
import type { PlatformKeySource } from './platform-keys.js';
import type {
  FailureClassification,
  ProviderKey,
  ValidationResult,
} from './provider-definition.js';
import type { ProviderKeyEvent } from './provider-key-events.js';
import type { ProviderRegistry } from './provider-registry.js';
import { MAX_RETRY_AFTER_MS } from './retry-after.js';
import { type FetchLike, validateKey } from './validate-key.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const MUTATE_ATTEMPTS = 8;
const SET_ATTEMPTS = 4;
const REASON = /^[a-z][a-z0-9_]{0,47}$/;

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
 * One stored key as a dashboard shows it. Never the key.
 *
 * @example
 * ```ts
 * import type { ProviderKeyInfo } from '@coffer/provider-keys';
 *
 * const line = (k: ProviderKeyInfo) =>
 *   `${k.provider} ${k.displayPrefix} ${k.status}${k.invalid ? ` (${k.invalid.reason})` : ''}`;
 * ```
 */
export interface ProviderKeyInfo {
  /** The provider id. */
  readonly provider: string;
  /** The provider's display name, or `null` when it is no longer registered. */
  readonly displayName: string | null;
  /** The vault id of the key (stable across `set`). */
  readonly id: string;
  /** The key's version: +1 per `set` after the first. */
  readonly version: number;
  /** `active` (used), `disabled` (kept, not used), `invalid` (refused by the provider; not used). */
  readonly status: StoredStatus;
  /** Why and when the key was marked invalid, while `status` is `invalid`. */
  readonly invalid: { readonly reason: string; readonly at: Date } | null;
  /** What may be shown of the key, e.g. `sk-proj-…x7Qa`. */
  readonly displayPrefix: string;
  /** The last `test` of this version of the key, or `null`. */
  readonly lastValidated: {
    readonly at: Date;
    readonly status: ValidationResult['status'];
    readonly reason: string | null;
  } | null;
  /** When `resolve` last returned it (written at most once per `lastUsedIntervalMs`), or `null`. */
  readonly lastUsedAt: Date | null;
  /** When it was first set. */
  readonly createdAt: Date;
  /** When the key itself was last set. */
  readonly updatedAt: Date;
  /** When it was deleted, or `null`. */
  readonly deletedAt: Date | null;
  /** Until when `restore` can bring it back (then the vault's `purgeExpired` destroys it), or `null`. */
  readonly restorableUntil: Date | null;
}

/**
 * What `resolve` hands back to a handle for {@link ProviderKeys.reportFailure}. Only refs made by
 * the same `createProviderKeys` are accepted; the fields are for logs.
 *
 * @example
 * ```ts
 * import type { ProviderKeyRef } from '@coffer/provider-keys';
 *
 * const log = (ref: ProviderKeyRef) => `${ref.owner}/${ref.provider} via ${ref.source} key`;
 * ```
 */
export interface ProviderKeyRef {
  readonly owner: string;
  readonly provider: string;
  readonly source: 'customer' | 'platform';
}

/**
 * Why `resolve` returned the platform key: no stored key, or the stored one is disabled, invalid,
 * or rate-limited.
 *
 * @example
 * ```ts
 * import type { FallbackReason } from '@coffer/provider-keys';
 *
 * const reason: FallbackReason = 'invalid';
 * ```
 */
export type FallbackReason = 'no_key' | 'disabled' | 'invalid' | 'rate_limited';

/**
 * The key to call the provider with, and whose it is.
 *
 * @example
 * ```ts
 * import type { ResolvedProviderKey } from '@coffer/provider-keys';
 *
 * const header = (r: ResolvedProviderKey) => ({ authorization: `Bearer ${r.key.expose()}` });
 * ```
 */
export type ResolvedProviderKey =
  | {
      readonly source: 'customer';
      readonly provider: string;
      readonly key: Redacted<string>;
      readonly ref: ProviderKeyRef;
    }
  | {
      readonly source: 'platform';
      readonly provider: string;
      readonly key: Redacted<string>;
      readonly ref: ProviderKeyRef;
      /** Why the customer's key was not used. */
      readonly fallbackReason: FallbackReason;
    };

/**
 * What {@link ProviderKeys.reportFailure} did: `marked_invalid` (the customer's key, now invalid;
 * the event was emitted), `rate_limited` (resolve falls back until `until`), `superseded` (the key
 * was replaced, disabled or deleted since it was resolved: nothing changed), `none` (the answer
 * says nothing about the key, or it was the platform key).
 *
 * @example
 * ```ts
 * import type { ReportFailureResult } from '@coffer/provider-keys';
 *
 * const fellBack = (r: ReportFailureResult) => r.action === 'marked_invalid' || r.action === 'rate_limited';
 * ```
 */
export interface ReportFailureResult {
  readonly action: 'marked_invalid' | 'rate_limited' | 'superseded' | 'none';
  /** How the answer was read. */
  readonly classification: FailureClassification;
  /** For `rate_limited`: until when `resolve` falls back. */
  readonly until?: Date;
}

/**
 * The outcome of {@link ScopedProviderKeys.test}: the validator's result, whether it was recorded
 * (not when the key was replaced or deleted while it ran), and the key as it is now.
 *
 * @example
 * ```ts
 * import type { ProviderKeyTestResult } from '@coffer/provider-keys';
 *
 * const ok = (t: ProviderKeyTestResult) => t.result.status === 'valid';
 * ```
 */
export interface ProviderKeyTestResult {
  readonly result: ValidationResult;
  readonly recorded: boolean;
  readonly key: ProviderKeyInfo;
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

/** What a ref stands for (kept out of the object the caller holds). */
interface RefData {
  owner: string;
  provider: string;
  source: 'customer' | 'platform';
  id: string | undefined;
  version: number | undefined;
}

/** A cached answer of `resolve`. */
type Cached =
  | {
      kind: 'customer';
      expiresAt: number;
      result: ResolvedProviderKey;
      /** `result`, settled: what a warm resolve returns (no promise made per call). */
      settled: Promise<ResolvedProviderKey>;
      data: RefData;
      lastUsedWrittenAt: number;
    }
  | {
      kind: 'fallback';
      expiresAt: number;
      reason: FallbackReason;
      provider: string;
      /** The platform key's answer, or `undefined` when there is no platform key. */
      result: ResolvedProviderKey | undefined;
      /** `result`, settled, when there is one. */
      settled: Promise<ResolvedProviderKey> | undefined;
    };

function integer(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidInputError(`options.${name} must be an integer from ${min} to ${max}`, {
      details: { parameter: name },
    });
  }
  return value;
}

function objectOf(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidInputError(`${name} must be an object`, { details: { parameter: name } });
  }
  return value as Record<string, unknown>;
}

function writeActor(options: unknown, fallback: string): string {
  if (options === undefined) return fallback;
  const actor = objectOf(options, 'options').actor;
  if (actor === undefined) return fallback;
  if (typeof actor !== 'string' || actor.length === 0 || actor.length > 256) {
    throw new InvalidInputError('options.actor must be 1–256 characters', {
      details: { parameter: 'actor' },
    });
  }
  return actor;
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
  const o = objectOf(options, 'options');
  const providers = o.providers as ProviderRegistry;
  if (typeof providers?.get !== 'function' || typeof providers.ids !== 'function') {
    throw new InvalidInputError(
      'options.providers must be a registry from createProviderRegistry',
      {
        details: { parameter: 'providers' },
      },
    );
  }
  const vault = o.vault as Vault;
  if (typeof vault?.forOwner !== 'function' || typeof vault.put !== 'function') {
    throw new InvalidInputError('options.vault must be a vault from createVault', {
      details: { parameter: 'vault' },
    });
  }
  const reader = o.reader as VaultReader;
  if (typeof reader?.forOwner !== 'function' || typeof reader.reveal !== 'function') {
    throw new InvalidInputError('options.reader must be a reader from createVaultReader', {
      details: { parameter: 'reader' },
    });
  }
  const fn = <T>(value: unknown, name: string): T | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'function') {
      throw new InvalidInputError(`options.${name} must be a function`, {
        details: { parameter: name },
      });
    }
    return value as T;
  };
  const platformKeys = fn<PlatformKeySource>(o.platformKeys, 'platformKeys');
  const onEvent = fn<(event: ProviderKeyEvent) => unknown>(o.onEvent, 'onEvent');
  const clock = fn<() => number>(o.clock, 'clock') ?? Date.now;
  const ttl = integer(o.cacheTtlMs, 'cacheTtlMs', 0, 300_000, 5_000);
  const negativeTtl = integer(o.negativeCacheTtlMs, 'negativeCacheTtlMs', 0, 300_000, ttl);
  const maxEntries = integer(o.maxCacheEntries, 'maxCacheEntries', 1, 1_000_000, 10_000);
  const lastUsedInterval = integer(
    o.lastUsedIntervalMs,
    'lastUsedIntervalMs',
    1_000,
    DAY_MS,
    60_000,
  );
  const rateLimitFallback = integer(
    o.rateLimitFallbackMs,
    'rateLimitFallbackMs',
    1,
    MAX_RETRY_AFTER_MS,
    60_000,
  );
  const retentionMs = integer(o.retentionMs, 'retentionMs', 0, 3650 * DAY_MS, 90 * DAY_MS);
  const validation = o.validation === undefined ? {} : objectOf(o.validation, 'validation');
  const validationFetch = fn<FetchLike>(validation.fetch, 'validation.fetch');
  const validationTimeout =
    validation.timeoutMs === undefined
      ? undefined
      : integer(validation.timeoutMs, 'validation.timeoutMs', 1, 600_000, 5_000);
  const defaultActor = writeActor({ actor: o.actor }, 'provider-keys');

  const refs = new WeakMap<ProviderKeyRef, RefData>();
  const cache = new Map<string, Cached>();
  const loading = new Map<string, Promise<Cached>>();
  const rateLimited = new Map<string, { id: string; version: number; until: number }>();
  const platformCache = new Map<string, { key: Redacted<string> | undefined; expiresAt: number }>();
  const pending = new Set<Promise<void>>();
  /** Markings in progress, by key, id, version and reason: a burst of 401s makes one write. */
  const markings = new Map<string, Promise<ReportFailureResult>>();
  /** Bumped by every local change: a load that started before one does not fill the cache. */
  let changes = 0;

  const cacheKey = (owner: string, provider: string): string => `${owner}\u0000${provider}`;

  function emit(event: ProviderKeyEvent): void {
    if (onEvent === undefined) return;
    try {
      const r = onEvent(event) as { then?: unknown } | undefined;
      if (typeof r?.then === 'function') (r as Promise<unknown>).then(undefined, () => undefined);
    } catch {
      // A hook's failure must not undo or fail the operation that happened.
    }
  }

  function makeRef(data: RefData): ProviderKeyRef {
    const ref: ProviderKeyRef = Object.freeze({
      owner: data.owner,
      provider: data.provider,
      source: data.source,
    });
    refs.set(ref, data);
    return ref;
  }

  function invalidate(owner: string, provider: string): void {
    changes++;
    const key = cacheKey(owner, provider);
    cache.delete(key);
    loading.delete(key);
    rateLimited.delete(key);
  }

  function remember(key: string, value: Cached): void {
    if (cache.size >= maxEntries && !cache.has(key)) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    cache.set(key, value);
  }

  function infoOf(e: VaultEntryInfo): ProviderKeyInfo {
    const meta = readMeta(e.metadata);
    const provider = providerOfName(e.name) ?? meta.provider ?? '';
    const status = effectiveStatus(e, meta);
    const fresh = meta.statusVersion === e.version;
    const displayName = providers.has(provider) ? providers.get(provider).displayName : null;
    return Object.freeze({
      provider,
      displayName,
      id: e.id,
      version: e.version,
      status,
      invalid:
        status === 'invalid' && fresh
          ? Object.freeze({
              reason: meta.invalidReason ?? 'key_rejected',
              at: new Date(meta.invalidAt ?? e.updatedAt.getTime()),
            })
          : null,
      displayPrefix: currentPrefix(e, meta),
      lastValidated:
        meta.validatedVersion === e.version &&
        meta.validatedAt !== undefined &&
        meta.validation !== undefined
          ? Object.freeze({
              at: new Date(meta.validatedAt),
              status: meta.validation as ValidationResult['status'],
              reason: meta.validationReason ?? null,
            })
          : null,
      lastUsedAt: meta.lastUsedAt === undefined ? null : new Date(meta.lastUsedAt),
      createdAt: e.createdAt,
      updatedAt: e.updatedAt,
      deletedAt: e.deletedAt,
      restorableUntil: e.deletedAt === null ? null : new Date(e.deletedAt.getTime() + retentionMs),
    });
  }

  /** The owner's live provider-key entry, `undefined` when none; a foreign entry is a conflict. */
  async function findKey(
    scoped: ScopedVault,
    provider: string,
  ): Promise<VaultEntryInfo | undefined> {
    const e = await scoped.findByName(entryName(provider));
    if (e !== undefined && e.kind !== PROVIDER_KEY_KIND) {
      throw new ProviderKeyConflictError(provider, 'foreign_entry');
    }
    return e;
  }

  type Change = { status?: StoredStatus; meta: StoredMeta } | undefined;
  type Mutated =
    | { outcome: 'updated'; entry: VaultEntryInfo; before: VaultEntryInfo }
    | { outcome: 'unchanged'; entry: VaultEntryInfo }
    | { outcome: 'superseded' };

  /**
   * A read-modify-write of a key's status and metadata by compare-and-set on its revision (and,
   * when pinned, its id and version), retried when another update won the race in between.
   * Metadata is replaced whole by the vault, so every writer starts from what it just read.
   */
  async function mutate(
    owner: string,
    provider: string,
    change: (e: VaultEntryInfo, meta: StoredMeta, status: StoredStatus) => Change,
    pin: { id: string; version: number } | undefined,
    actor: string,
  ): Promise<Mutated> {
    const scoped = vault.forOwner(owner);
    for (let attempt = 0; attempt < MUTATE_ATTEMPTS; attempt++) {
      const e = await findKey(scoped, provider);
      if (e === undefined) {
        if (pin !== undefined) return { outcome: 'superseded' };
        throw new ProviderKeyNotFoundError(provider);
      }
      if (pin !== undefined && (e.id !== pin.id || e.version !== pin.version)) {
        return { outcome: 'superseded' };
      }
      const meta = readMeta(e.metadata);
      const c = change(e, meta, effectiveStatus(e, meta));
      if (c === undefined) return { outcome: 'unchanged', entry: e };
      try {
        const entry = await scoped.update(
          e.id,
          {
            ...(c.status === undefined ? {} : { status: c.status }),
            metadata: writeMeta({ ...c.meta, provider }),
          },
          { expectedRevision: e.revision, expectedVersion: e.version, actor },
        );
        return { outcome: 'updated', entry, before: e };
      } catch (error) {
        if (isCofferError(error, 'REVISION_CONFLICT')) continue;
        if (
          isCofferError(error, 'VERSION_CONFLICT') ||
          isCofferError(error, 'DELETED') ||
          isCofferError(error, 'NOT_FOUND')
        ) {
          if (pin !== undefined) return { outcome: 'superseded' };
          continue;
        }
        throw error;
      }
    }
    if (pin !== undefined) return { outcome: 'superseded' };
    throw new ProviderKeyBusyError(provider);
  }

  /** Status `status` for the entry's current version, with `invalid` fields set or cleared. */
  function withStatus(
    e: VaultEntryInfo,
    meta: StoredMeta,
    status: StoredStatus,
    invalid?: { reason: string; at: number },
  ): { status: StoredStatus; meta: StoredMeta } {
    return {
      status,
      meta: {
        ...meta,
        statusVersion: e.version,
        invalidReason: invalid?.reason,
        invalidAt: invalid?.at,
      },
    };
  }

  function providerId(provider: unknown): string {
    // UNKNOWN_PROVIDER for anything not registered (the registry checks the type too).
    return providers.get(provider as string).id;
  }

  async function set(
    owner: string,
    givenProvider: unknown,
    key: unknown,
    options: unknown,
  ): Promise<ProviderKeyInfo> {
    const provider = providerId(givenProvider);
    const definition = providers.get(provider);
    const actor = writeActor(options, defaultActor);
    const format = checkKeyFormat(definition, key as ProviderKey);
    if (!format.ok) {
      throw new InvalidInputError(
        `The key does not have the ${definition.displayName} key format (${format.reason}); nothing was stored. Ask for the key again.`,
        { details: { parameter: 'key', provider, reason: format.reason } },
      );
    }
    const value = Redacted.isRedacted(key)
      ? ((key as Redacted<string>).expose() as string)
      : (key as string);
    const prefix = displayPrefix(definition, value);
    const scoped = vault.forOwner(owner);
    try {
      for (let attempt = 0; attempt < SET_ATTEMPTS; attempt++) {
        const e = await findKey(scoped, provider);
        if (e === undefined) {
          try {
            const meta: StoredMeta = { ...readMeta({}), prefix, keyVersion: 1, statusVersion: 1 };
            const { id } = await scoped.put({
              kind: PROVIDER_KEY_KIND,
              name: entryName(provider),
              status: 'active',
              metadata: writeMeta({ ...meta, provider }),
              value,
              actor,
            });
            return infoOf(await scoped.describe(id));
          } catch (error) {
            // Another set inserted first: rotate its entry instead (the last rotation wins).
            if (isCofferError(error, 'NAME_TAKEN')) continue;
            throw error;
          }
        }
        let version: number;
        try {
          ({ version } = await scoped.rotate(e.id, value, { actor }));
        } catch (error) {
          // Deleted or destroyed in between: insert a new one.
          if (isCofferError(error, 'DELETED') || isCofferError(error, 'NOT_FOUND')) continue;
          throw error;
        }
        const done = await mutate(
          owner,
          provider,
          (current, meta) => ({
            status: 'active',
            meta: {
              ...withStatus(current, meta, 'active').meta,
              prefix,
              keyVersion: current.version,
              validation: undefined,
              validationReason: undefined,
              validatedAt: undefined,
              validatedVersion: undefined,
            },
          }),
          { id: e.id, version },
          actor,
        );
        // `superseded`: another set rotated after this one; its update describes the key.
        if (done.outcome !== 'superseded') return infoOf(done.entry);
        const now = await findKey(scoped, provider);
        if (now !== undefined) return infoOf(now);
      }
    } finally {
      invalidate(owner, provider);
    }
    throw new ProviderKeyBusyError(provider);
  }

  async function setStatus(
    owner: string,
    givenProvider: unknown,
    status: 'active' | 'disabled',
    options: unknown,
  ): Promise<ProviderKeyInfo> {
    const provider = providerId(givenProvider);
    const actor = writeActor(options, defaultActor);
    try {
      const done = await mutate(
        owner,
        provider,
        (e, meta, current) =>
          current === status && meta.statusVersion === e.version
            ? undefined
            : withStatus(e, meta, status),
        undefined,
        actor,
      );
      if (done.outcome === 'superseded') throw new ProviderKeyNotFoundError(provider);
      return infoOf(done.entry);
    } finally {
      invalidate(owner, provider);
    }
  }

  async function test(
    owner: string,
    givenProvider: unknown,
    options: unknown,
  ): Promise<ProviderKeyTestResult> {
    const provider = providerId(givenProvider);
    const definition = providers.get(provider);
    const o = options === undefined ? {} : objectOf(options, 'options');
    if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
      throw new InvalidInputError('options.signal must be an AbortSignal', {
        details: { parameter: 'signal' },
      });
    }
    const signal = o.signal as AbortSignal | undefined;
    let revealed: Awaited<ReturnType<ReturnType<VaultReader['forOwner']>['revealByName']>>;
    try {
      revealed = await reader.forOwner(owner).revealByName(entryName(provider), {
        actor: defaultActor,
        purpose: `test ${provider} key`,
      });
    } catch (error) {
      if (isCofferError(error, 'NOT_FOUND')) throw new ProviderKeyNotFoundError(provider);
      throw error;
    }
    if (revealed.entry.kind !== PROVIDER_KEY_KIND) {
      throw new ProviderKeyConflictError(provider, 'foreign_entry');
    }
    const result = await validateKey(definition, revealed.value, {
      ...(validationFetch === undefined ? {} : { fetch: validationFetch }),
      ...(validationTimeout === undefined ? {} : { timeoutMs: validationTimeout }),
      ...(signal === undefined ? {} : { signal }),
      now: clock,
    });
    const at = clock();
    const reason =
      result.status === 'invalid' || result.status === 'unreachable' ? result.reason : undefined;
    let invalidated = false;
    try {
      const done = await mutate(
        owner,
        provider,
        (e, meta, current) => {
          invalidated = false;
          const recorded: StoredMeta = {
            ...meta,
            validation: result.status,
            validationReason: reason,
            validatedAt: at,
            validatedVersion: e.version,
          };
          if (result.status === 'invalid' && current === 'active') {
            invalidated = true;
            return withStatus(e, recorded, 'invalid', { reason: result.reason, at });
          }
          if (result.status === 'valid' && current === 'invalid') {
            return withStatus(e, recorded, 'active');
          }
          return { meta: recorded };
        },
        { id: revealed.entry.id, version: revealed.version },
        defaultActor,
      );
      if (done.outcome === 'superseded') {
        const now = await findKey(vault.forOwner(owner), provider);
        if (now === undefined) throw new ProviderKeyNotFoundError(provider);
        return { result, recorded: false, key: infoOf(now) };
      }
      if (invalidated && result.status === 'invalid') {
        emit({
          type: 'key_invalidated',
          owner,
          provider,
          keyId: revealed.entry.id,
          version: revealed.version,
          reason: result.reason,
          trigger: 'test',
          at: new Date(at),
        });
      }
      return { result, recorded: true, key: infoOf(done.entry) };
    } finally {
      invalidate(owner, provider);
    }
  }

  async function remove(owner: string, givenProvider: unknown, options: unknown) {
    const provider = providerId(givenProvider);
    const actor = writeActor(options, defaultActor);
    const scoped = vault.forOwner(owner);
    try {
      const e = await findKey(scoped, provider);
      if (e === undefined) throw new ProviderKeyNotFoundError(provider);
      return infoOf(await scoped.delete(e.id, { actor }));
    } catch (error) {
      if (isCofferError(error, 'NOT_FOUND')) throw new ProviderKeyNotFoundError(provider);
      throw error;
    } finally {
      invalidate(owner, provider);
    }
  }

  /** Every provider-key entry of the owner (deleted ones too when asked), page by page. */
  async function allEntries(scoped: ScopedVault, includeDeleted: boolean) {
    const out: VaultEntryInfo[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await scoped.list({
        kind: PROVIDER_KEY_KIND,
        includeDeleted,
        limit: 1000,
        ...(cursor === undefined ? {} : { cursor }),
      });
      out.push(...page.items);
      if (page.nextCursor === null) return out;
      cursor = page.nextCursor;
    }
  }

  async function restore(owner: string, givenProvider: unknown, options: unknown) {
    const provider = providerId(givenProvider);
    const actor = writeActor(options, defaultActor);
    const scoped = vault.forOwner(owner);
    const name = entryName(provider);
    try {
      const deleted = (await allEntries(scoped, true))
        .filter((e) => e.name === name && e.deletedAt !== null)
        .sort((a, b) => (b.deletedAt?.getTime() ?? 0) - (a.deletedAt?.getTime() ?? 0))[0];
      if (deleted === undefined) throw new ProviderKeyNotFoundError(provider, true);
      try {
        return infoOf(await scoped.restore(deleted.id, { actor }));
      } catch (error) {
        if (isCofferError(error, 'NAME_TAKEN')) {
          throw new ProviderKeyConflictError(provider, 'restore');
        }
        if (isCofferError(error, 'NOT_FOUND')) throw new ProviderKeyNotFoundError(provider, true);
        throw error;
      }
    } finally {
      invalidate(owner, provider);
    }
  }

  async function list(owner: string, options: unknown): Promise<ProviderKeyInfo[]> {
    const o = options === undefined ? {} : objectOf(options, 'options');
    const rows = (await allEntries(vault.forOwner(owner), o.includeDeleted === true))
      .filter((e) => providerOfName(e.name) !== undefined)
      .map(infoOf);
    const order = providers.ids();
    const rank = (p: string): number => {
      const i = order.indexOf(p);
      return i === -1 ? order.length : i;
    };
    return rows.sort(
      (a, b) =>
        rank(a.provider) - rank(b.provider) ||
        a.provider.localeCompare(b.provider) ||
        (a.deletedAt === null ? 0 : 1) - (b.deletedAt === null ? 0 : 1),
    );
  }

  /** The platform key of `provider` (cached for the TTL); `failed` when the host's source threw. */
  async function platformKey(
    provider: string,
  ): Promise<{ key: Redacted<string> | undefined; failed: boolean }> {
    const now = clock();
    const hit = platformCache.get(provider);
    if (hit !== undefined && hit.expiresAt > now) return { key: hit.key, failed: false };
    if (platformKeys === undefined) return { key: undefined, failed: false };
    let key: Redacted<string> | undefined;
    try {
      const given: unknown = await platformKeys(provider);
      if (typeof given === 'string' && given.length > 0) key = new Redacted(given);
      else if (Redacted.isRedacted(given)) {
        const text = (given as Redacted<unknown>).expose();
        if (typeof text === 'string' && text.length > 0) key = given as Redacted<string>;
      }
    } catch {
      // The host's source failed: no platform key this time, asked again next time.
      return { key: undefined, failed: true };
    }
    platformCache.set(provider, { key, expiresAt: now + ttl });
    return { key, failed: false };
  }

  /** The fallback answer: the platform key with a ref, or `undefined` when there is none. */
  async function fallback(
    owner: string,
    provider: string,
    reason: FallbackReason,
  ): Promise<{ result: ResolvedProviderKey | undefined; failed: boolean }> {
    const { key, failed } = await platformKey(provider);
    if (key === undefined) return { result: undefined, failed };
    const ref = makeRef({ owner, provider, source: 'platform', id: undefined, version: undefined });
    return {
      result: Object.freeze({ source: 'platform', provider, key, ref, fallbackReason: reason }),
      failed,
    };
  }

  async function fallbackEntry(
    owner: string,
    provider: string,
    reason: FallbackReason,
  ): Promise<Cached> {
    const { result, failed } = await fallback(owner, provider, reason);
    // A failed platform source is not remembered: the next resolve asks it again.
    const expiresAt = failed ? 0 : clock() + negativeTtl;
    return {
      kind: 'fallback',
      expiresAt,
      reason,
      provider,
      result,
      settled: result === undefined ? undefined : Promise.resolve(result),
    };
  }

  async function load(owner: string, provider: string): Promise<Cached> {
    const started = changes;
    const scoped = vault.forOwner(owner);
    let answer: Cached | undefined;
    for (let attempt = 0; attempt < 3 && answer === undefined; attempt++) {
      const e = await findKey(scoped, provider);
      if (e === undefined) {
        answer = await fallbackEntry(owner, provider, 'no_key');
        break;
      }
      const meta = readMeta(e.metadata);
      const status = effectiveStatus(e, meta);
      if (status !== 'active') {
        answer = await fallbackEntry(owner, provider, status);
        break;
      }
      const now = clock();
      try {
        const value = await reader.forOwner(owner).reveal(e.id, {
          actor: defaultActor,
          purpose: `call ${provider}`,
          version: e.version,
        });
        const data: RefData = { owner, provider, source: 'customer', id: e.id, version: e.version };
        const result: ResolvedProviderKey = Object.freeze({
          source: 'customer',
          provider,
          key: value,
          ref: makeRef(data),
        });
        answer = {
          kind: 'customer',
          expiresAt: now + ttl,
          result,
          settled: Promise.resolve(result),
          data,
          lastUsedWrittenAt: meta.lastUsedAt ?? 0,
        };
      } catch (error) {
        // Rotated past the version, deleted or destroyed between the two reads: read again.
        if (!isCofferError(error, 'NOT_FOUND') && !isCofferError(error, 'DELETED')) throw error;
      }
    }
    if (answer === undefined) {
      answer = { ...(await fallbackEntry(owner, provider, 'no_key')), expiresAt: 0 };
    } else if (changes === started && answer.expiresAt > 0) {
      remember(cacheKey(owner, provider), answer);
    }
    return answer;
  }

  function touch(entry: Extract<Cached, { kind: 'customer' }>, now: number): void {
    entry.lastUsedWrittenAt = now;
    const { owner, provider, id, version } = entry.data;
    if (id === undefined || version === undefined) return;
    const write = mutate(
      owner,
      provider,
      (_e, meta) =>
        meta.lastUsedAt !== undefined && meta.lastUsedAt >= now
          ? undefined
          : { meta: { ...meta, lastUsedAt: now } },
      { id, version },
      defaultActor,
    ).then(
      () => undefined,
      (error: unknown) =>
        emit({
          type: 'background_write_failed',
          owner,
          provider,
          code: isCofferError(error) ? error.code : 'UNKNOWN',
          at: new Date(clock()),
        }),
    );
    pending.add(write);
    void write.finally(() => pending.delete(write));
  }

  async function answer(hit: Cached, key: string, now: number): Promise<ResolvedProviderKey> {
    if (hit.kind === 'fallback') {
      if (hit.result === undefined) throw new ProviderKeyUnavailableError(hit.provider, hit.reason);
      return hit.result;
    }
    const limit = rateLimited.get(key);
    if (limit !== undefined) {
      if (limit.until > now && limit.id === hit.data.id && limit.version === hit.data.version) {
        const { result } = await fallback(hit.data.owner, hit.data.provider, 'rate_limited');
        if (result === undefined) {
          throw new ProviderKeyUnavailableError(hit.data.provider, 'rate_limited');
        }
        return result;
      }
      rateLimited.delete(key);
    }
    if (now - hit.lastUsedWrittenAt >= lastUsedInterval) touch(hit, now);
    return hit.result;
  }

  /**
   * The warm path returns the cached, settled promise of the answer without making one per call;
   * everything else (a miss, an expired answer, a rate-limited key) goes through `resolveSlow`.
   */
  function resolve(owner: unknown, provider: unknown): Promise<ResolvedProviderKey> {
    if (typeof owner === 'string' && typeof provider === 'string') {
      const key = cacheKey(owner, provider);
      const hit = cache.get(key);
      if (hit !== undefined) {
        const now = clock();
        if (hit.expiresAt > now) {
          if (hit.kind === 'fallback') {
            if (hit.settled !== undefined) return hit.settled;
          } else if (rateLimited.size === 0 || !rateLimited.has(key)) {
            if (now - hit.lastUsedWrittenAt >= lastUsedInterval) touch(hit, now);
            return hit.settled;
          }
        }
      }
    }
    return resolveSlow(owner, provider);
  }

  async function resolveSlow(owner: unknown, provider: unknown): Promise<ResolvedProviderKey> {
    if (typeof owner === 'string' && typeof provider === 'string') {
      const key = cacheKey(owner, provider);
      const hit = cache.get(key);
      if (hit !== undefined) {
        const now = clock();
        if (hit.expiresAt > now) return answer(hit, key, now);
        cache.delete(key);
      }
    }
    const id = providerId(provider);
    const scopedOwner = vault.forOwner(owner as string).owner; // INVALID_INPUT for a bad owner
    const key = cacheKey(scopedOwner, id);
    let inFlight = loading.get(key);
    if (inFlight === undefined) {
      inFlight = load(scopedOwner, id);
      loading.set(key, inFlight);
      const settled = inFlight;
      void settled.then(
        () => loading.get(key) === settled && loading.delete(key),
        () => loading.get(key) === settled && loading.delete(key),
      );
    }
    return answer(await inFlight, key, clock());
  }

  /**
   * The failure as a classification. What the caller passes is read once, field by field: a value
   * whose getters throw (a hostile proxy) is `INVALID_INPUT`, never its own error.
   */
  function checkFailure(provider: string, failure: unknown): FailureClassification {
    try {
      return readFailure(provider, failure);
    } catch (error) {
      if (isCofferError(error)) throw error;
      throw new InvalidInputError(
        'failure could not be read: pass { status, headers?, body? } or a classification',
        {
          details: { parameter: 'failure' },
        },
      );
    }
  }

  function readFailure(provider: string, failure: unknown): FailureClassification {
    const f = objectOf(failure, 'failure');
    if (typeof f.kind === 'string') {
      if (f.kind === 'auth_failed') {
        if (typeof f.reason !== 'string' || !REASON.test(f.reason)) {
          throw new InvalidInputError(
            'failure.reason must be a reason code (^[a-z][a-z0-9_]{0,47}$) for auth_failed',
            { details: { parameter: 'failure' } },
          );
        }
        return { kind: 'auth_failed', reason: f.reason };
      }
      if (f.kind === 'rate_limited') {
        if (f.retryAfterMs === undefined) return { kind: 'rate_limited' };
        if (
          typeof f.retryAfterMs !== 'number' ||
          !Number.isFinite(f.retryAfterMs) ||
          f.retryAfterMs < 0
        ) {
          throw new InvalidInputError('failure.retryAfterMs must be a number of milliseconds ≥ 0', {
            details: { parameter: 'failure' },
          });
        }
        return {
          kind: 'rate_limited',
          retryAfterMs: Math.min(Math.ceil(f.retryAfterMs), MAX_RETRY_AFTER_MS),
        };
      }
      if (f.kind === 'other') return { kind: 'other' };
      throw new InvalidInputError("failure.kind must be 'auth_failed', 'rate_limited' or 'other'", {
        details: { parameter: 'failure' },
      });
    }
    return classifyUpstreamFailure(providers.get(provider), f as unknown as UpstreamResponse, {
      now: clock(),
    });
  }

  async function reportFailure(
    givenRef: ProviderKeyRef,
    failure: UpstreamResponse | FailureClassification,
  ): Promise<ReportFailureResult> {
    const data = typeof givenRef === 'object' && givenRef !== null ? refs.get(givenRef) : undefined;
    if (data === undefined) {
      throw new InvalidInputError('ref must be the ref of a key this manager resolved', {
        details: { parameter: 'ref' },
      });
    }
    const { owner, provider } = data;
    const classification = checkFailure(provider, failure);
    const now = clock();
    if (classification.kind === 'other') return { action: 'none', classification };
    if (data.source === 'platform' || data.id === undefined || data.version === undefined) {
      emit({
        type: 'platform_key_failed',
        owner,
        provider,
        kind: classification.kind,
        ...(classification.kind === 'auth_failed' ? { reason: classification.reason } : {}),
        at: new Date(now),
      });
      return { action: 'none', classification };
    }
    const pin = { id: data.id, version: data.version };
    if (classification.kind === 'rate_limited') {
      const current = cache.get(cacheKey(owner, provider));
      if (
        current !== undefined &&
        current.kind === 'customer' &&
        (current.data.id !== pin.id || current.data.version !== pin.version)
      ) {
        return { action: 'superseded', classification };
      }
      const until = now + (classification.retryAfterMs ?? rateLimitFallback);
      const key = cacheKey(owner, provider);
      if (!rateLimited.has(key) && rateLimited.size >= maxEntries) {
        for (const [k, v] of rateLimited) if (v.until <= now) rateLimited.delete(k);
        const oldest = rateLimited.keys().next();
        if (rateLimited.size >= maxEntries && oldest.done !== true)
          rateLimited.delete(oldest.value);
      }
      rateLimited.set(key, { ...pin, until });
      emit({
        type: 'key_rate_limited',
        owner,
        provider,
        keyId: pin.id,
        version: pin.version,
        until: new Date(until),
        at: new Date(now),
      });
      return { action: 'rate_limited', classification, until: new Date(until) };
    }
    const reason = classification.reason;
    const markingKey = `${cacheKey(owner, provider)}\u0000${pin.id}\u0000${pin.version}\u0000${reason}`;
    let marking = markings.get(markingKey);
    if (marking === undefined) {
      marking = markInvalid(owner, provider, pin, classification, now);
      markings.set(markingKey, marking);
      const settled = marking;
      void settled.then(
        () => markings.delete(markingKey),
        () => markings.delete(markingKey),
      );
    }
    return marking;
  }

  async function markInvalid(
    owner: string,
    provider: string,
    pin: { id: string; version: number },
    classification: Extract<FailureClassification, { kind: 'auth_failed' }>,
    now: number,
  ): Promise<ReportFailureResult> {
    const reason = classification.reason;
    let marked = false;
    try {
      const done = await mutate(
        owner,
        provider,
        (e, meta, status) => {
          marked = false;
          if (status !== 'active') return undefined; // already invalid, or disabled: keep it
          marked = true;
          return withStatus(e, meta, 'invalid', { reason, at: now });
        },
        pin,
        defaultActor,
      );
      if (done.outcome === 'superseded') return { action: 'superseded', classification };
      if (done.outcome === 'unchanged' || !marked) {
        const status = effectiveStatus(done.entry, readMeta(done.entry.metadata));
        return { action: status === 'invalid' ? 'marked_invalid' : 'superseded', classification };
      }
      emit({
        type: 'key_invalidated',
        owner,
        provider,
        keyId: pin.id,
        version: pin.version,
        reason,
        trigger: 'upstream',
        at: new Date(now),
      });
      return { action: 'marked_invalid', classification };
    } finally {
      invalidate(owner, provider);
    }
  }

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
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  });
}
