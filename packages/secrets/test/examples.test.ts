// Every @example in the package's TSDoc, run as written (imports from the package root); where a
// comment gives a value it is asserted, where it gives a shape (a time-dependent header) the shape
// and its relation to the other calls are.
import { isCofferError, redact } from '@coffer/core';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createMemoryVaultStore, createVault, createVaultReader } from '@coffer/vault';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  cloudflareSecretsStoreBindings,
  combineSecrets,
  createCloudflareSecretsStoreSource,
  createCookieSigner,
  createJwtSigner,
  createLocalEnvSource,
  createMemorySecretSource,
  createSecretsClient,
  createSecretsManager,
  createVaultSecretSource,
  createWebhookSigner,
  defineSecrets,
  localEnvVariable,
  physicalName,
  type ReplayGuard,
  ReplayGuardError,
  SecretFormatError,
  SecretGenerationError,
  SecretModeError,
  SecretNameCollisionError,
  SecretNotGrantedError,
  SecretNotSetError,
  type SecretSource,
  SecretSourceError,
  SecretUnavailableError,
  SecretVersionNotFoundError,
  SecretWriteConflictError,
  SignatureError,
  SourceRefusedError,
  secret,
  signatureErrorCode,
  UnknownSecretError,
} from '../src/index.js';

describe('errors', () => {
  it('each error class, as its example shows', () => {
    const format = new SecretFormatError('stripeApiKey', 'does not match its declared pattern');
    expect(format.code).toBe('SECRET_INVALID_FORMAT');
    expect(format.details).toEqual({ secret: 'stripeApiKey' });
    expect(new UnknownSecretError('stripeApiKy').code).toBe('SECRET_UNKNOWN');
    expect(new SecretNotGrantedError('adminToken', 'worker').details).toEqual({
      secret: 'adminToken',
      surface: 'worker',
    });
    expect(new SecretNotSetError([{ secret: 'stripeApiKey' }]).code).toBe('SECRET_NOT_SET');
    expect(new SecretVersionNotFoundError('webhookSigning', 7).details).toEqual({
      secret: 'webhookSigning',
      version: 7,
    });
    expect(
      new SecretNameCollisionError('physical name', 'webhookSigning', 'partnerWebhook').code,
    ).toBe('SECRET_NAME_COLLISION');
    expect(new SecretModeError('webhookSigning', 'random', 'set').code).toBe('SECRET_WRONG_MODE');
    expect(new SecretSourceError('memory', 'stripeApiKey', 'threw').retryable).toBe(true);
    expect(new SecretUnavailableError('stripeApiKey', 'is reloading').status).toBe(503);
    expect(new SourceRefusedError('NODE_ENV is "production"').code).toBe('SECRET_SOURCE_REFUSED');
    expect(signatureErrorCode('expired')).toBe('SIGNATURE_EXPIRED');
    expect(signatureErrorCode('clock-skew')).toBe('SIGNATURE_CLOCK_SKEW');
    const err = new SignatureError('webhook signature', 'mismatch');
    expect(err.code).toBe('SIGNATURE_MISMATCH');
    expect(err.status).toBe(401);
    expect(new ReplayGuardError().retryable).toBe(true);
    expect(new SecretGenerationError('partnerWebhook', 'threw').code).toBe(
      'SECRET_GENERATION_FAILED',
    );
    expect(new SecretWriteConflictError('stripeApiKey').status).toBe(409);
  });
});

