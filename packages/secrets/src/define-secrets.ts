// Groups declarations under one owner (workspace, project, environment), gives each its physical
// name, and refuses collisions. The result's type carries every declaration, so clients and
// managers know each name, its value type and its consumers.
import { InvalidInputError } from '@coffer/core';
import { assertCamelName, assertOwnerField, assertSurface } from './_identifiers.js';
import {
  type ConsumersOf,
  isSecretDeclaration,
  type SecretDeclaration,
  type ValueOf,
} from './declarations.js';
import { SecretNameCollisionError, UnknownSecretError } from './errors.js';
import { physicalName } from './physical-name.js';
import type { SecretMode, SecretOwner, SecretRef } from './secret-source.js';

/** A record of declarations, keyed by secret name (lowerCamelCase). */
export type SecretDeclarations = Readonly<Record<string, SecretDeclaration<unknown, string>>>;

/** One declared secret as the definition resolved it: names, physical name, consumers. */
export interface DefinedSecret {
  readonly name: string;
  readonly ref: SecretRef;
  readonly consumers: readonly string[];
  readonly declaration: SecretDeclaration;
}

/** The result of {@link defineSecrets}: the owner, the surfaces, and every declared secret. */
export interface SecretsDefinition<
  D extends SecretDeclarations = SecretDeclarations,
  S extends string = string,
> {
  readonly owner: SecretOwner;
  readonly surfaces: readonly S[];
  /** The declarations as given (their types drive the typed accessors). */
  readonly declarations: D;
  /** Every secret with its physical name, in declaration order. */
  readonly secrets: readonly DefinedSecret[];
}

/** Options of {@link defineSecrets}. */
export interface DefineSecretsOptions<S extends string, D> {
  /** Ownership fields: lower case, digits, `.`, `_`, `-` (1 to 128 characters). */
  readonly workspace: string;
  readonly project: string;
  /** Typically read from the deployment (`production`, `staging`, `dev-alice`). */
  readonly environment: string;
  /** Namespace of declarations that name none (lowerCamelCase; default `app`). */
  readonly namespace?: string;
  /** Every runtime surface that may read secrets (`api`, `worker`, …). */
  readonly surfaces: readonly S[];
  /** The declarations, keyed by secret name. */
  readonly secrets: D;
}

/** Secret names of `D` whose consumers include surface `S`. */
export type NamesFor<D, S extends string> = {
  [K in keyof D & string]: [S] extends [ConsumersOf<D[K]>] ? K : never;
}[keyof D & string];

/** Names of static secrets in `D` (the ones `set` accepts). */
export type StaticNames<D> = {
  [K in keyof D & string]: D[K] extends { readonly mode: 'static' } ? K : never;
}[keyof D & string];

/** Names of random and generated secrets in `D` (the ones `rotate` accepts). */
export type RotatableNames<D> = {
  [K in keyof D & string]: D[K] extends { readonly mode: 'random' | 'generated' } ? K : never;
}[keyof D & string];

/** The value type of secret `N` of `D`. */
export type SecretValueOf<D, N extends keyof D> = ValueOf<D[N]>;

const index = new WeakMap<object, ReadonlyMap<string, DefinedSecret>>();

function freezeDefinition<D extends SecretDeclarations, S extends string>(
  owner: SecretOwner,
  surfaces: readonly S[],
  declarations: D,
  secrets: readonly DefinedSecret[],
): SecretsDefinition<D, S> {
  const byName = new Map<string, DefinedSecret>();
  const byPhysical = new Map<string, string>();
  for (const s of secrets) {
    // The physical name first: the same owner, namespace and name declared twice would share one
    // stored value, which is the collision worth naming.
    const samePhysical = byPhysical.get(s.ref.physicalName);
    if (samePhysical !== undefined) {
      throw new SecretNameCollisionError('physical name', samePhysical, s.name);
    }
    const sameName = byName.get(s.name);
    if (sameName !== undefined) throw new SecretNameCollisionError('name', sameName.name, s.name);
    byName.set(s.name, s);
    byPhysical.set(s.ref.physicalName, s.name);
  }
  const definition: SecretsDefinition<D, S> = Object.freeze({
    owner,
    surfaces: Object.freeze([...surfaces]),
    declarations,
    secrets: Object.freeze([...secrets]),
  });
  index.set(definition, byName);
  return definition;
}

/**
 * Groups secret declarations under one owner. Each secret gets its physical name (see
 * {@link physicalName}); a consumer that is not among `surfaces` is a compile error (and
 * `INVALID_INPUT` from untyped code), and two secrets with the same name or physical name are
 * refused.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` on a malformed owner field, name, namespace, surface,
 *   or a value that is not a declaration.
 * @throws {SecretNameCollisionError} `SECRET_NAME_COLLISION` when two secrets share a physical name.
 * @example
 * ```ts
 * import { defineSecrets, secret } from '@coffer/secrets';
 *
 * const app = defineSecrets({
 *   workspace: 'acme',
 *   project: 'shop',
 *   environment: 'production',
 *   surfaces: ['api', 'worker'],
 *   secrets: {
 *     stripeApiKey: secret.static({ namespace: 'billing', consumers: ['api'] }),
 *     webhookSigning: secret.random({ consumers: ['api', 'worker'] }),
 *   },
 * });
 * app.secrets.map((s) => s.ref.physicalName); // ['CS3ANVMWJB6Q97PGA5BS1ZQ8NF1Y', 'CSYVKWCVQ3XS6DGPTACET79HPHJM']
 * ```
 */
export function defineSecrets<
  const S extends string,
  const D extends Readonly<Record<string, SecretDeclaration<unknown, NoInfer<S>>>>,
