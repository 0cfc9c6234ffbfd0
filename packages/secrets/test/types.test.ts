// Type-level tests: inference from declarations to accessors, and the mistakes the compiler must
// refuse. The `// @ts-expect-error` lines are checked by `pnpm typecheck` (an error that stops
// happening fails the typecheck); the runtime halves check untyped code gets the typed errors.
import type { Redacted } from '@coffer/core';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  cloudflareSecretsStoreBindings,
  createCookieSigner,
  createJwtSigner,
  createMemorySecretSource,
  createSecretsClient,
  createSecretsManager,
  createWebhookSigner,
  defineSecrets,
  type NamesFor,
  type RotatableNames,
  type SecretAccessor,
  type SecretVersion,
  type StaticNames,
  secret,
} from '../src/index.js';

const StripeKey = z
  .string()
  .regex(/^sk_(live|test)_\w+$/)
  .brand<'StripeKey'>();
const Port = z.string().regex(/^\d+$/).transform(Number);

const app = defineSecrets({
  workspace: 'acme',
  project: 'shop',
  environment: 'test',
  surfaces: ['api', 'worker'],
  secrets: {
    plain: secret.static({ consumers: ['api'] }),
    pattern: secret.static({ consumers: ['api'], format: /^x-\w+$/ }),
    branded: secret.static({ consumers: ['api', 'worker'], format: StripeKey }),
    transformed: secret.static({ consumers: ['worker'], format: Port }),
    randomText: secret.random({ consumers: ['api'] }),
    randomHex: secret.random({ consumers: ['api'], encoding: 'hex', bytes: 48 }),
    randomBytes: secret.random({ consumers: ['worker'], encoding: 'bytes' }),
    fromPlatform: secret.generated({
      consumers: ['worker'],
      generate: async () => ({ value: 'whsec_abc', metadata: { webhookId: 'wh_1' } }),
    }),
  },
});

type App = typeof app.declarations;