describe('declarations and definitions', () => {
  it('secret builders', () => {
    const stripeApiKey = secret.static({
      consumers: ['api'],
      format: /^sk_(live|test)_[A-Za-z0-9]{24,}$/,
    });
    const sessionKey = secret.random({ consumers: ['api'], bytes: 32, encoding: 'bytes' });
    const metaAppSecret = secret.static({
      consumers: ['worker'],
      format: z
        .string()
        .regex(/^[0-9a-f]{32}$/)
        .brand<'MetaAppSecret'>(),
    });
    expect(stripeApiKey.mode).toBe('static');
    expect(sessionKey.bytes).toBe(32);
    expect(metaAppSecret.consumers).toEqual(['worker']);
  });

  it('defineSecrets', () => {
    const app = defineSecrets({
      workspace: 'acme',
      project: 'shop',
      environment: 'production',
      surfaces: ['api', 'worker'],
      secrets: {
        stripeApiKey: secret.static({ namespace: 'billing', consumers: ['api'] }),
        webhookSigning: secret.random({ consumers: ['api', 'worker'] }),
      },
    });
    expect(app.secrets.map((s) => s.ref.physicalName)).toEqual([
      'CS3ANVMWJB6Q97PGA5BS1ZQ8NF1Y',
      'CSYVKWCVQ3XS6DGPTACET79HPHJM',
    ]);
  });

  it('combineSecrets', () => {
    const owner = { workspace: 'acme', project: 'shop', environment: 'production' } as const;
    const billing = defineSecrets({
      ...owner,
      namespace: 'billing',
      surfaces: ['api'],
      secrets: { stripeApiKey: secret.static({ consumers: ['api'] }) },
    });
    const hooks = defineSecrets({
      ...owner,
      namespace: 'webhooks',
      surfaces: ['api', 'worker'],
      secrets: { webhookSigning: secret.random({ consumers: ['worker'] }) },
    });
    const app = combineSecrets(billing, hooks);
    expect(app.secrets.map((s) => s.name)).toEqual(['stripeApiKey', 'webhookSigning']);
    expect(app.surfaces).toEqual(['api', 'worker']);
  });

  it('physicalName', () => {
    expect(
      physicalName({
        workspace: 'acme',
        project: 'shop',
        environment: 'production',
        namespace: 'billing',
        name: 'stripeApiKey',
      }),
    ).toBe('CS3ANVMWJB6Q97PGA5BS1ZQ8NF1Y');
  });
});

describe('sources', () => {
  it('SecretSource (a fixed map)', async () => {
    const values = new Map<string, string>();
    const source: SecretSource = {
      kind: 'fixed-map',
      async read(ref) {
        const text = values.get(ref.physicalName);
        if (text === undefined) return undefined;
        const current = { version: 1, value: redact(text) };
        return { current, accepted: [current] };
      },
      async readVersion(ref, version) {
        const text = values.get(ref.physicalName);
        return text === undefined || version !== 1
          ? undefined
          : { version: 1, value: redact(text) };
      },
    };
    expect(source.kind).toBe('fixed-map');
    // And it works as a source.
    const app = defineSecrets({
      workspace: 'acme',
      project: 'shop',
      environment: 'test',
      surfaces: ['api'],
      secrets: { token: secret.static({ consumers: ['api'] }) },
    });
    values.set(app.secrets[0]?.ref.physicalName ?? '', 'tok');
    const api = await createSecretsClient(app, { surface: 'api', source });
    expect(api.secret('token').current().value.expose()).toBe('tok');
  });

  it('createMemorySecretSource', () => {
    const source = createMemorySecretSource({ acceptVersions: 2 });
    expect(source.kind).toBe('memory');
  });

  it('localEnvVariable and createLocalEnvSource', async () => {
    expect(localEnvVariable({ namespace: 'billing', name: 'stripeApiKey' })).toBe(
      'COFFER_SECRET_BILLING__STRIPE_API_KEY',
    );
    const app = defineSecrets({
      workspace: 'acme',
      project: 'shop',
      environment: 'development',
      surfaces: ['api'],
      secrets: { stripeApiKey: secret.static({ namespace: 'billing', consumers: ['api'] }) },
    });
    const source = createLocalEnvSource({
      env: { COFFER_SECRET_BILLING__STRIPE_API_KEY: 'sk_test_4eC39HqLyjWDarjtT1zdp7dc' },
    });
    const api = await createSecretsClient(app, { surface: 'api', source });
    expect(api.secret('stripeApiKey').current().value.expose()).toBe(
      'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
    );
  });

  it('createCloudflareSecretsStoreSource and cloudflareSecretsStoreBindings', () => {
    const env = {
      CS3ANVMWJB6Q97PGA5BS1ZQ8NF1Y: { get: async () => 'sk_test_4eC39HqLyjWDarjtT1zdp7dc' },
    };
    const source = createCloudflareSecretsStoreSource({ env });
    expect(source.kind).toBe('cloudflare-secrets-store');

    const app = defineSecrets({
      workspace: 'acme',
      project: 'shop',
      environment: 'production',
      surfaces: ['api', 'worker'],
      secrets: {
        stripeApiKey: secret.static({ namespace: 'billing', consumers: ['api'] }),
        webhookSigning: secret.random({ consumers: ['worker'] }),
      },
    });
    expect(cloudflareSecretsStoreBindings(app, { surface: 'api', storeId: 'a1b2c3' })).toEqual([
      {
        binding: 'CS3ANVMWJB6Q97PGA5BS1ZQ8NF1Y',
        store_id: 'a1b2c3',
        secret_name: 'CS3ANVMWJB6Q97PGA5BS1ZQ8NF1Y',
      },
    ]);
  });
});

