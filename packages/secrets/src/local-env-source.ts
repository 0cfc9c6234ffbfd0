// A read-only source over environment variables, for local development. It refuses to serve in
// production: a developer's shell is not where production secrets belong.
//
// Naming rule
//
//   variable(namespace, name)      = "COFFER_SECRET_" || SEGMENT(namespace) || "__" || SEGMENT(name)
//   variable(namespace, name, n)   = variable(namespace, name) || "__V" || n        (n ≥ 2)
//   SEGMENT(camel)                 = camel with "_" before every upper-case letter, upper-cased
//
//   billing / stripeApiKey   →  COFFER_SECRET_BILLING__STRIPE_API_KEY
//   app / webhookSigning, v2 →  COFFER_SECRET_APP__WEBHOOK_SIGNING__V2
//
// Names and namespaces are lowerCamelCase (/^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*$/), so SEGMENT is
// one-to-one (split on "_", capitalise every part but the first) and a segment never contains
// "__": two declarations never share a variable, and the version suffix cannot be mistaken for a
// name. The bare variable is version 1; `__V<n>` variables add versions. The highest version
// present is current, and every version present is accepted for verification. An empty variable
// counts as unset.
import { InvalidInputError, redact } from '@coffer/core';
import { assertCamelName } from './_identifiers.js';
import { MAX_ACCEPTED_VERSIONS } from './_snapshot.js';
import { SourceRefusedError } from './errors.js';
import type {
  SecretRef,
  SecretSource,
  StoredSecretSnapshot,
  StoredSecretVersion,
} from './secret-source.js';

const PREFIX = 'COFFER_SECRET_';
const VERSION_SUFFIX = /^__V([2-9]|[1-9][0-9]{1,5})$/;

/** Options of {@link createLocalEnvSource}. */
export interface LocalEnvSourceOptions {
  /** The variables to read (default: `process.env`, where the runtime has one). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Serve even in production (`NODE_ENV=production`, or a definition whose environment is one of
   * `productionEnvironments`). Default `false`.
   */
  readonly allowInProduction?: boolean;
  /** Environment names treated as production (default `['production', 'prod']`). */
  readonly productionEnvironments?: readonly string[];
}

function segment(camel: string): string {
  return camel.replace(/[A-Z]/g, '_$&').toUpperCase();
}

/**
 * The environment variable the local source reads for a secret's version 1 (add `__V<n>` for
 * version `n`). See the naming rule at the top of `local-env-source.ts` and in
 * docs/app-secrets.md.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when the namespace or name is not lowerCamelCase.
 * @example
 * ```ts
 * import { localEnvVariable } from '@coffer/secrets';
 *
 * localEnvVariable({ namespace: 'billing', name: 'stripeApiKey' }); // 'COFFER_SECRET_BILLING__STRIPE_API_KEY'
 * ```
 */
export function localEnvVariable(ref: {
  readonly namespace: string;
  readonly name: string;
}): string {
  assertCamelName(ref.namespace, 'namespace');
  assertCamelName(ref.name, 'name');
  return `${PREFIX}${segment(ref.namespace)}__${segment(ref.name)}`;
}

function processEnv(): Readonly<Record<string, string | undefined>> | undefined {
  const env = (globalThis as { process?: { env?: unknown } }).process?.env;
  return typeof env === 'object' && env !== null
    ? (env as Record<string, string | undefined>)
    : undefined;
}