describe('declarations → accessor types', () => {
  it('each declaration carries its value type and consumers', () => {
    expectTypeOf(app.declarations.plain.mode).toEqualTypeOf<'static'>();
    expectTypeOf(app.declarations.randomBytes.mode).toEqualTypeOf<'random'>();
    expectTypeOf(app.declarations.fromPlatform.mode).toEqualTypeOf<'generated'>();
    expectTypeOf(app.declarations.branded.consumers).toEqualTypeOf<readonly ('api' | 'worker')[]>();
    expectTypeOf(app.surfaces).toEqualTypeOf<readonly ('api' | 'worker')[]>();
  });

  it('names per surface, settable and rotatable names', () => {
    expectTypeOf<NamesFor<App, 'api'>>().toEqualTypeOf<
      'plain' | 'pattern' | 'branded' | 'randomText' | 'randomHex'
    >();
    expectTypeOf<NamesFor<App, 'worker'>>().toEqualTypeOf<
      'branded' | 'transformed' | 'randomBytes' | 'fromPlatform'
    >();
    expectTypeOf<StaticNames<App>>().toEqualTypeOf<
      'plain' | 'pattern' | 'branded' | 'transformed'
    >();
    expectTypeOf<RotatableNames<App>>().toEqualTypeOf<
      'randomText' | 'randomHex' | 'randomBytes' | 'fromPlatform'
    >();
  });

  it('a value type flows to its accessor', async () => {
    const source = createMemorySecretSource();
    const manager = createSecretsManager(app, { source });
    await manager.set('plain', 'p');
    await manager.set('pattern', 'x-1');
    await manager.set('branded', 'sk_test_1');
    await manager.set('transformed', '8080');
    for (const n of ['randomText', 'randomHex', 'randomBytes', 'fromPlatform'] as const) {
      await manager.rotate(n);
    }
    const api = await createSecretsClient(app, { surface: 'api', source });
    const worker = await createSecretsClient(app, { surface: 'worker', source });
    expectTypeOf(api.surface).toEqualTypeOf<'api'>();
    expectTypeOf(api.secret('plain').current()).toEqualTypeOf<SecretVersion<string>>();
    expectTypeOf(api.secret('pattern').current().value).toEqualTypeOf<Redacted<string>>();
    expectTypeOf(api.secret('branded').current().value.expose()).toEqualTypeOf<
      string & z.core.$brand<'StripeKey'>
    >();
    expectTypeOf(worker.secret('transformed').current().value.expose()).toEqualTypeOf<number>();
    expectTypeOf(api.secret('randomText').current().value.expose()).toEqualTypeOf<string>();
    expectTypeOf(api.secret('randomHex').verifying()).toEqualTypeOf<
      readonly SecretVersion<string>[]
    >();
    expectTypeOf(worker.secret('randomBytes').current().value.expose()).toEqualTypeOf<Uint8Array>();
    expectTypeOf(worker.secret('fromPlatform').version(1)).toEqualTypeOf<
      Promise<SecretVersion<string>>
    >();
    // Runtime agrees with the types.
    expectTypeOf(worker.secret('transformed').current().value.expose()).toBeNumber();
    if (worker.secret('transformed').current().value.expose() !== 8080) throw new Error('8080');
  });

  it('refuses typos, ungranted names and wrong modes at compile time', async () => {
    const source = createMemorySecretSource();
    const manager = createSecretsManager(app, { source });
    const check = async () => {
      const api = await createSecretsClient(app, { surface: 'api', source });
      // @ts-expect-error a typo in a secret name
      api.secret('plian');
      // @ts-expect-error granted to worker only
      api.secret('transformed');
      // @ts-expect-error a surface the definition does not list
      await createSecretsClient(app, { surface: 'admin', source });
      // @ts-expect-error set takes static secrets only
      await manager.set('randomText', 'x');
      // @ts-expect-error rotate takes random and generated secrets only
      await manager.rotate('plain');
      // @ts-expect-error a static value is text
      await manager.set('plain', 42);
      // @ts-expect-error invalidate takes granted names
      await api.invalidate('randomBytes');
    };
    expectTypeOf(check).returns.resolves.toBeVoid();
  });

  it('refuses a consumer that is not a declared surface, and malformed options', () => {
    const bad = () =>
      defineSecrets({
        workspace: 'acme',
        project: 'shop',
        environment: 'test',
        surfaces: ['api'],
        secrets: {
          // @ts-expect-error 'wroker' is not among the surfaces
          x: secret.static({ consumers: ['wroker'] }),
        },
      });
    // @ts-expect-error bindings for a surface the definition does not list
    const badSurface = () => cloudflareSecretsStoreBindings(app, { surface: 'cron', storeId: 's' });
    expectTypeOf(badSurface).toBeFunction();
    // @ts-expect-error encoding must be one of the three
    const badEncoding = () => secret.random({ consumers: ['api'], encoding: 'base32' });
    // @ts-expect-error a format's schema must take a string
    const badSchema = () => secret.static({ consumers: ['api'], format: z.number() });
    expectTypeOf(bad).toBeFunction();
    expectTypeOf(badEncoding).toBeFunction();
    expectTypeOf(badSchema).toBeFunction();
  });

  it('signers take text or bytes secrets, not transformed ones', async () => {
    const source = createMemorySecretSource();
    const check = async () => {
      const worker = await createSecretsClient(app, { surface: 'worker', source });
      createWebhookSigner(worker.secret('randomBytes'));
      createJwtSigner(worker.secret('branded'));
      createCookieSigner(worker.secret('fromPlatform'), { purpose: 'session' });
      // @ts-expect-error a number is not a key
      createWebhookSigner(worker.secret('transformed'));
      expectTypeOf(worker.secret('randomBytes')).toMatchTypeOf<
        SecretAccessor<string | Uint8Array>
      >();
    };
    expectTypeOf(check).toBeFunction();
  });
});