describe('client and manager', () => {
  it('createSecretsClient', async () => {
    const app = defineSecrets({
      workspace: 'acme',
      project: 'shop',
      environment: 'test',
      surfaces: ['api', 'worker'],
      secrets: {
        stripeApiKey: secret.static({ consumers: ['api'], format: /^sk_test_\w+$/ }),
        webhookSigning: secret.random({ consumers: ['api', 'worker'] }),
      },
    });
    const source = createMemorySecretSource();
    const manager = createSecretsManager(app, { source });
    await manager.set('stripeApiKey', 'sk_test_4eC39HqLyjWDarjtT1zdp7dc');
    await manager.rotate('webhookSigning');

    const api = await createSecretsClient(app, { surface: 'api', source });
    expect(api.secret('stripeApiKey').current().value.expose()).toBe(
      'sk_test_4eC39HqLyjWDarjtT1zdp7dc',
    );
    expect(api.secret('webhookSigning').current().version).toBe(1);
  });

  it('createSecretsManager', async () => {
    const app = defineSecrets({
      workspace: 'acme',
      project: 'shop',
      environment: 'test',
      surfaces: ['api'],
      secrets: {
        stripeApiKey: secret.static({ consumers: ['api'], format: /^sk_test_\w+$/ }),
        sessionKey: secret.random({ consumers: ['api'] }),
      },
    });
    const manager = createSecretsManager(app, { source: createMemorySecretSource() });
    expect(await manager.set('stripeApiKey', 'sk_test_4eC39HqLyjWDarjtT1zdp7dc')).toEqual({
      version: 1,
      written: true,
    });
    expect(await manager.rotate('sessionKey')).toEqual({ version: 1, written: true });
    expect(await manager.rotate('sessionKey')).toEqual({ version: 2, written: true });
  });
});

describe('vault source', () => {
  it('createVaultSecretSource', async () => {
    const store = createMemoryVaultStore();
    const envelope = createEnvelope({
      provider: createLocalKeyProvider(
        Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
      ),
    });
    const source = createVaultSecretSource({
      vault: createVault({ store, envelope, maxVersions: 3 }),
      reader: createVaultReader({ store, envelope, audit: { emit: () => {} } }),
    });
    const app = defineSecrets({
      workspace: 'acme',
      project: 'shop',
      environment: 'production',
      surfaces: ['api'],
      secrets: {
        webhookSigning: secret.random({
          consumers: ['api'],
          rotation: { every: '30d', retain: { versions: 1 } },
        }),
      },
    });
    const manager = createSecretsManager(app, { source });
    expect(await manager.rotate('webhookSigning')).toEqual({ version: 1, written: true });
    const api = await createSecretsClient(app, { surface: 'api', source });
    expect(api.secret('webhookSigning').current().version).toBe(1);
  });
});

