// The local environment-variable source: its naming rule (one-to-one), versions, and the
// production guard.
import { isCofferError } from '@coffer/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createLocalEnvSource,
  createSecretsClient,
  defineSecrets,
  localEnvVariable,
  secret,
} from '../src/index.js';
import { keyText, owner } from './helpers.js';

const app = (environment = 'development') =>
  defineSecrets({
    ...owner,
    environment,
    surfaces: ['api'],
    secrets: {
      stripeApiKey: secret.static({ namespace: 'billing', consumers: ['api'] }),
      webhookSigning: secret.random({ consumers: ['api'] }),
    },
  });

const env = {
  COFFER_SECRET_BILLING__STRIPE_API_KEY: 'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
  COFFER_SECRET_APP__WEBHOOK_SIGNING: keyText(1),
};

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return isCofferError(error) ? error.code : `foreign: ${String(error)}`;
  }
  return undefined;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('naming rule', () => {
  it.each([
    ['billing', 'stripeApiKey', 'COFFER_SECRET_BILLING__STRIPE_API_KEY'],
    ['app', 'webhookSigning', 'COFFER_SECRET_APP__WEBHOOK_SIGNING'],
    ['metaCapi', 'accessToken2', 'COFFER_SECRET_META_CAPI__ACCESS_TOKEN2'],
    ['a', 'aBC', 'COFFER_SECRET_A__A_B_C'],
    ['a', 'aBc', 'COFFER_SECRET_A__A_BC'],
    ['x', 'apikey', 'COFFER_SECRET_X__APIKEY'],
    ['x', 'apiKey', 'COFFER_SECRET_X__API_KEY'],
  ])('%s / %s → %s', (namespace, name, variable) => {
    expect(localEnvVariable({ namespace, name })).toBe(variable);
  });

  it('is one-to-one on lowerCamelCase names', () => {
    const camel = fc.stringMatching(/^[a-z][a-z0-9]{0,4}(?:[A-Z][a-z0-9]{0,2}){0,3}$/);
    fc.assert(
      fc.property(camel, camel, camel, camel, (n1, a, n2, b) => {
        const same = n1 === n2 && a === b;
        expect(
          localEnvVariable({ namespace: n1, name: a }) ===
            localEnvVariable({ namespace: n2, name: b }),
        ).toBe(same);
      }),
    );
  });
});

describe('reading', () => {
  it('serves the variables the rule names', async () => {
    const api = await createSecretsClient(app(), {
      surface: 'api',
      source: createLocalEnvSource({ env }),
    });
    expect(api.secret('stripeApiKey').current().value.expose()).toBe(
      'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
    );
    expect(api.secret('webhookSigning').current().version).toBe(1);
  });

  it('reads process.env by default', async () => {
    vi.stubEnv('COFFER_SECRET_BILLING__STRIPE_API_KEY', 'sk_test_from_process_env');
    vi.stubEnv('COFFER_SECRET_APP__WEBHOOK_SIGNING', keyText(1));
    const api = await createSecretsClient(app(), {
      surface: 'api',
      source: createLocalEnvSource(),
    });
    expect(api.secret('stripeApiKey').current().value.expose()).toBe('sk_test_from_process_env');
  });

  it('__V<n> variables add versions: the highest is current, all are accepted', async () => {
    const api = await createSecretsClient(app(), {
      surface: 'api',
      source: createLocalEnvSource({
        env: {
          ...env,
          COFFER_SECRET_APP__WEBHOOK_SIGNING__V3: keyText(3),
          COFFER_SECRET_APP__WEBHOOK_SIGNING__V2: keyText(2),
          COFFER_SECRET_APP__WEBHOOK_SIGNING__V02: keyText(9),
          COFFER_SECRET_APP__WEBHOOK_SIGNING__V1: keyText(9),
          COFFER_SECRET_APP__WEBHOOK_SIGNING__VX: keyText(9),
          COFFER_SECRET_APP__WEBHOOK_SIGNING_V4: keyText(9),
        },
      }),
    });
    const hook = api.secret('webhookSigning');
    expect(hook.current().version).toBe(3);
    expect(hook.verifying().map((v) => [v.version, v.value.expose()])).toEqual([
      [3, keyText(3)],
      [2, keyText(2)],
      [1, keyText(1)],
    ]);
    expect((await hook.version(2)).value.expose()).toBe(keyText(2));
  });

  it('an unset or empty variable is SECRET_NOT_SET, naming the variable to set', async () => {
    const error = await createSecretsClient(app(), {
      surface: 'api',
      source: createLocalEnvSource({ env: { ...env, COFFER_SECRET_BILLING__STRIPE_API_KEY: '' } }),
    }).catch((e: unknown) => e);
    expect(isCofferError(error, 'SECRET_NOT_SET')).toBe(true);
    expect((error as Error).message).toContain(
      'environment variable COFFER_SECRET_BILLING__STRIPE_API_KEY',
    );
  });

  it('ignores inherited properties of the env object', async () => {
    const inherited = Object.create({ COFFER_SECRET_BILLING__STRIPE_API_KEY: 'sk_proto' });
    inherited.COFFER_SECRET_APP__WEBHOOK_SIGNING = keyText(1);
    expect(
      await codeOf(
        createSecretsClient(app(), {
          surface: 'api',
          source: createLocalEnvSource({ env: inherited }),
        }),
      ),
    ).toBe('SECRET_NOT_SET');
  });
});

describe('production guard', () => {
  it('refuses to be created with NODE_ENV=production (given or in process.env)', () => {
    expect(() => createLocalEnvSource({ env: { ...env, NODE_ENV: 'production' } })).toThrow(
      expect.objectContaining({ code: 'SECRET_SOURCE_REFUSED' }),
    );
    vi.stubEnv('NODE_ENV', 'production');
    expect(() => createLocalEnvSource({ env })).toThrow(
      expect.objectContaining({ code: 'SECRET_SOURCE_REFUSED' }),
    );
  });

  it('refuses reads once NODE_ENV turns production', async () => {
    const source = createLocalEnvSource({ env });
    vi.stubEnv('NODE_ENV', 'production');
    expect(await codeOf(createSecretsClient(app(), { surface: 'api', source }))).toBe(
      'SECRET_SOURCE_REFUSED',
    );
  });

  it('refuses a definition whose environment is a production one', async () => {
    for (const environment of ['production', 'prod']) {
      expect(
        await codeOf(
          createSecretsClient(app(environment), {
            surface: 'api',
            source: createLocalEnvSource({ env }),
          }),
        ),
      ).toBe('SECRET_SOURCE_REFUSED');
    }
    const custom = createLocalEnvSource({ env, productionEnvironments: ['live'] });
    expect(await codeOf(createSecretsClient(app('live'), { surface: 'api', source: custom }))).toBe(
      'SECRET_SOURCE_REFUSED',
    );
    expect(
      await codeOf(createSecretsClient(app('production'), { surface: 'api', source: custom })),
    ).toBeUndefined();
  });

  it('serves in production only with allowInProduction: true', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const source = createLocalEnvSource({ env, allowInProduction: true });
    const api = await createSecretsClient(app('production'), { surface: 'api', source });
    expect(api.secret('stripeApiKey').current().version).toBe(1);
  });

  it('refuses malformed options', () => {
    const untyped = createLocalEnvSource as unknown as (o: unknown) => unknown;
    for (const options of [
      null,
      { env: 'x' },
      { allowInProduction: 'yes' },
      { productionEnvironments: 'production' },
    ]) {
      expect(() => untyped(options)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
  });
});
