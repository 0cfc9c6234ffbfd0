import { InvalidInputError } from '@coffer/core';
import { UnknownProviderError } from './errors.js';
import { defineProvider, type ProviderDefinition } from './provider-definition.js';

/** The providers a host knows, by id. */
export interface ProviderRegistry {
  /**
   * The provider with this id.
   *
   * @throws {UnknownProviderError} `UNKNOWN_PROVIDER` when none is registered.
   */
  get(id: string): ProviderDefinition;
  /** Whether a provider with this id is registered. */
  has(id: string): boolean;
  /** The registered ids, in registration order. */
  ids(): readonly string[];
  /** The registered providers, in registration order. */
  list(): readonly ProviderDefinition[];
}

/**
 * A registry of provider definitions: the built-ins you want and your own. Every definition is
 * checked (and frozen) with {@link defineProvider}; ids must be unique. Lookups of unknown ids —
 * including `__proto__`, `constructor` and other inherited names — are `UNKNOWN_PROVIDER`.
 *
 * @param definitions The providers, e.g. `[...builtInProviders, createMetaProvider(…)]`.
 * @returns The registry.
 * @throws {InvalidInputError} `INVALID_INPUT` for a malformed definition or a duplicate id.
 *
 * @example
 * ```ts
 * import { isCofferError } from '@coffer/core';
 * import { builtInProviders, createProviderRegistry } from '@coffer/provider-keys';
 *
 * const providers = createProviderRegistry(builtInProviders);
 * providers.ids(); // ['openai', 'anthropic', 'google', 'mistral']
 * providers.get('anthropic').displayName; // 'Anthropic'
 * try {
 *   providers.get('cohere');
 * } catch (e) {
 *   isCofferError(e, 'UNKNOWN_PROVIDER'); // true
 * }
 * ```
 */
export function createProviderRegistry(
  definitions: Iterable<ProviderDefinition>,
): ProviderRegistry {
  let list: unknown[];
  try {
    if (typeof (definitions as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function') {
      throw new TypeError('not iterable');
    }
    list = Array.from(definitions);
  } catch {
    throw new InvalidInputError('definitions must be an iterable of provider definitions', {
      details: { parameter: 'definitions' },
    });
  }
  const byId = new Map<string, ProviderDefinition>();
  for (const definition of list) {
    const checked = defineProvider(definition as ProviderDefinition);
    if (byId.has(checked.id)) {
      throw new InvalidInputError(
        `Two providers have the id "${checked.id}"; ids must be unique.`,
        {
          details: { parameter: 'definitions', provider: checked.id },
        },
      );
    }
    byId.set(checked.id, checked);
  }
  const ordered = Object.freeze([...byId.values()]);
  const ids = Object.freeze([...byId.keys()]);
  return Object.freeze({
    get(id: string): ProviderDefinition {
      const found = typeof id === 'string' ? byId.get(id) : undefined;
      if (found === undefined) throw new UnknownProviderError(id);
      return found;
    },
    has: (id: string): boolean => typeof id === 'string' && byId.has(id),
    ids: (): readonly string[] => ids,
    list: (): readonly ProviderDefinition[] => ordered,
  });
}