describe('signing helpers', () => {
  it('createWebhookSigner', async () => {
    const app = defineSecrets({
      workspace: 'acme',
      project: 'shop',
      environment: 'test',
      surfaces: ['api'],
      secrets: { webhookSigning: secret.random({ consumers: ['api'] }) },
    });
    const source = createMemorySecretSource();
    await createSecretsManager(app, { source }).rotate('webhookSigning');
    const api = await createSecretsClient(app, { surface: 'api', source });
    const hooks = createWebhookSigner(api.secret('webhookSigning'));

    const body = '{"type":"order.paid","id":"ord_42"}';
    const header = hooks.sign(body);
    expect(header).toMatch(/^t=\d+,kid=1,v1=[0-9a-f]{64}$/);
    const t = Number(/t=(\d+)/.exec(header)?.[1]);
    await expect(hooks.verify(body, header)).resolves.toEqual({
      ok: true,
      version: 1,
      timestamp: t,
    });
    await expect(hooks.verify(`${body} `, header)).resolves.toEqual({
      ok: false,
      reason: 'mismatch',
      code: 'SIGNATURE_MISMATCH',
    });
    await expect(hooks.verify(body, 'garbage')).resolves.toEqual({
      ok: false,
      reason: 'malformed',
      code: 'SIGNATURE_MALFORMED',
    });
  });

  it('ReplayGuard (in one process)', () => {
    const seen = new Map<string, number>();
    const guard: ReplayGuard = {
      claim(id, expiresAtSec) {
        const now = Date.now() / 1000;
        for (const [k, until] of seen) if (until < now) seen.delete(k);
        if (seen.has(id)) return false;
        seen.set(id, expiresAtSec);
        return true;
      },
    };
    const later = Math.floor(Date.now() / 1000) + 300;
    expect(guard.claim('1767225600:ab12…', later)).toBe(true);
    expect(guard.claim('1767225600:ab12…', later)).toBe(false);
  });

  it('createJwtSigner', async () => {
    const app = defineSecrets({
      workspace: 'acme',
      project: 'shop',
      environment: 'test',
      surfaces: ['api'],
      secrets: { sessionJwt: secret.random({ consumers: ['api'], bytes: 32, encoding: 'bytes' }) },
    });
    const source = createMemorySecretSource();
    await createSecretsManager(app, { source }).rotate('sessionJwt');
    const api = await createSecretsClient(app, { surface: 'api', source });
    const jwt = createJwtSigner(api.secret('sessionJwt'), {
      issuer: 'https://shop.example',
      audience: 'shop-api',
    });

    const token = await jwt.sign({ role: 'admin' }, { subject: 'user_42' });
    const result = await jwt.verify(token);
    expect(result.ok && result.payload.sub).toBe('user_42');
    expect(result.ok && result.version).toBe(1);
  });

  it('createCookieSigner', async () => {
    const app = defineSecrets({
      workspace: 'acme',
      project: 'shop',
      environment: 'test',
      surfaces: ['api'],
      secrets: { cookieKey: secret.random({ consumers: ['api'] }) },
    });
    const source = createMemorySecretSource();
    await createSecretsManager(app, { source }).rotate('cookieKey');
    const api = await createSecretsClient(app, { surface: 'api', source });
    const cookies = createCookieSigner(api.secret('cookieKey'), {
      purpose: 'session',
      maxAgeSec: 86_400,
    });

    const signed = cookies.sign('sess_01J9Z3');
    expect(signed).toMatch(/^c1\.1\.\d+\.c2Vzc18wMUo5WjM\.[A-Za-z0-9_-]{43}$/);
    const issuedAt = Number(signed.split('.')[2]);
    expect(cookies.verify(signed)).toEqual({
      ok: true,
      value: 'sess_01J9Z3',
      version: 1,
      issuedAt,
    });
    expect(cookies.verify(signed.replace('c2Vzc18wMUo5WjM', 'c2Vzc18wMUo5WjQ'))).toEqual({
      ok: false,
      reason: 'mismatch',
      code: 'SIGNATURE_MISMATCH',
    });
    expect(isCofferError(new SignatureError('x', 'mismatch'), 'SIGNATURE_MISMATCH')).toBe(true);
  });
});
