// The checks of what callers pass (internal): `createProviderKeys`'s options, read once into
// settings with their defaults, and the small argument checks the operations share.
import { InvalidInputError } from '@coffer/core';
import type { Vault, VaultReader } from '@coffer/vault';
import type { PlatformKeySource } from './platform-keys.js';
import type { ProviderKeyEvent } from './provider-key-events.js';
import type { ProviderKeysOptions } from './provider-keys-options.js';
import type { ProviderRegistry } from './provider-registry.js';
import { MAX_RETRY_AFTER_MS } from './retry-after.js';
import type { FetchLike } from './validate-key.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** {@link ProviderKeysOptions}, checked, with every default filled in. */
export interface ProviderKeysSettings {
  readonly providers: ProviderRegistry;
  readonly vault: Vault;
  readonly reader: VaultReader;
  readonly platformKeys: PlatformKeySource | undefined;
  readonly onEvent: ((event: ProviderKeyEvent) => unknown) | undefined;
  readonly clock: () => number;
  /** `cacheTtlMs`: how long an answer of `resolve` (and a platform key) is cached. */
  readonly ttl: number;
  /** `negativeCacheTtlMs`: how long a fallback answer is cached. */
  readonly negativeTtl: number;
  /** `maxCacheEntries`: the bound of the answer cache and of the rate-limit table. */
  readonly maxEntries: number;
  /** `lastUsedIntervalMs`. */
  readonly lastUsedInterval: number;
  /** `rateLimitFallbackMs`. */
  readonly rateLimitFallback: number;
  readonly retentionMs: number;
  readonly validationFetch: FetchLike | undefined;
  readonly validationTimeout: number | undefined;
  /** `actor`: the audit actor of writes that name none. */
  readonly defaultActor: string;
}

/** `value` when it is an integer from `min` to `max`, `fallback` when it is `undefined`. */
function integer(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidInputError(`options.${name} must be an integer from ${min} to ${max}`, {
      details: { parameter: name },
    });
  }
  return value;
}

/** `value` as an object whose fields can be read, or `INVALID_INPUT` naming `name`. */
export function objectOf(value: unknown, name: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidInputError(`${name} must be an object`, { details: { parameter: name } });
  }
  return value as Record<string, unknown>;
}

/** The audit actor of a write's `options`, `fallback` when they name none. */
export function writeActor(options: unknown, fallback: string): string {
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
 * The settings of `options`, each checked (the first malformed one is the error).
 *
 * @throws {InvalidInputError} `INVALID_INPUT` for malformed options.
 */
export function readProviderKeysOptions(options: ProviderKeysOptions): ProviderKeysSettings {
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
  return {
    providers,
    vault,
    reader,
    platformKeys,
    onEvent,
    clock,
    ttl,
    negativeTtl,
    maxEntries,
    lastUsedInterval,
    rateLimitFallback,
    retentionMs,
    validationFetch,
    validationTimeout,
    defaultActor,
  };
}

/** The id of a registered provider. */
export function providerId(providers: ProviderRegistry, provider: unknown): string {
  // UNKNOWN_PROVIDER for anything not registered (the registry checks the type too).
  return providers.get(provider as string).id;
}
