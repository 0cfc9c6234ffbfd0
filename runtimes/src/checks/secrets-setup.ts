// The secrets every runtime declares alike (so physical names agree), and the signers over a
// Cloudflare Secrets Store source. Shared by the checks, by Node's fixture and by Node's half of
// the interop checks.
import {
  createCloudflareSecretsStoreSource,
  createCookieSigner,
  createJwtSigner,
  createSecretsClient,
  createWebhookSigner,
  defineSecrets,
  secret,
} from '@coffer/secrets';

/** The definition: one random webhook/JWT/cookie key, read by the `worker` surface. */
export function secretsApp() {
  return defineSecrets({
    workspace: 'acme',
    project: 'runtimes',
    environment: 'interop',
    namespace: 'hooks',
    surfaces: ['api', 'worker'],
    secrets: {
      signingKey: secret.random({ consumers: ['worker'] }),
      apiOnly: secret.static({ consumers: ['api'] }),
    },
  });
}

/** A binding-shaped object (`{ get(): Promise<string> }`), where a runtime has no Secrets Store. */
export function bindingShaped(text: string): { get(): Promise<string> } {
  return { get: async () => text };
}

/** The Worker env a runtime reads: version 1 under the physical name, version n under `__V<n>`. */
export function bindingsFor(versions: ReadonlyArray<{ version: number; text: string }>) {
  const binding = secretsApp().secrets[0]?.ref.physicalName ?? '';
  const env: Record<string, unknown> = {};
  for (const v of versions) {
    env[v.version === 1 ? binding : `${binding}__V${v.version}`] = bindingShaped(v.text);
  }
  return env;
}

/** One hour: the whole run fits, however slow the machine. */
export const TOLERANCE_SEC = 3600;

/** A `worker` client over `env`'s Secrets Store bindings and the three signers of its key. */
export async function signersOver(env: Readonly<Record<string, unknown>>) {
  const client = await createSecretsClient(secretsApp(), {
    surface: 'worker',
    source: createCloudflareSecretsStoreSource({ env }),
  });
  const key = client.secret('signingKey');
  return {
    key,
    webhook: createWebhookSigner(key, { toleranceSec: TOLERANCE_SEC }),
    jwt: createJwtSigner(key, { issuer: 'coffer-runtimes', expiresInSec: TOLERANCE_SEC }),
    cookie: createCookieSigner(key, { purpose: 'session', maxAgeSec: TOLERANCE_SEC }),
  };
}

/** What one side signed, for the other to verify. */
export interface SignedSamples {
  readonly payload: string;
  readonly header: string;
  readonly jwt: string;
  readonly cookie: string;
}

/** Signs the sample payload, claims and cookie value with the current version. */
export async function signSamples(
  signers: Awaited<ReturnType<typeof signersOver>>,
  payload: string,
): Promise<SignedSamples> {
  return {
    payload,
    header: signers.webhook.sign(payload),
    jwt: await signers.jwt.sign({ payload }, { subject: 'interop' }),
    cookie: signers.cookie.sign(payload),
  };
}
