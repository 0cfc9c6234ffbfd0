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