/**
 * A read-only {@link SecretSource} over environment variables, for local development (keep the
 * values in a git-ignored `.env.local` loaded with `node --env-file=.env.local`). It refuses —
 * when it is created and on every read — to serve where `NODE_ENV` is `production`, and to serve
 * a definition whose environment is a production one, unless `allowInProduction` is set.
 *
 * @throws {SourceRefusedError} `SECRET_SOURCE_REFUSED` when created with `NODE_ENV=production`
 *   (reads refuse the same way, also for production definitions).
 * @throws {InvalidInputError} `INVALID_INPUT` on malformed options.
 * @example
 * ```ts
 * import { createLocalEnvSource, createSecretsClient, defineSecrets, secret } from '@coffer/secrets';
 *
 * const app = defineSecrets({
 *   workspace: 'acme',
 *   project: 'shop',
 *   environment: 'development',
 *   surfaces: ['api'],
 *   secrets: { stripeApiKey: secret.static({ namespace: 'billing', consumers: ['api'] }) },
 * });
 * const source = createLocalEnvSource({
 *   env: { COFFER_SECRET_BILLING__STRIPE_API_KEY: 'sk_test_4eC39HqLyjWDarjtT1zdp7dc' },
 * });
 * const api = await createSecretsClient(app, { surface: 'api', source });
 * api.secret('stripeApiKey').current().value.expose(); // 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'
 * ```
 */
export function createLocalEnvSource(options: LocalEnvSourceOptions = {}): SecretSource {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidInputError('options must be an object', { details: { parameter: 'options' } });
  }
  const { allowInProduction = false, productionEnvironments = ['production', 'prod'] } = options;
  if (typeof allowInProduction !== 'boolean') {
    throw new InvalidInputError('allowInProduction must be a boolean', {
      details: { parameter: 'allowInProduction' },
    });
  }
  if (
    !Array.isArray(productionEnvironments) ||
    !productionEnvironments.every((e) => typeof e === 'string')
  ) {
    throw new InvalidInputError('productionEnvironments must be an array of strings', {
      details: { parameter: 'productionEnvironments' },
    });
  }
  const given = options.env;
  if (given !== undefined && (typeof given !== 'object' || given === null)) {
    throw new InvalidInputError('env must be an object of variables', {
      details: { parameter: 'env' },
    });
  }
  const production = new Set(productionEnvironments);

  const refuseIfProduction = (ref?: SecretRef): void => {
    if (allowInProduction) return;
    if (given?.NODE_ENV === 'production' || processEnv()?.NODE_ENV === 'production') {
      throw new SourceRefusedError('NODE_ENV is "production"');
    }
    if (ref !== undefined && production.has(ref.owner.environment)) {
      throw new SourceRefusedError(`the definition's environment is "${ref.owner.environment}"`);
    }
  };
  refuseIfProduction();

  const variables = (): Readonly<Record<string, string | undefined>> => given ?? processEnv() ?? {};
  const versionFrom = (
    env: Readonly<Record<string, string | undefined>>,
    variable: string,
    version: number,
  ): StoredSecretVersion | undefined => {
    const text = Object.hasOwn(env, variable) ? env[variable] : undefined;
    if (typeof text !== 'string' || text === '') return undefined;
    return { version, value: redact(text) };
  };

  return {
    kind: 'local-env',
    locate(ref) {
      return `environment variable ${localEnvVariable(ref)}`;
    },
    async read(ref): Promise<StoredSecretSnapshot | undefined> {
      refuseIfProduction(ref);
      const env = variables();
      const base = localEnvVariable(ref);
      const found: StoredSecretVersion[] = [];
      const first = versionFrom(env, base, 1);
      if (first !== undefined) found.push(first);
      for (const key of Object.keys(env)) {
        if (!key.startsWith(base)) continue;
        const m = VERSION_SUFFIX.exec(key.slice(base.length));
        if (m === null) continue;
        const v = versionFrom(env, key, Number(m[1]));
        if (v !== undefined) found.push(v);
      }
      found.sort((a, b) => b.version - a.version);
      const current = found[0];
      if (current === undefined) return undefined;
      return { current, accepted: found.slice(0, MAX_ACCEPTED_VERSIONS) };
    },
    async readVersion(ref, version): Promise<StoredSecretVersion | undefined> {
      refuseIfProduction(ref);
      const base = localEnvVariable(ref);
      return versionFrom(variables(), version === 1 ? base : `${base}__V${version}`, version);
    },
  };
}
