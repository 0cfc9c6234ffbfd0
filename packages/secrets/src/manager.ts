// The write side over a writable source: `set` for static secrets (the operator's value, checked
// against the declared format before anything is written) and `rotate` for random and generated
// ones (coffer draws or generates the next value and stores it with check-and-set, so of several
// instances rotating at once exactly one writes).
import { CofferError, InvalidInputError, isCofferError, Redacted } from '@coffer/core';
import { decodeSecretText, randomSecretText } from './_codec.js';
import {
  isDue,
  type Produced,
  type RotationOutcome,
  type RotationRun,
  rotateWithState,
  settleAfterSet,
} from './_rotation.js';
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
import type {
  SecretMode,
  SecretRef,
  SecretRotationState,
  SecretWriteResult,
  StatefulSecretSource,
  WritableSecretSource,
} from './secret-source.js';

/** What a write did: the version now current, and whether this call wrote it. */
export interface SecretWriteOutcome {
  /** The current version after the call (this call's, or the concurrent writer's). */
  readonly version: number;
  /** `false` when another writer rotated first and this call's value was discarded. */
  readonly written: boolean;
}

/** A new version was stored (by `set`, `rotate`, `rotateDue`, or a resumed rotation). */
export interface SecretChange {
  readonly name: string;
  readonly physicalName: string;
  readonly version: number;
}

/** Options of {@link createSecretsManager}. */
export interface SecretsManagerOptions {
  readonly source: WritableSecretSource;
  /** The clock (ms since the epoch) for due dates and leases; `Date.now` unless given. */
  readonly now?: () => number;
  /**
   * Called after each new version this manager stores or finishes: wire it to
   * `client.invalidate(change.name)` so this process drops its cached versions at once (other
   * processes see the change within their cache TTL). A listener that throws is ignored.
   */
  readonly onChange?: (change: SecretChange) => void;
  /**
   * How long a rotation's claim holds before another run may take it over (default 5 minutes; make
   * it longer than your slowest generator), and how long a run waits for another instance's
   * rotation to finish before reporting `in-progress` (default 10 s).
   */
  readonly rotation?: { readonly leaseMs?: number; readonly waitMs?: number };
}

/** What `rotateDue()` did for one secret. */
export interface SecretRotationReport {
  readonly name: string;
  readonly mode: SecretMode;
  /**
   * `rotated` (this call stored a new version), `resumed` (it finished a rotation an interrupted
   * run left), `rotated-by-other` (another instance did; nothing more stored), `in-progress`
   * (another instance is still at it), `not-due`, `operator-due` (a static secret whose interval
   * passed, or which has no value: `set` it), `failed` (see `error`).
   */
  readonly outcome: RotationOutcome | 'operator-due' | 'failed';
  /** The current version after the call, `null` when none is stored. */
  readonly version: number | null;
  /** The error code of a `failed` rotation (never a message, which could quote a platform). */
  readonly error?: string;
}

