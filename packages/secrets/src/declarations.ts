// The three declaration modes. A declaration is a frozen description (mode, namespace, consumers,
// format or length) that carries its value type as a phantom, so `defineSecrets` can hand each
// accessor the right type. Nothing here reads or generates a value.
import { InvalidInputError, type Redacted } from '@coffer/core';
import type { $ZodType } from 'zod/v4/core';
import { assertCamelName, assertSurface } from './_identifiers.js';
import {
  rotationPolicy,
  type SecretRotationOptions,
  type SecretRotationPolicy,
} from './rotation-policy.js';
import type { SecretMode, SecretRef } from './secret-source.js';

declare const VALUE_TYPE: unique symbol;
const DECLARATION: unique symbol = Symbol.for('@coffer/secrets/declaration');

/**
 * A format check for operator-supplied text: a RegExp (tested against the whole stored text; anchor
 * it) or a zod schema whose input is a string. A schema's output type becomes the secret's value
 * type (`z.string().brand<'StripeKey'>()` gives a branded string).
 */
export type SecretFormat<T = string> = RegExp | $ZodType<T, string>;

/** How a random secret's bytes are presented: text (base64url, hex) or the bytes themselves. */
export type RandomEncoding = 'base64url' | 'hex' | 'bytes';

/** The value type a format gives: a schema's output, else `string`. */
export type FormatValue<F> = F extends $ZodType<infer T, string> ? T : string;

/** The value type of a random secret with encoding `E`. */
export type RandomValue<E extends RandomEncoding> = E extends 'bytes' ? Uint8Array : string;

/**
 * What every declaration has. `T` is the value type its accessor returns, `C` the surfaces that may
 * read it.
 */
export interface SecretDeclarationBase<T, C extends string, M extends SecretMode> {
  readonly mode: M;
  /** Overrides the definition's default namespace (lowerCamelCase). */
  readonly namespace: string | undefined;
  /** The runtime surfaces allowed to read the value. */
  readonly consumers: readonly C[];
  /** Free text for operators (shown in listings; never a value). */
  readonly description: string | undefined;
  /** The rotation schedule: interval and retention (default: never due, the previous version accepted). */
  readonly rotation: SecretRotationPolicy;
  /** Phantom: the value type. Never present at run time. */
  readonly [VALUE_TYPE]?: T;
}

/** A value the operator supplies (a provider API key). */
export interface StaticSecretDeclaration<T = string, C extends string = string>
  extends SecretDeclarationBase<T, C, 'static'> {
  readonly format: SecretFormat<T> | undefined;
}

/** A value coffer draws from the CSPRNG. */
export interface RandomSecretDeclaration<T = string, C extends string = string>
  extends SecretDeclarationBase<T, C, 'random'> {
  /** Length in bytes (16 to 1024; default 32). */
  readonly bytes: number;
  readonly encoding: RandomEncoding;
}

/** What a generator is told. */
export interface GenerateContext {
  /** The secret being generated. */
  readonly secret: SecretRef;
  /** The version being replaced (its non-secret metadata), or `undefined` for the first value. */
  readonly previous:
    | { readonly version: number; readonly metadata: Readonly<Record<string, string>> }
    | undefined;
  /**
   * Set when this call resumes a rotation that an earlier run started and did not finish (its
   * process crashed or its lease ran out): when it started and, if its generator had returned, the
   * metadata it recorded (e.g. the id of a webhook it registered), so your apply flow can reuse or
   * remove what the earlier attempt created. That attempt's value was never stored.
   */
  readonly interrupted?: {
    readonly startedAt: number;
    readonly metadata: Readonly<Record<string, string>> | undefined;
  };
}

