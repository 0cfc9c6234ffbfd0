import { InvalidInputError, Redacted } from '@coffer/core';

/**
 * Where your own (platform) key of a provider comes from when a customer has no usable key:
 * called with the provider id, it returns the key (text or `Redacted`), or `undefined` when you
 * have none for that provider. It may be async. `createProviderKeys` keeps its answer for the
 * cache's time to live, so it is not called per request.
 *
 * @example
 * ```ts
 * import type { PlatformKeySource } from '@coffer/provider-keys';
 *
 * const platformKeys: PlatformKeySource = (provider) =>
 *   provider === 'openai' ? process.env.OPENAI_API_KEY : undefined;
 * ```
 */
export type PlatformKeySource = (
  provider: string,
) => string | Redacted<string> | undefined | Promise<string | Redacted<string> | undefined>;

/**
 * The part of an `@coffer/secrets` accessor this adapter uses: `current()` returning a version
 * whose `value` is a `Redacted` string. Structural, so this package does not depend on
 * `@coffer/secrets`.
 */
export interface SecretAccessorLike {
  /** The current version of the secret. */
  current(): { readonly value: Redacted<unknown> };
}

/**
 * A {@link PlatformKeySource} over `@coffer/secrets` accessors, one per provider id: each call
 * reads `current()` (synchronous, from the secrets client's own cache), so a rotation of your
 * platform key is picked up when the provider-keys cache next asks.
 *
 * @param accessors Provider id → accessor, e.g. `{ openai: api.secret('openaiPlatformKey') }`.
 * @returns The source.
 * @throws {InvalidInputError} `INVALID_INPUT` when `accessors` is not an object of accessors.
 *
 * @example
 * ```ts
 * import { redact } from '@coffer/core';
 * import { platformKeysFromSecrets } from '@coffer/provider-keys';
 *
 * // In an app: { openai: secretsClient.secret('openaiPlatformKey') }.
 * const source = platformKeysFromSecrets({ openai: { current: () => ({ value: redact('sk-proj-platform') }) } });
 * (source('openai') as { expose(): string }).expose(); // 'sk-proj-platform'
 * source('anthropic'); // undefined
 * ```
 */
export function platformKeysFromSecrets(
  accessors: Readonly<Record<string, SecretAccessorLike>>,
): PlatformKeySource {
  if (typeof accessors !== 'object' || accessors === null) {
    throw new InvalidInputError('accessors must be an object of provider id → secret accessor', {
      details: { parameter: 'accessors' },
    });
  }
  const byProvider = new Map<string, SecretAccessorLike>();
  for (const [provider, accessor] of Object.entries(accessors)) {
    if (typeof (accessor as Partial<SecretAccessorLike> | null)?.current !== 'function') {
      throw new InvalidInputError(`accessors.${provider.slice(0, 32)} must have current()`, {
        details: { parameter: 'accessors' },
      });
    }
    byProvider.set(provider, accessor);
  }
  return (provider) => {
    const accessor = byProvider.get(provider);
    if (accessor === undefined) return undefined;
    const value = accessor.current().value.expose();
    return typeof value === 'string' ? new Redacted(value) : undefined;
  };
}
