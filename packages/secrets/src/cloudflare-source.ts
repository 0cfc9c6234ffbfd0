// A read-only source over Cloudflare Secrets Store bindings: the value stays in the user's
// Cloudflare account and reaches the Worker as `await env.BINDING.get()`.
//
// Binding rule: version 1 of a secret is the binding named by `bindingName(ref)` (default: the
// physical name, e.g. CS7Q…); version n ≥ 2 is `<binding>__V<n>`. The highest version bound is
// current; every version bound is accepted for verification. Rotating on Cloudflare is therefore:
// create the store secret `<physical>__V<n>`, bind it, deploy; drop the old binding once every
// signature made with it has expired.
import { InvalidInputError, redact } from '@coffer/core';
import { MAX_ACCEPTED_VERSIONS } from './_snapshot.js';
import type { SecretDeclarations, SecretsDefinition } from './define-secrets.js';
import { SecretSourceError } from './errors.js';
import type {
  SecretRef,
  SecretSource,
  StoredSecretSnapshot,
  StoredSecretVersion,
} from './secret-source.js';

/** The shape of a Secrets Store secret binding in a Worker's `env`. */
export interface SecretsStoreSecretBinding {
  get(): Promise<string>;
}

/** Options of {@link createCloudflareSecretsStoreSource}. */
export interface CloudflareSecretsStoreSourceOptions {
  /** The Worker's `env` (its bindings). */
  readonly env: Readonly<Record<string, unknown>>;
  /** The binding of a secret's version 1 (default: its physical name). */
  readonly bindingName?: (ref: SecretRef) => string;
}

const VERSION_SUFFIX = /^__V([2-9]|[1-9][0-9]{1,5})$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/;

function isBinding(value: unknown): value is SecretsStoreSecretBinding {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { get?: unknown }).get === 'function'
  );
}

/**
 * A read-only {@link SecretSource} over Cloudflare Secrets Store bindings (`env.<binding>.get()`).
 * Create it inside the Worker's `fetch` (the `env` is per request) and keep the client for the
 * isolate; the client's cache spares a binding read on every request.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `env` is not an object or `bindingName` not a
 *   function.
 * @example
 * ```ts
 * import { createCloudflareSecretsStoreSource } from '@coffer/secrets';
 *
 * // In a Worker: `env` is the fetch handler's second argument.
 * const env = { CS3ANVMWJB6Q97PGA5BS1ZQ8NF1Y: { get: async () => 'sk_test_4eC39HqLyjWDarjtT1zdp7dc' } };
 * const source = createCloudflareSecretsStoreSource({ env });
 * source.kind; // 'cloudflare-secrets-store'
 * ```
 */
