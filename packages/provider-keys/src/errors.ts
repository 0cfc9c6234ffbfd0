import { CofferError } from '@coffer/core';

// A provider id as it may be echoed in details: printable ASCII, bounded. Anything else (it came
// from a request, after all) is left out rather than quoted.
const ECHOABLE_ID = /^[\x21-\x7e]{1,64}$/;

/**
 * No provider with this id is registered. Code `UNKNOWN_PROVIDER`, status 404. `details.provider`
 * carries the id when it is short printable ASCII (it usually comes from a request).
 *
 * @example
 * ```ts
 * import { UnknownProviderError } from '@coffer/provider-keys';
 *
 * const err = new UnknownProviderError('cohere');
 * err.code; // 'UNKNOWN_PROVIDER'
 * err.details; // { provider: 'cohere' }
 * ```
 */
export class UnknownProviderError extends CofferError {
  /** @param id The provider id that was looked up. */
  constructor(id: unknown) {
    const echo = typeof id === 'string' && ECHOABLE_ID.test(id);
    super(
      'UNKNOWN_PROVIDER',
      echo
        ? `No provider "${id}" is registered; register its ProviderDefinition with createProviderRegistry, or check the id.`
        : 'No provider with that id is registered; register its ProviderDefinition with createProviderRegistry, or check the id.',
      { status: 404, ...(echo ? { details: { provider: id } } : {}) },
    );
  }
}

/** Which part of a provider definition misbehaved. */
export type ProviderDefinitionStep =
  | 'checkFormat'
  | 'validation.request'
  | 'validation.interpret'
  | 'classifyFailure';

/**
 * A provider definition's own function threw or returned something that is not a valid answer
 * (a host-added provider with a bug). Code `PROVIDER_DEFINITION_FAILED`, status 500. The function's
 * own error is dropped, never attached as `cause`: it could quote the key.
 *
 * @example
 * ```ts
 * import { ProviderDefinitionError } from '@coffer/provider-keys';
 *
 * const err = new ProviderDefinitionError('acme', 'classifyFailure', 'threw');
 * err.details; // { provider: 'acme', step: 'classifyFailure', problem: 'threw' }
 * ```
 */
export class ProviderDefinitionError extends CofferError {
  /**
   * @param provider The id of the provider whose definition failed.
   * @param step The function that failed.
   * @param problem Whether it threw or returned something unusable.
   */
  constructor(provider: string, step: ProviderDefinitionStep, problem: 'threw' | 'bad_result') {
    super(
      'PROVIDER_DEFINITION_FAILED',
      problem === 'threw'
        ? `The ${step} function of provider "${provider}" threw; fix the provider definition (its error is not shown because it could contain the key).`
        : `The ${step} function of provider "${provider}" returned something that is not a valid answer; fix the provider definition.`,
      { status: 500, details: { provider, step, problem } },
    );
  }
}

/**
 * The owner has no stored key for this provider — also when another owner has one: the answer is
 * the same. Code `PROVIDER_KEY_NOT_FOUND`, status 404.
 *
 * @example
 * ```ts
 * import { ProviderKeyNotFoundError } from '@coffer/provider-keys';
 *
 * const err = new ProviderKeyNotFoundError('openai');
 * err.code; // 'PROVIDER_KEY_NOT_FOUND'
 * err.details; // { provider: 'openai' }
 * ```
 */
export class ProviderKeyNotFoundError extends CofferError {
  /**
   * @param provider The provider id.
   * @param deleted Whether the lookup was for a deleted key (`restore`).
   */
  constructor(provider: string, deleted = false) {
    super(
      'PROVIDER_KEY_NOT_FOUND',
      deleted
        ? `No deleted ${provider} key of this owner is left to restore (it was never stored, is live, or was purged).`
        : `No ${provider} key is stored for this owner; set one first.`,
      { status: 404, details: { provider } },
    );
  }
}

/**
 * The owner's key slot for this provider is taken: `restore` of a deleted key while another key
 * was set meanwhile, or an entry of another kind holds the name this package uses. Code
 * `PROVIDER_KEY_CONFLICT`, status 409; nothing changed.
 *
 * @example
 * ```ts
 * import { ProviderKeyConflictError } from '@coffer/provider-keys';
 *
 * new ProviderKeyConflictError('openai', 'restore').code; // 'PROVIDER_KEY_CONFLICT'
 * ```
 */
export class ProviderKeyConflictError extends CofferError {
  /**
   * @param provider The provider id.
   * @param problem `restore`: another key is live; `foreign_entry`: a vault entry of another kind holds the name.
   */
  constructor(provider: string, problem: 'restore' | 'foreign_entry') {
    super(
      'PROVIDER_KEY_CONFLICT',
      problem === 'restore'
        ? `A ${provider} key is already set for this owner; delete it before restoring the old one. Nothing changed.`
        : `A vault entry of another kind holds the name this package uses for the ${provider} key of this owner; rename or delete that entry. Nothing changed.`,
      { status: 409, details: { provider, problem } },
    );
  }
}

/**
 * `resolve` found no usable key: the customer has no active key for the provider (or it is
 * rate-limited) and no platform key is configured for it. Code `PROVIDER_KEY_UNAVAILABLE`,
 * status 503. `details.reason` says why the customer's key was not used.
 *
 * @example
 * ```ts
 * import { ProviderKeyUnavailableError } from '@coffer/provider-keys';
 *
 * new ProviderKeyUnavailableError('mistral', 'no_key').details; // { provider: 'mistral', reason: 'no_key' }
 * ```
 */
export class ProviderKeyUnavailableError extends CofferError {
  /**
   * @param provider The provider id.
   * @param reason Why the customer's key was not used.
   */
  constructor(provider: string, reason: 'no_key' | 'disabled' | 'invalid' | 'rate_limited') {
    super(
      'PROVIDER_KEY_UNAVAILABLE',
      `No ${provider} key can be used: the customer's key is not usable (${reason}) and no platform key is configured for ${provider}.`,
      { status: 503, details: { provider, reason } },
    );
  }
}

/**
 * A key's status or metadata kept changing under a write: more than 8 concurrent updates of one
 * key won in a row. Code `PROVIDER_KEY_BUSY`, status 409, retryable; nothing was changed by this
 * call.
 *
 * @example
 * ```ts
 * import { ProviderKeyBusyError } from '@coffer/provider-keys';
 *
 * new ProviderKeyBusyError('openai').retryable; // true
 * ```
 */
export class ProviderKeyBusyError extends CofferError {
  /** @param provider The provider id. */
  constructor(provider: string) {
    super(
      'PROVIDER_KEY_BUSY',
      `The ${provider} key of this owner kept changing while it was being updated; try again.`,
      { status: 409, retryable: true, details: { provider } },
    );
  }
}
