// The Cloudflare Secrets Store source against binding-shaped objects (`{ get(): Promise<string> }`).
// The real binding, in workerd through miniflare, is exercised by runtimes/src/checks/secrets.ts.
import { inspect } from 'node:util';
import { isCofferError } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import {
  cloudflareSecretsStoreBindings,
  createCloudflareSecretsStoreSource,
  createSecretsClient,
  createWebhookSigner,
  defineSecrets,
  secret,
} from '../src/index.js';
import { keyText, owner } from './helpers.js';

const app = defineSecrets({
  ...owner,
  surfaces: ['api', 'worker'],
  secrets: {
    stripeApiKey: secret.static({ namespace: 'billing', consumers: ['api'] }),
    webhookSigning: secret.random({ consumers: ['api', 'worker'] }),
  },
});
const [stripe, hook] = app.secrets;
const STRIPE = stripe?.ref.physicalName ?? '';
const HOOK = hook?.ref.physicalName ?? '';

function binding(value: string, counter?: { n: number }) {
  return {
    async get() {
      if (counter !== undefined) counter.n++;
      return value;
    },
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return isCofferError(error) ? error.code : `foreign: ${String(error)}`;
  }
  return undefined;
}

describe('createCloudflareSecretsStoreSource', () => {
  it('reads each granted secret from the binding named by its physical name', async () => {
    const counter = { n: 0 };
    const env = {
      [STRIPE]: binding('sk_live_from_the_store', counter),
      [HOOK]: binding(keyText(1), counter),
    };
    const worker = await createSecretsClient(app, {
      surface: 'worker',
      source: createCloudflareSecretsStoreSource({ env }),
    });
    expect(counter.n).toBe(1);
    expect(worker.secret('webhookSigning').current().value.expose()).toBe(keyText(1));
    for (let i = 0; i < 100; i++) worker.secret('webhookSigning').current();
    expect(counter.n).toBe(1);
  });

  it('<binding>__V<n> bindings are further versions; the highest is current', async () => {
    const env = {
      [STRIPE]: binding('sk_live_x'),
      [HOOK]: binding(keyText(1)),
      [`${HOOK}__V2`]: binding(keyText(2)),
      [`${HOOK}__V10`]: binding(keyText(10)),
      [`${HOOK}__V01`]: binding(keyText(9)),
      [`${HOOK}_V3`]: binding(keyText(9)),
    };
    const api = await createSecretsClient(app, {
      surface: 'api',
      source: createCloudflareSecretsStoreSource({ env }),
    });
    const accessor = api.secret('webhookSigning');
    expect(accessor.verifying().map((v) => v.version)).toEqual([10, 2, 1]);
    const signer = createWebhookSigner(accessor);
    const header = signer.sign('{}');
    expect(header).toContain(',kid=10,');
    expect((await accessor.version(2)).value.expose()).toBe(keyText(2));
    expect(await codeOf(accessor.version(3))).toBe('SECRET_VERSION_NOT_FOUND');
  });

  it('a missing binding is SECRET_NOT_SET naming the binding', async () => {
    const error = await createSecretsClient(app, {
      surface: 'worker',
      source: createCloudflareSecretsStoreSource({ env: {} }),
    }).catch((e: unknown) => e);
    expect(isCofferError(error, 'SECRET_NOT_SET')).toBe(true);
    expect((error as Error).message).toContain(`Secrets Store binding ${HOOK}`);
  });

  it('a failing get(), a non-binding, or a non-text answer is SECRET_SOURCE_FAILED, nothing echoed', async () => {
    const answers: unknown[] = [
      {
        get: async () => {
          throw new Error('Secret "sk_live_LEAKED" not found');
        },
      },
      'sk_live_LEAKED',
      { get: async () => 42 },
      { get: 'sk_live_LEAKED' },
    ];
    for (const value of answers) {
      const error = await createSecretsClient(app, {
        surface: 'worker',
        source: createCloudflareSecretsStoreSource({ env: { [HOOK]: value } }),
      }).catch((e: unknown) => e);
      expect(isCofferError(error, 'SECRET_SOURCE_FAILED')).toBe(true);
      expect(`${(error as Error).message}${inspect(error)}`).not.toContain('LEAKED');
    }
  });

  it('takes a custom binding name, and refuses one that is not an identifier', async () => {
    const source = createCloudflareSecretsStoreSource({
      env: { WEBHOOK_SIGNING: binding(keyText(1)) },
      bindingName: (ref) => ref.name.replace(/[A-Z]/g, '_$&').toUpperCase(),
    });
    const worker = await createSecretsClient(app, { surface: 'worker', source });
    expect(worker.secret('webhookSigning').current().version).toBe(1);
    const bad = createCloudflareSecretsStoreSource({ env: {}, bindingName: () => 'not valid!' });
    expect(await codeOf(createSecretsClient(app, { surface: 'worker', source: bad }))).toBe(
      'INVALID_INPUT',
    );
    const untyped = createCloudflareSecretsStoreSource as unknown as (o: unknown) => unknown;
    expect(() => untyped({})).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => untyped({ env: {}, bindingName: 'X' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

describe('cloudflareSecretsStoreBindings', () => {
  it('lists one binding per secret granted to the surface, nothing else', () => {
    expect(cloudflareSecretsStoreBindings(app, { surface: 'worker', storeId: 'store1' })).toEqual([
      { binding: HOOK, store_id: 'store1', secret_name: HOOK },
    ]);
    expect(
      cloudflareSecretsStoreBindings(app, { surface: 'api', storeId: 'store1' }).map(
        (b) => b.binding,
      ),
    ).toEqual([STRIPE, HOOK]);
  });

  it('refuses an unknown surface or an empty store id', () => {
    const untyped = cloudflareSecretsStoreBindings as unknown as (
      d: unknown,
      o: unknown,
    ) => unknown;
    expect(() => untyped(app, { surface: 'cron', storeId: 's' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => untyped(app, { surface: 'api', storeId: '' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
