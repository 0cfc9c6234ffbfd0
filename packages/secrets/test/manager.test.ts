// The write side: set checks the declared format before writing anything; rotate draws or
// generates the next value and loses cleanly to a concurrent rotation (check-and-set).
import { inspect } from 'node:util';
import { fromBase64Url, fromHex, isCofferError, redact } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createMemorySecretSource,
  createSecretsClient,
  createSecretsManager,
  defineSecrets,
  type GenerateContext,
  secret,
  type WritableSecretSource,
} from '../src/index.js';
import { owner } from './helpers.js';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return isCofferError(error) ? error.code : `foreign: ${String(error)}`;
  }
  return undefined;
}

const generatorCalls: GenerateContext[] = [];
function app() {
  return defineSecrets({
    ...owner,
    surfaces: ['api', 'worker'],
    secrets: {
      stripeApiKey: secret.static({
        namespace: 'billing',
        consumers: ['api'],
        format: /^sk_(live|test)_[A-Za-z0-9]{8,}$/,
      }),
      metaAppSecret: secret.static({
        consumers: ['worker'],
        format: z.string().regex(/^[0-9a-f]{32}$/, { message: 'got {input}' }),
      }),
      sessionKey: secret.random({ consumers: ['api'] }),
      hexKey: secret.random({ consumers: ['api'], bytes: 24, encoding: 'hex' }),
      rawKey: secret.random({ consumers: ['api'], bytes: 64, encoding: 'bytes' }),
      partnerWebhook: secret.generated({
        consumers: ['worker'],
        format: /^whsec_\w{16,}$/,
        generate: async (context) => {
          generatorCalls.push(context);
          const n = (context.previous?.version ?? 0) + 1;
          return {
            value: redact(`whsec_${'x'.repeat(16)}${n}`),
            metadata: { webhookId: `wh_${n}`, platform: 'acme-pay' },
          };
        },
      }),
    },
  });
}

/** Gives every secret of the definition a value, so clients of either surface can load. */
async function fillAll(source: WritableSecretSource, except: readonly string[] = []) {
  const manager = createSecretsManager(app(), { source });
  if (!except.includes('stripeApiKey')) await manager.set('stripeApiKey', 'sk_test_00000000');
  if (!except.includes('metaAppSecret')) {
    await manager.set('metaAppSecret', '0123456789abcdef0123456789abcdef');
  }
  for (const name of ['sessionKey', 'hexKey', 'rawKey', 'partnerWebhook'] as const) {
    if (!except.includes(name)) await manager.rotate(name);
  }
}

