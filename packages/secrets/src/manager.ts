// The write side over a writable source: `set` for static secrets (the operator's value, checked
// against the declared format before anything is written) and `rotate` for random and generated
// ones (coffer draws or generates the next value and stores it with check-and-set, so of several
// instances rotating at once exactly one writes).
import { CofferError, InvalidInputError, isCofferError, Redacted } from '@coffer/core';
import { decodeSecretText, randomSecretText } from './_codec.js';
import type { GenerateContext } from './declarations.js';
import {
  type DefinedSecret,
  definedSecret,
  isSecretsDefinition,
  type RotatableNames,
  type SecretDeclarations,
  type SecretsDefinition,
  type StaticNames,
} from './define-secrets.js';
import { SecretFormatError, SecretModeError, SecretSourceError } from './errors.js';
import type { SecretRef, SecretWriteResult, WritableSecretSource } from './secret-source.js';

/** What a write did: the version now current, and whether this call wrote it. */
export interface SecretWriteOutcome {
  /** The current version after the call (this call's, or the concurrent writer's). */
  readonly version: number;
  /** `false` when another writer rotated first and this call's value was discarded. */
  readonly written: boolean;
}

/** Options of {@link createSecretsManager}. */
export interface SecretsManagerOptions {
  readonly source: WritableSecretSource;
}

/** Writes secret values: `set` for static secrets, `rotate` for random and generated ones. */
export interface SecretsManager<D extends SecretDeclarations> {
  /**
   * Stores the operator's value as the next version of a static secret, after checking it against
   * the declared format (nothing is written when it fails).
   *
   * @throws {SecretFormatError} `SECRET_INVALID_FORMAT` when the value fails the format.
   * @throws {SecretModeError} `SECRET_WRONG_MODE` for a random or generated secret (untyped code).
   * @throws {UnknownSecretError} `SECRET_UNKNOWN` for an undeclared name (untyped code).
   * @throws {SecretWriteConflictError} `SECRET_WRITE_CONFLICT` when other writers kept winning.
   * @throws {SecretSourceError} `SECRET_SOURCE_FAILED` when the source fails.
   */
  set<N extends StaticNames<D>>(
    name: N,
    value: string | Redacted<string>,
    options?: { readonly metadata?: Readonly<Record<string, string>> },
  ): Promise<SecretWriteOutcome>;
  /**
   * Stores a new value for a random (drawn from the CSPRNG) or generated (from its generator)
   * secret, if no other writer rotated since this call read the current version.
   *
   * @throws {SecretGenerationError} `SECRET_GENERATION_FAILED` when the generator throws or answers
   *   garbage.
   * @throws {SecretFormatError} `SECRET_INVALID_FORMAT` when a generated value fails the format.
   * @throws {SecretModeError} `SECRET_WRONG_MODE` for a static secret (untyped code).
   * @throws {UnknownSecretError} `SECRET_UNKNOWN` for an undeclared name (untyped code).
   * @throws {SecretSourceError} `SECRET_SOURCE_FAILED` when the source fails.
   */
  rotate<N extends RotatableNames<D>>(name: N): Promise<SecretWriteOutcome>;
}

/**
 * A generated secret's generator threw or returned something other than `{ value, metadata? }`.
 * Code `SECRET_GENERATION_FAILED`, status 502, retryable. The generator's own error is not
 * attached (it may quote a platform's response).
 *
 * @example
 * ```ts
 * import { SecretGenerationError } from '@coffer/secrets';
 *
 * new SecretGenerationError('partnerWebhook', 'threw').code; // 'SECRET_GENERATION_FAILED'
 * ```
 */
export class SecretGenerationError extends CofferError {
  constructor(secret: string, what: string) {
    super(
      'SECRET_GENERATION_FAILED',
      `The generator of secret "${secret}" ${what}; nothing was stored. Retry, or check the platform it calls.`,
      { status: 502, retryable: true, details: { secret } },
    );
  }
}

/**
 * `set` lost the check-and-set to other writers several times in a row. Code
 * `SECRET_WRITE_CONFLICT`, status 409, retryable.
 *
 * @example
 * ```ts
 * import { SecretWriteConflictError } from '@coffer/secrets';
 *
 * new SecretWriteConflictError('stripeApiKey').status; // 409
 * ```
 */
export class SecretWriteConflictError extends CofferError {
  constructor(secret: string) {
    super(
      'SECRET_WRITE_CONFLICT',
      `Other writers kept changing secret "${secret}" while this value was being set; retry.`,
      { status: 409, retryable: true, details: { secret } },
    );
  }
}

const SET_ATTEMPTS = 3;

function checkMetadata(metadata: unknown, parameter: string): Readonly<Record<string, string>> {
  if (metadata === undefined) return {};
  const valid =
    typeof metadata === 'object' &&
    metadata !== null &&
    !Array.isArray(metadata) &&
    Object.keys(metadata).length <= 32 &&
    Object.entries(metadata).every(
      ([k, v]) => k.length <= 64 && typeof v === 'string' && v.length <= 1024,
    );
  if (!valid) {
    throw new InvalidInputError(
      `${parameter} must map at most 32 keys (≤ 64 characters) to strings of at most 1024 characters`,
      { details: { parameter } },
    );
  }
  return { ...(metadata as Record<string, string>) };
}

