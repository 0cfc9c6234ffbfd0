import { CofferError } from '@coffer/core';

/**
 * A sealed value names a key-encryption key (KEK) the key provider does not have. Code
 * `UNKNOWN_KEK`. The KEK id comes from the sealed value's public header; nothing about the
 * plaintext is revealed. Load the missing key (as `active`) to open the value.
 *
 * @example
 * ```ts
 * import { UnknownKekError } from '@coffer/envelope';
 *
 * const err = new UnknownKekError('7');
 * err.code; // 'UNKNOWN_KEK'
 * err.details; // { kekId: '7' }
 * ```
 */
export class UnknownKekError extends CofferError {
  /** @param kekId The KEK id named by the sealed value (public, never key material). */
  constructor(kekId: string) {
    super(
      'UNKNOWN_KEK',
      `The value was sealed under key-encryption key "${kekId}", which this key provider does not have. Add that key to the keyring (as active) or open the value where it is loaded.`,
      { details: { kekId } },
    );
  }
}

/**
 * A sealed value is wrapped under a key-encryption key (KEK) that is marked retired. Code
 * `RETIRED_KEK`. Retired keys are refused on purpose: rewrap every value off a key before
 * retiring it (see docs/rotating-master-keys.md). Nothing about the plaintext is revealed.
 *
 * @example
 * ```ts
 * import { RetiredKekError } from '@coffer/envelope';
 *
 * new RetiredKekError('1').code; // 'RETIRED_KEK'
 * ```
 */
export class RetiredKekError extends CofferError {
  /** @param kekId The retired KEK id named by the sealed value. */
  constructor(kekId: string) {
    super(
      'RETIRED_KEK',
      `The value is wrapped under key-encryption key "${kekId}", which is retired. Mark the key active again and rewrap the value to the primary key before retiring it.`,
      { details: { kekId } },
    );
  }
}

/**
 * A keyring configuration (env text or key list) is malformed. Code `INVALID_KEYRING`. The message
 * names the entry (by position) and the rule broken; it never contains key text, not even a
 * fragment of a malformed entry.
 *
 * @example
 * ```ts
 * import { InvalidKeyringError, Keyring } from '@coffer/envelope';
 *
 * try {
 *   Keyring.fromEnv('*1:not-a-key');
 * } catch (e) {
 *   e instanceof InvalidKeyringError; // true
 * }
 * ```
 */
export class InvalidKeyringError extends CofferError {
  /**
   * @param message What is wrong and how to fix it; must not contain key material.
   * @param details Non-secret facts (entry position, key id).
   */
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_KEYRING', message, details === undefined ? {} : { details });
  }
}

/**
 * A context map is not a plain object of valid string keys and string values. Code
 * `INVALID_CONTEXT`, status 400. Context values are not echoed in the message.
 *
 * @example
 * ```ts
 * import { InvalidContextError } from '@coffer/envelope';
 *
 * new InvalidContextError('context keys must be 1-64 characters').status; // 400
 * ```
 */
export class InvalidContextError extends CofferError {
  /**
   * @param message What is wrong and how to fix it; must not contain context values.
   * @param details Non-secret facts (the offending key name, limits).
   */
  constructor(message: string, details?: Record<string, unknown>) {
    super(
      'INVALID_CONTEXT',
      message,
      details === undefined ? { status: 400 } : { status: 400, details },
    );
  }
}

/**
 * A key provider failed or broke its contract (threw a non-coffer error, or returned a malformed
 * wrapped key). Code `KEY_PROVIDER_FAILED`. The provider's own error is neither attached as `cause`
 * nor quoted (its message could carry request data); only its name, when that is a plain
 * identifier such as `AccessDeniedException`, is in `details.errorName`, and `retryable` is set
 * when it said a retry may help (AWS SDK `retryable` / `$retryable`). Errors are told apart from
 * coffer's own by a brand only `CofferError` sets, not by their shape. Providers should throw
 * coffer errors themselves (`DECRYPT_FAILED`, `UNKNOWN_KEK`, or a `retryable` error for
 * throttling), which pass through unchanged.
 *
 * @example
 * ```ts
 * import { KeyProviderError } from '@coffer/envelope';
 *
 * new KeyProviderError('kms', 'wrapKey returned no wrapped bytes').code; // 'KEY_PROVIDER_FAILED'
 * new KeyProviderError('kms', 'unwrapKey threw a non-coffer error', 'ThrottlingException', true).retryable; // true
 * ```
 */
export class KeyProviderError extends CofferError {
  /**
   * @param provider The provider's `name`.
   * @param problem What went wrong, without secret material.
   * @param errorName The name of the provider's own error, when it threw one.
   * @param retryable Whether a later retry may succeed; `false` unless given.
   */
  constructor(provider: string, problem: string, errorName?: string, retryable = false) {
    super(
      'KEY_PROVIDER_FAILED',
      `Key provider "${provider}" failed: ${problem}. Check the provider's configuration and availability.`,
      {
        details: errorName === undefined ? { provider } : { provider, errorName },
        retryable,
      },
    );
  }
}