describe('set (static secrets)', () => {
  it('stores the operator’s value as the next version', async () => {
    const source = createMemorySecretSource();
    await fillAll(source, ['stripeApiKey']);
    const manager = createSecretsManager(app(), { source });
    expect(await manager.set('stripeApiKey', 'sk_test_aaaaaaaa1')).toEqual({
      version: 1,
      written: true,
    });
    expect(await manager.set('stripeApiKey', redact('sk_test_bbbbbbbb2'))).toEqual({
      version: 2,
      written: true,
    });
    const api = await createSecretsClient(app(), { surface: 'api', source });
    expect(api.secret('stripeApiKey').current().value.expose()).toBe('sk_test_bbbbbbbb2');
    expect(
      api
        .secret('stripeApiKey')
        .verifying()
        .map((v) => v.version),
    ).toEqual([2, 1]);
  });

  it('refuses a malformed value at set time, writing nothing and quoting nothing', async () => {
    const source = createMemorySecretSource();
    const manager = createSecretsManager(app(), { source });
    const bad: Array<[string, unknown]> = [
      ['stripeApiKey', 'pk_live_aaaaaaaaa'],
      ['stripeApiKey', 'sk_test_short'],
      ['stripeApiKey', ''],
      ['stripeApiKey', 'sk_test_aaaaaaaa1\n'],
      ['stripeApiKey', 'x'.repeat(70_000)],
      ['stripeApiKey', 42],
      ['stripeApiKey', redact(42)],
      ['metaAppSecret', 'ABCDEF0123456789abcdef0123456789'],
    ];
    for (const [name, value] of bad) {
      try {
        await (manager.set as (n: string, v: unknown) => Promise<unknown>)(name, value);
        expect.unreachable(`accepted ${String(value)}`);
      } catch (error) {
        expect(isCofferError(error, 'SECRET_INVALID_FORMAT')).toBe(true);
        const shown = `${(error as Error).message}${JSON.stringify(error)}${inspect(error)}`;
        expect(shown).not.toContain('aaaaaaaa');
        expect(shown).not.toContain('ABCDEF0123');
      }
    }
    expect([...source.reads.values()].reduce((a, b) => a + b, 0)).toBe(0);
    await expect(source.read(app().secrets[0]?.ref ?? ({} as never))).resolves.toBeUndefined();
  });

  it('refuses set on a random or generated secret, rotate on a static one, unknown names', async () => {
    const manager = createSecretsManager(app(), { source: createMemorySecretSource() });
    const untyped = manager as unknown as {
      set(n: string, v: string): Promise<unknown>;
      rotate(n: string): Promise<unknown>;
    };
    expect(await codeOf(untyped.set('sessionKey', 'x'))).toBe('SECRET_WRONG_MODE');
    expect(await codeOf(untyped.set('partnerWebhook', 'whsec_xxxxxxxxxxxxxxxx'))).toBe(
      'SECRET_WRONG_MODE',
    );
    expect(await codeOf(untyped.rotate('stripeApiKey'))).toBe('SECRET_WRONG_MODE');
    expect(await codeOf(untyped.rotate('nope'))).toBe('SECRET_UNKNOWN');
    expect(await codeOf(untyped.set('nope', 'x'))).toBe('SECRET_UNKNOWN');
  });

  it('refuses malformed metadata', async () => {
    const manager = createSecretsManager(app(), { source: createMemorySecretSource() });
    for (const metadata of [[], { a: 1 }, { ['k'.repeat(65)]: 'v' }, 'x']) {
      expect(
        await codeOf(
          manager.set('stripeApiKey', 'sk_test_aaaaaaaa1', { metadata: metadata as never }),
        ),
      ).toBe('INVALID_INPUT');
    }
  });
});