function textOf(secret: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (Redacted.isRedacted(value)) {
    const text: unknown = value.expose();
    if (typeof text === 'string') return text;
  }
  throw new SecretFormatError(secret, 'is not text (pass a string or a Redacted string)');
}

/**
 * Creates the write side of a definition over a writable source. Clients see a new version after
 * their TTL, or at once after `invalidate()`.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when the definition or source is not one.
 * @example
 * ```ts
 * import { createMemorySecretSource, createSecretsManager, defineSecrets, secret } from '@coffer/secrets';
 *
 * const app = defineSecrets({
 *   workspace: 'acme',
 *   project: 'shop',
 *   environment: 'test',
 *   surfaces: ['api'],
 *   secrets: {
 *     stripeApiKey: secret.static({ consumers: ['api'], format: /^sk_test_\w+$/ }),
 *     sessionKey: secret.random({ consumers: ['api'] }),
 *   },
 * });
 * const manager = createSecretsManager(app, { source: createMemorySecretSource() });
 * await manager.set('stripeApiKey', 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'); // { version: 1, written: true }
 * await manager.rotate('sessionKey'); // { version: 1, written: true }
 * await manager.rotate('sessionKey'); // { version: 2, written: true }
 * ```
 */
export function createSecretsManager<D extends SecretDeclarations, S extends string>(
  definition: SecretsDefinition<D, S>,
  options: SecretsManagerOptions,
): SecretsManager<D> {
  if (!isSecretsDefinition(definition)) {
    throw new InvalidInputError(
      'createSecretsManager() takes a definition made by defineSecrets()',
      {
        details: { parameter: 'definition' },
      },
    );
  }
  const source = options?.source;
  if (
    typeof source !== 'object' ||
    source === null ||
    typeof source.write !== 'function' ||
    typeof source.read !== 'function'
  ) {
    throw new InvalidInputError(
      'source must be a WritableSecretSource (read, readVersion, write)',
      {
        details: { parameter: 'source' },
      },
    );
  }

  const call = async <T>(secret: DefinedSecret, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (isCofferError(error)) throw error;
      throw new SecretSourceError(source.kind, secret.name, 'threw');
    }
  };

  const currentOf = async (
    secret: DefinedSecret,
  ): Promise<{ version: number | null; metadata: Readonly<Record<string, string>> }> => {
    const snapshot = await call(secret, () => source.read(secret.ref));
    if (snapshot === undefined) return { version: null, metadata: {} };
    const version = snapshot?.current?.version;
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
      throw new SecretSourceError(source.kind, secret.name, 'answered a malformed current version');
    }
    return { version, metadata: { ...snapshot.current.metadata } };
  };

  const write = async (
    secret: DefinedSecret,
    ref: SecretRef,
    text: string,
    metadata: Readonly<Record<string, string>>,
    expectedCurrent: number | null,
  ): Promise<SecretWriteResult> => {
    const result = await call(secret, () =>
      source.write(ref, { value: new Redacted(text), metadata, expectedCurrent }),
    );
    if (result?.written !== true && result?.written !== false) {
      throw new SecretSourceError(source.kind, secret.name, 'answered a malformed write result');
    }
    return result;
  };

  return {
    async set(name, value, setOptions) {
      const secret = definedSecret(definition, name);
      if (secret.declaration.mode !== 'static') {
        throw new SecretModeError(secret.name, secret.declaration.mode, 'set');
      }
      const text = textOf(secret.name, value);
      decodeSecretText(secret.name, secret.declaration, text);
      const metadata = checkMetadata(setOptions?.metadata, 'metadata');
      for (let attempt = 0; attempt < SET_ATTEMPTS; attempt++) {
        const { version } = await currentOf(secret);
        const result = await write(secret, secret.ref, text, metadata, version);
        if (result.written) return { version: result.version.version, written: true };
      }
      throw new SecretWriteConflictError(secret.name);
    },

    async rotate(name) {
      const secret = definedSecret(definition, name);
      const { declaration } = secret;
      if (declaration.mode === 'static') {
        throw new SecretModeError(secret.name, declaration.mode, 'rotate');
      }
      const previous = await currentOf(secret);
      let text: string;
      let metadata: Readonly<Record<string, string>> = {};
      if (declaration.mode === 'random') {
        text = randomSecretText(declaration.bytes, declaration.encoding);
      } else {
        const context: GenerateContext = {
          secret: secret.ref,
          previous:
            previous.version === null
              ? undefined
              : { version: previous.version, metadata: previous.metadata },
        };
        let generated: unknown;
        try {
          generated = await declaration.generate(context);
        } catch {
          throw new SecretGenerationError(secret.name, 'threw');
        }
        if (typeof generated !== 'object' || generated === null) {
          throw new SecretGenerationError(secret.name, 'returned something other than { value }');
        }
        const fields = generated as { value?: unknown; metadata?: unknown };
        text = textOf(secret.name, fields.value);
        try {
          metadata = checkMetadata(fields.metadata, 'metadata');
        } catch {
          throw new SecretGenerationError(secret.name, 'returned malformed metadata');
        }
      }
      decodeSecretText(secret.name, declaration, text);
      const result = await write(secret, secret.ref, text, metadata, previous.version);
      if (result.written) return { version: result.version.version, written: true };
      if (result.current === null) {
        throw new SecretSourceError(
          source.kind,
          secret.name,
          'refused the write without a current version',
        );
      }
      return { version: result.current, written: false };
    },
  } as SecretsManager<D>;
}