/** What a generator returns: the value (text) and non-secret metadata to record with it. */
export interface GeneratedValue {
  readonly value: string | Redacted<string>;
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * A host-supplied "apply flow": registers something with a platform and returns the secret it
 * issued (e.g. a webhook subscription's signing secret) plus metadata (the subscription's id).
 */
export type SecretGenerator = (context: GenerateContext) => Promise<GeneratedValue>;

/** A value produced by a host-supplied generator. */
export interface GeneratedSecretDeclaration<T = string, C extends string = string>
  extends SecretDeclarationBase<T, C, 'generated'> {
  readonly format: SecretFormat<T> | undefined;
  readonly generate: SecretGenerator;
}

/** Any declaration (the union `defineSecrets` accepts). */
export type SecretDeclaration<T = unknown, C extends string = string> =
  | StaticSecretDeclaration<T, C>
  | RandomSecretDeclaration<T, C>
  | GeneratedSecretDeclaration<T, C>;

/** The value type of a declaration. */
export type ValueOf<D> = D extends SecretDeclarationBase<infer T, string, SecretMode> ? T : never;

/** The consumers of a declaration. */
export type ConsumersOf<D> =
  D extends SecretDeclarationBase<unknown, infer C, SecretMode> ? C : never;

interface CommonOptions<C extends string> {
  /** The surfaces that may read the value, e.g. `['api', 'worker']`. At least one. */
  readonly consumers: readonly C[];
  /** The namespace (lowerCamelCase); default: the definition's namespace. */
  readonly namespace?: string;
  /** Free text for operators. */
  readonly description?: string;
  /** Rotation interval and retention, e.g. `{ every: '30d', retain: { for: '24h' } }`. */
  readonly rotation?: SecretRotationOptions;
}

/** Options of {@link SecretBuilders.static}. */
export interface StaticSecretOptions<C extends string, F> extends CommonOptions<C> {
  /** Checked when the value is set and when it is loaded. */
  readonly format?: F;
}

/** Options of {@link SecretBuilders.random}. */
export interface RandomSecretOptions<C extends string, E extends RandomEncoding>
  extends CommonOptions<C> {
  /** Length in bytes, 16 to 1024 (default 32). */
  readonly bytes?: number;
  /** `base64url` (default), `hex`, or `bytes` (a `Uint8Array`, stored as base64url). */
  readonly encoding?: E;
}

/** Options of {@link SecretBuilders.generated}. */
export interface GeneratedSecretOptions<C extends string, F> extends CommonOptions<C> {
  /** The apply flow that produces a value. */
  readonly generate: SecretGenerator;
  /** Checked on what the generator returns, and when the value is loaded. */
  readonly format?: F;
}

/** The declaration builders, as `secret.static(…)`, `secret.random(…)`, `secret.generated(…)`. */
export interface SecretBuilders {
  /**
   * A value the operator supplies. With `format`, a malformed value is refused when it is set.
   *
   * @throws {InvalidInputError} `INVALID_INPUT` on malformed options.
   */
  static<const C extends string, F extends SecretFormat<unknown> | undefined = undefined>(
    options: StaticSecretOptions<C, F>,
  ): StaticSecretDeclaration<FormatValue<F>, C>;
  /**
   * A value coffer draws from the CSPRNG (`randomBytes` of `@coffer/core`).
   *
   * @throws {InvalidInputError} `INVALID_INPUT` on malformed options.
   */
  random<const C extends string, const E extends RandomEncoding = 'base64url'>(
    options: RandomSecretOptions<C, E>,
  ): RandomSecretDeclaration<RandomValue<E>, C>;
  /**
   * A value a host-supplied generator produces (an apply flow); coffer stores it with its metadata.
   *
   * @throws {InvalidInputError} `INVALID_INPUT` on malformed options.
   */
  generated<const C extends string, F extends SecretFormat<unknown> | undefined = undefined>(
    options: GeneratedSecretOptions<C, F>,
  ): GeneratedSecretDeclaration<FormatValue<F>, C>;
}

const ENCODINGS: readonly RandomEncoding[] = ['base64url', 'hex', 'bytes'];
const MIN_RANDOM_BYTES = 16;
const MAX_RANDOM_BYTES = 1024;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function common(
  options: unknown,
  mode: SecretMode,
): {
  consumers: readonly string[];
  namespace: string | undefined;
  description: string | undefined;
  rotation: SecretRotationPolicy;
} {
  if (!isRecord(options)) {
    throw new InvalidInputError(`secret.${mode}() takes an options object with consumers`, {
      details: { parameter: 'options' },
    });
  }
  const { consumers, namespace, description, rotation } = options;
  if (!Array.isArray(consumers) || consumers.length === 0 || consumers.length > 32) {
    throw new InvalidInputError('consumers must list 1 to 32 surfaces, e.g. ["api"]', {
      details: { parameter: 'consumers' },
    });
  }
  for (const c of consumers) assertSurface(c, 'consumers[]');
  if (new Set(consumers).size !== consumers.length) {
    throw new InvalidInputError('consumers lists a surface twice', {
      details: { parameter: 'consumers' },
    });
  }
  if (namespace !== undefined) assertCamelName(namespace, 'namespace');
  if (description !== undefined && (typeof description !== 'string' || description.length > 500)) {
    throw new InvalidInputError('description must be a string of at most 500 characters', {
      details: { parameter: 'description' },
    });
  }
  return {
    consumers: Object.freeze([...consumers]),
    namespace,
    description,
    rotation: rotationPolicy(rotation),
  };
}

/** A RegExp without `g`/`y` (whose `lastIndex` would make `test` stateful), or a zod schema. */
function normalizeFormat(format: unknown): SecretFormat<unknown> | undefined {
  if (format === undefined) return undefined;
  if (format instanceof RegExp) return new RegExp(format.source, format.flags.replace(/[gy]/g, ''));
  if (isRecord(format) && isRecord(format._zod))
    return format as unknown as $ZodType<unknown, string>;
  throw new InvalidInputError('format must be a RegExp or a zod schema', {
    details: { parameter: 'format' },
  });
}

function brand<T extends object>(declaration: T, mode: SecretMode): T {
  Object.defineProperty(declaration, DECLARATION, { value: mode });
  return Object.freeze(declaration);
}

/** Whether `value` was made by one of the {@link secret} builders. */
export function isSecretDeclaration(value: unknown): value is SecretDeclaration {
  return isRecord(value) && typeof (value as { [DECLARATION]?: unknown })[DECLARATION] === 'string';
}

/**
 * The declaration builders: `secret.static(…)`, `secret.random(…)`, `secret.generated(…)`. Group
 * the results with {@link defineSecrets}.
 *
 * @example
 * ```ts
 * import { secret } from '@coffer/secrets';
 * import { z } from 'zod';
 *
 * const stripeApiKey = secret.static({
 *   consumers: ['api'],
 *   format: /^sk_(live|test)_[A-Za-z0-9]{24,}$/,
 * });
 * const sessionKey = secret.random({ consumers: ['api'], bytes: 32, encoding: 'bytes' });
 * const metaAppSecret = secret.static({
 *   consumers: ['worker'],
 *   format: z.string().regex(/^[0-9a-f]{32}$/).brand<'MetaAppSecret'>(),
 * });
 * stripeApiKey.mode; // 'static'
 * sessionKey.bytes; // 32
 * metaAppSecret.consumers; // ['worker']
 * ```
 */
export const secret: SecretBuilders = {
  static(options) {
    const base = common(options, 'static');
    return brand(
      {
        mode: 'static' as const,
        ...base,
        format: normalizeFormat((options as { format?: unknown }).format),
      },
      'static',
    ) as never;
  },
  random(options) {
    const base = common(options, 'random');
    const bytes = (options as { bytes?: unknown }).bytes ?? 32;
    if (
      typeof bytes !== 'number' ||
      !Number.isSafeInteger(bytes) ||
      bytes < MIN_RANDOM_BYTES ||
      bytes > MAX_RANDOM_BYTES
    ) {
      throw new InvalidInputError(
        `bytes must be an integer from ${MIN_RANDOM_BYTES} to ${MAX_RANDOM_BYTES}`,
        { details: { parameter: 'bytes' } },
      );
    }
    const encoding = (options as { encoding?: unknown }).encoding ?? 'base64url';
    if (!ENCODINGS.includes(encoding as RandomEncoding)) {
      throw new InvalidInputError('encoding must be base64url, hex or bytes', {
        details: { parameter: 'encoding' },
      });
    }
    return brand({ mode: 'random' as const, ...base, bytes, encoding }, 'random') as never;
  },
  generated(options) {
    const base = common(options, 'generated');
    const generate = (options as { generate?: unknown }).generate;
    if (typeof generate !== 'function') {
      throw new InvalidInputError('generate must be an async function returning { value }', {
        details: { parameter: 'generate' },
      });
    }
    return brand(
      {
        mode: 'generated' as const,
        ...base,
        format: normalizeFormat((options as { format?: unknown }).format),
        generate,
      },
      'generated',
    ) as never;
  },
};