/** Where one secret stands (from `status()`). */
export interface SecretStatus {
  readonly name: string;
  readonly mode: SecretMode;
  readonly physicalName: string;
  /** The current version, or `null` when no value is stored. */
  readonly version: number | null;
  /** The declared interval in ms, or `null`. */
  readonly intervalMs: number | null;
  readonly lastRotatedAt: number | null;
  /** When the next rotation is due by the declaration (`null`: no interval). */
  readonly nextDueAt: number | null;
  /** Whether the interval has passed (or the secret has no value and an interval). */
  readonly due: boolean;
  /** A rotation under way: when it started, until when its claim holds, whether that has passed. */
  readonly inProgress: {
    readonly startedAt: number;
    readonly leaseUntil: number;
    readonly expired: boolean;
  } | null;
  readonly lastError: { readonly code: string; readonly at: number } | null;
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
  /**
   * Rotates every random and generated secret whose declared interval has passed (or that has no
   * value yet), and reports static ones that are due for the operator. Safe to run from several
   * instances at once: one claims each rotation by check-and-set, the others wait for its version
   * and store nothing. A rotation an earlier run left unfinished (crash, lease ran out) is resumed.
   * A failure of one secret is reported (and recorded in its state), not thrown.
   *
   * @throws {InvalidInputError} `INVALID_INPUT` when the source keeps no rotation state (use the
   *   vault source).
   */
  rotateDue(): Promise<SecretRotationReport[]>;
  /**
   * Every declared secret's version and rotation state.
   *
   * @throws {InvalidInputError} `INVALID_INPUT` when the source keeps no rotation state.
   * @throws {SecretSourceError} `SECRET_SOURCE_FAILED` when the source fails.
   */
  status(): Promise<SecretStatus[]>;
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

function isStateful(source: WritableSecretSource): source is StatefulSecretSource {
  const s = source as Partial<StatefulSecretSource>;
  return typeof s.readState === 'function' && typeof s.writeState === 'function';
}

function positiveMs(value: unknown, fallback: number, parameter: string): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < 0 ||
    value > 86_400_000
  ) {
    throw new InvalidInputError(`${parameter} must be an integer number of ms from 0 to one day`, {
      details: { parameter },
    });
  }
  return value;
}

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

  const now = options.now ?? Date.now;
  const leaseMs = positiveMs(options.rotation?.leaseMs, 300_000, 'rotation.leaseMs');
  const waitMs = positiveMs(options.rotation?.waitMs, 10_000, 'rotation.waitMs');
  const stateful = isStateful(source) ? source : undefined;
  const requireStateful = (what: string): StatefulSecretSource => {
    if (stateful === undefined) {
      throw new InvalidInputError(
        `${what}() needs a source that keeps rotation state (createVaultSecretSource); the ${source.kind} source does not`,
        { details: { parameter: 'source' } },
      );
    }
    return stateful;
  };
  const changed = (secret: DefinedSecret, version: number): void => {
    try {
      options.onChange?.({ name: secret.name, physicalName: secret.ref.physicalName, version });
    } catch {
      // A listener's failure must not turn a stored rotation into a reported failure.
    }
  };

  const produce = async (
    secret: DefinedSecret,
    previous: GenerateContext['previous'],
    interrupted: GenerateContext['interrupted'],
  ): Promise<Produced> => {
    const { declaration } = secret;
    let text: string;
    let metadata: Readonly<Record<string, string>> = {};
    if (declaration.mode === 'random') {
      text = randomSecretText(declaration.bytes, declaration.encoding);
    } else if (declaration.mode === 'generated') {
      const context: GenerateContext = {
        secret: secret.ref,
        previous,
        ...(interrupted === undefined ? {} : { interrupted }),
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
    } else {
      throw new SecretModeError(secret.name, declaration.mode, 'rotate');
    }
    decodeSecretText(secret.name, declaration, text);
    return { text, metadata };
  };

  const run = (from: StatefulSecretSource): RotationRun => ({
    source: from,
    now,
    leaseMs,
    waitMs,
    produce,
    changed,
  });

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
        // A stateful source tells the version without revealing (and auditing) the old value.
        const version =
          stateful === undefined
            ? (await currentOf(secret)).version
            : ((await call(secret, () => stateful.readState(secret.ref)))?.version ?? null);
        const result = await write(secret, secret.ref, text, metadata, version);
        if (result.written) {
          if (stateful !== undefined) {
            await call(secret, () => settleAfterSet(run(stateful), secret));
          }
          changed(secret, result.version.version);
          return { version: result.version.version, written: true };
        }
      }
      throw new SecretWriteConflictError(secret.name);
    },

    async rotate(name) {
      const secret = definedSecret(definition, name);
      const { declaration } = secret;
      if (declaration.mode === 'static') {
        throw new SecretModeError(secret.name, declaration.mode, 'rotate');
      }
      if (stateful !== undefined) {
        const r = await call(secret, () => rotateWithState(run(stateful), secret, true));
        if (r.version === null) {
          throw new SecretSourceError(source.kind, secret.name, 'answered no current version');
        }
        return { version: r.version, written: r.outcome === 'rotated' || r.outcome === 'resumed' };
      }
      const previous = await currentOf(secret);
      const produced = await produce(
        secret,
        previous.version === null
          ? undefined
          : { version: previous.version, metadata: previous.metadata },
        undefined,
      );
      const result = await write(
        secret,
        secret.ref,
        produced.text,
        produced.metadata,
        previous.version,
      );
      if (result.written) {
        changed(secret, result.version.version);
        return { version: result.version.version, written: true };
      }
      if (result.current === null) {
        throw new SecretSourceError(
          source.kind,
          secret.name,
          'refused the write without a current version',
        );
      }
      return { version: result.current, written: false };
    },

    async rotateDue() {
      const from = requireStateful('rotateDue');
      const reports: SecretRotationReport[] = [];
      for (const secret of definition.secrets) {
        const { mode } = secret.declaration;
        try {
          if (mode === 'static') {
            const record = await call(secret, () => from.readState(secret.ref));
            const due = record === undefined || isDue(secret, record.state, now());
            reports.push({
              name: secret.name,
              mode,
              outcome: due ? 'operator-due' : 'not-due',
              version: record?.version ?? null,
            });
            continue;
          }
          const r = await call(secret, () => rotateWithState(run(from), secret, false));
          reports.push({ name: secret.name, mode, outcome: r.outcome, version: r.version });
        } catch (error) {
          const record = await from.readState(secret.ref).catch(() => undefined);
          reports.push({
            name: secret.name,
            mode,
            outcome: 'failed',
            version: record?.version ?? null,
            error: isCofferError(error) ? error.code : 'ERROR',
          });
        }
      }
      return reports;
    },

    async status() {
      const from = requireStateful('status');
      const at = now();
      const out: SecretStatus[] = [];
      for (const secret of definition.secrets) {
        const record = await call(secret, () => from.readState(secret.ref));
        const state: SecretRotationState | undefined = record?.state;
        const interval = secret.ref.rotation.intervalMs;
        const last = state?.lastRotatedAt ?? null;
        const p = state?.inProgress ?? null;
        out.push({
          name: secret.name,
          mode: secret.declaration.mode,
          physicalName: secret.ref.physicalName,
          version: record?.version ?? null,
          intervalMs: interval,
          lastRotatedAt: last,
          nextDueAt: interval === null || last === null ? null : last + interval,
          due: isDue(secret, state, at),
          inProgress:
            p === null
              ? null
              : { startedAt: p.startedAt, leaseUntil: p.leaseUntil, expired: p.leaseUntil <= at },
          lastError: state?.lastError ?? null,
        });
      }
      return out;
    },
  } as SecretsManager<D>;
}