>(options: DefineSecretsOptions<S, D>): SecretsDefinition<D, S> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidInputError('defineSecrets() takes an options object', {
      details: { parameter: 'options' },
    });
  }
  const { workspace, project, environment, surfaces, secrets } = options;
  assertOwnerField(workspace, 'workspace');
  assertOwnerField(project, 'project');
  assertOwnerField(environment, 'environment');
  const defaultNamespace = options.namespace ?? 'app';
  assertCamelName(defaultNamespace, 'namespace');
  if (!Array.isArray(surfaces) || surfaces.length === 0 || surfaces.length > 32) {
    throw new InvalidInputError('surfaces must list 1 to 32 surfaces, e.g. ["api", "worker"]', {
      details: { parameter: 'surfaces' },
    });
  }
  for (const s of surfaces) assertSurface(s, 'surfaces[]');
  if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) {
    throw new InvalidInputError('secrets must be an object of declarations keyed by name', {
      details: { parameter: 'secrets' },
    });
  }
  const owner: SecretOwner = Object.freeze({ workspace, project, environment });
  const known = new Set<string>(surfaces);
  const defined: DefinedSecret[] = [];
  for (const name of Object.keys(secrets)) {
    assertCamelName(name, 'secret name');
    const declaration: unknown = (secrets as Record<string, unknown>)[name];
    if (!isSecretDeclaration(declaration)) {
      throw new InvalidInputError(
        `secret "${name}" is not a declaration; make it with secret.static(), secret.random() or secret.generated()`,
        { details: { parameter: 'secrets', secret: name } },
      );
    }
    for (const consumer of declaration.consumers) {
      if (!known.has(consumer)) {
        throw new InvalidInputError(
          `secret "${name}" names consumer "${consumer}", which is not among the surfaces`,
          { details: { parameter: 'consumers', secret: name, consumer } },
        );
      }
    }
    const namespace = declaration.namespace ?? defaultNamespace;
    const ref: SecretRef = Object.freeze({
      owner,
      namespace,
      name,
      physicalName: physicalName({ ...owner, namespace, name }),
      mode: declaration.mode as SecretMode,
      rotation: declaration.rotation,
    });
    defined.push(Object.freeze({ name, ref, consumers: declaration.consumers, declaration }));
  }
  return freezeDefinition(owner, surfaces, secrets, defined);
}

/**
 * Merges definitions made by separate modules (each product declares its own secrets) into one
 * that clients and managers take. Refuses two secrets with the same name (accessors are keyed by
 * name) or the same physical name (the same owner, namespace and name declared twice would share
 * one stored value).
 *
 * @throws {SecretNameCollisionError} `SECRET_NAME_COLLISION` on a shared name or physical name.
 * @throws {InvalidInputError} `INVALID_INPUT` when an argument is not a definition, or the two have
 *   different owners (workspace, project, environment).
 * @example
 * ```ts
 * import { combineSecrets, defineSecrets, secret } from '@coffer/secrets';
 *
 * const owner = { workspace: 'acme', project: 'shop', environment: 'production' } as const;
 * const billing = defineSecrets({
 *   ...owner,
 *   namespace: 'billing',
 *   surfaces: ['api'],
 *   secrets: { stripeApiKey: secret.static({ consumers: ['api'] }) },
 * });
 * const hooks = defineSecrets({
 *   ...owner,
 *   namespace: 'webhooks',
 *   surfaces: ['api', 'worker'],
 *   secrets: { webhookSigning: secret.random({ consumers: ['worker'] }) },
 * });
 * const app = combineSecrets(billing, hooks);
 * app.secrets.map((s) => s.name); // ['stripeApiKey', 'webhookSigning']
 * app.surfaces; // ['api', 'worker']
 * ```
 */
export function combineSecrets<
  A extends SecretDeclarations,
  SA extends string,
  B extends SecretDeclarations,
  SB extends string,
>(
  first: SecretsDefinition<A, SA>,
  second: SecretsDefinition<B, SB>,
): SecretsDefinition<A & B, SA | SB> {
  for (const d of [first, second]) {
    if (!index.has(d as object)) {
      throw new InvalidInputError('combineSecrets() takes definitions made by defineSecrets()', {
        details: { parameter: 'definitions' },
      });
    }
  }
  const a = first.owner;
  const b = second.owner;
  if (a.workspace !== b.workspace || a.project !== b.project || a.environment !== b.environment) {
    throw new InvalidInputError(
      'combineSecrets() takes definitions of the same workspace, project and environment',
      { details: { parameter: 'definitions' } },
    );
  }
  const surfaces = [...new Set<SA | SB>([...first.surfaces, ...second.surfaces])];
  return freezeDefinition<A & B, SA | SB>(
    first.owner,
    surfaces,
    Object.freeze({ ...first.declarations, ...second.declarations }) as A & B,
    [...first.secrets, ...second.secrets],
  );
}

/** @internal The defined secret `name`, or `SECRET_UNKNOWN` for a name not declared. */
export function definedSecret(definition: SecretsDefinition, name: unknown): DefinedSecret {
  const byName = index.get(definition);
  if (byName === undefined) {
    throw new InvalidInputError('expected a definition made by defineSecrets()', {
      details: { parameter: 'definition' },
    });
  }
  const found = typeof name === 'string' ? byName.get(name) : undefined;
  if (found === undefined) {
    throw new UnknownSecretError(typeof name === 'string' ? name.slice(0, 100) : typeof name);
  }
  return found;
}

/** @internal Whether `value` is a definition made here. */
export function isSecretsDefinition(value: unknown): value is SecretsDefinition {
  return typeof value === 'object' && value !== null && index.has(value);
}