export function createCloudflareSecretsStoreSource(
  options: CloudflareSecretsStoreSourceOptions,
): SecretSource {
  const env = options?.env;
  if (typeof env !== 'object' || env === null) {
    throw new InvalidInputError('env must be the Worker env object', {
      details: { parameter: 'env' },
    });
  }
  const nameOf = options.bindingName ?? ((ref: SecretRef) => ref.physicalName);
  if (typeof nameOf !== 'function') {
    throw new InvalidInputError('bindingName must be a function of the secret', {
      details: { parameter: 'bindingName' },
    });
  }
  const kind = 'cloudflare-secrets-store';
  const bindingOf = (ref: SecretRef): string => {
    const name: unknown = nameOf(ref);
    if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
      throw new InvalidInputError(
        'bindingName must return a binding name (a JavaScript identifier)',
        {
          details: { parameter: 'bindingName', secret: ref.name },
        },
      );
    }
    return name;
  };
  const readBinding = async (
    ref: SecretRef,
    binding: string,
    version: number,
  ): Promise<StoredSecretVersion | undefined> => {
    const value = Object.hasOwn(env, binding) ? env[binding] : undefined;
    if (value === undefined) return undefined;
    if (!isBinding(value)) {
      throw new SecretSourceError(
        kind,
        ref.name,
        `found binding ${binding}, which is not a Secrets Store secret`,
      );
    }
    let text: unknown;
    try {
      text = await value.get();
    } catch {
      // Missing in the store, no permission, or the store unreachable: the runtime's message is
      // not passed on.
      throw new SecretSourceError(kind, ref.name, `could not read binding ${binding}`);
    }
    if (typeof text !== 'string') {
      throw new SecretSourceError(kind, ref.name, `read something other than text from ${binding}`);
    }
    return { version, value: redact(text) };
  };

  return {
    kind,
    locate(ref) {
      return `Secrets Store binding ${bindingOf(ref)}`;
    },
    async read(ref): Promise<StoredSecretSnapshot | undefined> {
      const base = bindingOf(ref);
      const wanted: Array<[string, number]> = [[base, 1]];
      for (const key of Object.keys(env)) {
        if (!key.startsWith(base)) continue;
        const m = VERSION_SUFFIX.exec(key.slice(base.length));
        if (m !== null) wanted.push([key, Number(m[1])]);
      }
      const found = (await Promise.all(wanted.map(([b, v]) => readBinding(ref, b, v)))).filter(
        (v): v is StoredSecretVersion => v !== undefined,
      );
      found.sort((a, b) => b.version - a.version);
      const current = found[0];
      if (current === undefined) return undefined;
      return { current, accepted: found.slice(0, MAX_ACCEPTED_VERSIONS) };
    },
    async readVersion(ref, version): Promise<StoredSecretVersion | undefined> {
      const base = bindingOf(ref);
      return readBinding(ref, version === 1 ? base : `${base}__V${version}`, version);
    },
  };
}

/** One entry of wrangler's `secrets_store_secrets` list. */
export interface SecretsStoreBindingConfig {
  readonly binding: string;
  readonly store_id: string;
  readonly secret_name: string;
}

/**
 * The `secrets_store_secrets` entries a Worker serving `surface` needs (wrangler config): one per
 * granted secret, bound under its physical name to the store secret of the same name. Secrets
 * not granted to the surface are not bound, so the Worker cannot read them at all.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` on a surface not in the definition or an empty store id.
 * @example
 * ```ts
 * import { cloudflareSecretsStoreBindings, defineSecrets, secret } from '@coffer/secrets';
 *
 * const app = defineSecrets({
 *   workspace: 'acme',
 *   project: 'shop',
 *   environment: 'production',
 *   surfaces: ['api', 'worker'],
 *   secrets: {
 *     stripeApiKey: secret.static({ namespace: 'billing', consumers: ['api'] }),
 *     webhookSigning: secret.random({ consumers: ['worker'] }),
 *   },
 * });
 * cloudflareSecretsStoreBindings(app, { surface: 'api', storeId: 'a1b2c3' });
 * // [{ binding: 'CS3ANVMWJB6Q97PGA5BS1ZQ8NF1Y', store_id: 'a1b2c3', secret_name: 'CS3ANVMWJB6Q97PGA5BS1ZQ8NF1Y' }]
 * ```
 */
export function cloudflareSecretsStoreBindings<D extends SecretDeclarations, S extends string>(
  definition: SecretsDefinition<D, S>,
  options: { readonly surface: NoInfer<S>; readonly storeId: string },
): SecretsStoreBindingConfig[] {
  const { surface, storeId } = options;
  if (!(definition.surfaces as readonly string[]).includes(surface)) {
    throw new InvalidInputError('surface must be one of the surfaces the definition lists', {
      details: { parameter: 'surface' },
    });
  }
  if (typeof storeId !== 'string' || storeId.length === 0) {
    throw new InvalidInputError('storeId must be the Secrets Store id', {
      details: { parameter: 'storeId' },
    });
  }
  return definition.secrets
    .filter((s) => s.consumers.includes(surface))
    .map((s) => ({
      binding: s.ref.physicalName,
      store_id: storeId,
      secret_name: s.ref.physicalName,
    }));
}