describe('rotate (random and generated secrets)', () => {
  it('draws random values of the declared length and encoding', async () => {
    const source = createMemorySecretSource();
    await fillAll(source);
    const manager = createSecretsManager(app(), { source });
    const api = await createSecretsClient(app(), { surface: 'api', source });
    const text = api.secret('sessionKey').current().value.expose();
    expect(fromBase64Url(text)).toHaveLength(32);
    expect(fromHex(api.secret('hexKey').current().value.expose())).toHaveLength(24);
    expect(api.secret('rawKey').current().value.expose()).toHaveLength(64);
    await manager.rotate('sessionKey');
    expect(api.secret('sessionKey').current().value.expose()).toBe(text);
    await api.invalidate('sessionKey');
    expect(api.secret('sessionKey').current().value.expose()).not.toBe(text);
  });

  it('calls the generator with the previous version’s metadata and stores its metadata', async () => {
    const source = createMemorySecretSource();
    await fillAll(source, ['partnerWebhook']);
    generatorCalls.length = 0;
    const manager = createSecretsManager(app(), { source });
    await manager.rotate('partnerWebhook');
    await manager.rotate('partnerWebhook');
    expect(generatorCalls.map((c) => c.previous)).toEqual([
      undefined,
      { version: 1, metadata: { webhookId: 'wh_1', platform: 'acme-pay' } },
    ]);
    expect(generatorCalls[0]?.secret.name).toBe('partnerWebhook');
    const worker = await createSecretsClient(app(), { surface: 'worker', source });
    const current = worker.secret('partnerWebhook').current();
    expect(current.version).toBe(2);
    expect(current.metadata).toEqual({ webhookId: 'wh_2', platform: 'acme-pay' });
  });

  it('of several instances rotating at once, exactly one writes; the others see its version', async () => {
    const source = createMemorySecretSource();
    const managers = Array.from({ length: 8 }, () => createSecretsManager(app(), { source }));
    await managers[0]?.rotate('sessionKey');
    const outcomes = await Promise.all(managers.map((m) => m.rotate('sessionKey')));
    expect(outcomes.filter((o) => o.written)).toHaveLength(1);
    expect(new Set(outcomes.map((o) => o.version))).toEqual(new Set([2]));
  });

  it('set retries a lost check-and-set, then gives up with SECRET_WRITE_CONFLICT', async () => {
    const memory = createMemorySecretSource();
    let interfere = 0;
    const racing: WritableSecretSource = {
      ...memory,
      kind: 'racing',
      async write(ref, write) {
        if (interfere > 0) {
          interfere--;
          await memory.write(ref, { ...write, expectedCurrent: write.expectedCurrent });
        }
        return memory.write(ref, write);
      },
    };
    const manager = createSecretsManager(app(), { source: racing });
    interfere = 2;
    expect(await manager.set('stripeApiKey', 'sk_test_aaaaaaaa1')).toEqual({
      version: 3,
      written: true,
    });
    interfere = 10;
    expect(await codeOf(manager.set('stripeApiKey', 'sk_test_aaaaaaaa1'))).toBe(
      'SECRET_WRITE_CONFLICT',
    );
  });

  it('a generator that throws or answers garbage stores nothing: SECRET_GENERATION_FAILED', async () => {
    const failing = [
      async () => {
        throw new Error('platform said: whsec_LEAKED_FROM_PLATFORM');
      },
      async () => null,
      async () => ({ value: 42 }),
      async () => ({ value: 'whsec_xxxxxxxxxxxxxxxxxxxx', metadata: { id: 7 } }),
    ];
    for (const generate of failing) {
      const def = defineSecrets({
        ...owner,
        surfaces: ['worker'],
        secrets: { hook: secret.generated({ consumers: ['worker'], generate: generate as never }) },
      });
      const source = createMemorySecretSource();
      try {
        await createSecretsManager(def, { source }).rotate('hook');
        expect.unreachable('stored');
      } catch (error) {
        expect(
          isCofferError(error, 'SECRET_GENERATION_FAILED') ||
            isCofferError(error, 'SECRET_INVALID_FORMAT'),
        ).toBe(true);
        expect((error as Error).cause).toBeUndefined();
        expect(`${(error as Error).message}${inspect(error)}`).not.toContain('LEAKED');
      }
      await expect(source.read(def.secrets[0]?.ref ?? ({} as never))).resolves.toBeUndefined();
    }
  });

  it('a generated value failing its format is refused before it is stored', async () => {
    const def = defineSecrets({
      ...owner,
      surfaces: ['worker'],
      secrets: {
        hook: secret.generated({
          consumers: ['worker'],
          format: /^whsec_\w+$/,
          generate: async () => ({ value: 'not-a-webhook-secret' }),
        }),
      },
    });
    const source = createMemorySecretSource();
    expect(await codeOf(createSecretsManager(def, { source }).rotate('hook'))).toBe(
      'SECRET_INVALID_FORMAT',
    );
    await expect(source.read(def.secrets[0]?.ref ?? ({} as never))).resolves.toBeUndefined();
  });

  it('refuses a source that cannot write, and foreign source errors become SECRET_SOURCE_FAILED', async () => {
    const untyped = createSecretsManager as unknown as (d: unknown, o: unknown) => unknown;
    expect(() => untyped(app(), { source: { read() {}, readVersion() {} } })).toThrow(
      /WritableSecretSource/,
    );
    const memory = createMemorySecretSource();
    const broken: WritableSecretSource = {
      ...memory,
      async write() {
        throw new Error('disk full near sk_test_LEAKED');
      },
    };
    const error = await createSecretsManager(app(), { source: broken })
      .set('stripeApiKey', 'sk_test_aaaaaaaa1')
      .catch((e: unknown) => e);
    expect(isCofferError(error, 'SECRET_SOURCE_FAILED')).toBe(true);
    expect(inspect(error)).not.toContain('LEAKED');
  });
});
