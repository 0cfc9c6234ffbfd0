// Declarations and definitions: what the builders accept, collisions refused at definition, and
// hostile input from untyped code.
import { isCofferError } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  combineSecrets,
  defineSecrets,
  physicalName,
  SecretNameCollisionError,
  secret,
} from '../src/index.js';
import { owner } from './helpers.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isCofferError(error) ? error.code : `foreign: ${String(error)}`;
  }
  return undefined;
}

describe('secret builders', () => {
  it('fill defaults and freeze the declaration', () => {
    const random = secret.random({ consumers: ['api'] });
    expect(random).toMatchObject({ mode: 'random', bytes: 32, encoding: 'base64url' });
    expect(Object.isFrozen(random)).toBe(true);
    expect(Object.isFrozen(random.consumers)).toBe(true);
    expect(secret.static({ consumers: ['api'] }).format).toBeUndefined();
  });

  it('strip g and y from a RegExp format, so checks are not stateful', () => {
    const declared = secret.static({ consumers: ['api'], format: /^sk_\w+$/gy });
    expect(declared.format).toBeInstanceOf(RegExp);
    expect((declared.format as RegExp).flags).toBe('');
  });

  const untyped = secret as unknown as Record<string, (o: unknown) => unknown>;
  it.each([
    ['static', undefined],
    ['static', null],
    ['static', 'api'],
    ['static', { consumers: [] }],
    ['static', { consumers: 'api' }],
    ['static', { consumers: ['API'] }],
    ['static', { consumers: ['api', 'api'] }],
    ['static', { consumers: Array.from({ length: 33 }, (_, i) => `s${i}`) }],
    ['static', { consumers: ['api'], namespace: 'Billing' }],
    ['static', { consumers: ['api'], namespace: '' }],
    ['static', { consumers: ['api'], format: 'sk_.*' }],
    ['static', { consumers: ['api'], format: { parse: () => 'x' } }],
    ['static', { consumers: ['api'], description: 'x'.repeat(501) }],
    ['random', { consumers: ['api'], bytes: 8 }],
    ['random', { consumers: ['api'], bytes: 1025 }],
    ['random', { consumers: ['api'], bytes: 32.5 }],
    ['random', { consumers: ['api'], bytes: '32' }],
    ['random', { consumers: ['api'], encoding: 'base64' }],
    ['generated', { consumers: ['api'] }],
    ['generated', { consumers: ['api'], generate: 'https://example.test' }],
  ])('secret.%s(%j) is INVALID_INPUT', (mode, options) => {
    expect(code(() => untyped[mode]?.(options))).toBe('INVALID_INPUT');
  });
});

describe('defineSecrets', () => {
  it('gives each secret its physical name from the owner, namespace and name', () => {
    const app = defineSecrets({
      ...owner,
      namespace: 'shop',
      surfaces: ['api'],
      secrets: {
        a: secret.static({ consumers: ['api'] }),
        b: secret.static({ namespace: 'billing', consumers: ['api'] }),
      },
    });
    expect(app.secrets.map((s) => [s.name, s.ref.namespace, s.ref.physicalName])).toEqual([
      ['a', 'shop', physicalName({ ...owner, namespace: 'shop', name: 'a' })],
      ['b', 'billing', physicalName({ ...owner, namespace: 'billing', name: 'b' })],
    ]);
    expect(app.secrets[0]?.ref.owner).toEqual(owner);
    expect(Object.isFrozen(app)).toBe(true);
    expect(Object.isFrozen(app.secrets)).toBe(true);
  });

  it('defaults the namespace to app', () => {
    const app = defineSecrets({
      ...owner,
      surfaces: ['api'],
      secrets: { a: secret.static({ consumers: ['api'] }) },
    });
    expect(app.secrets[0]?.ref.namespace).toBe('app');
  });

  it('refuses malformed owners, names, surfaces and non-declarations', () => {
    const base = { ...owner, surfaces: ['api'], secrets: {} };
    const untyped = defineSecrets as unknown as (o: unknown) => unknown;
    const cases: unknown[] = [
      undefined,
      { ...base, workspace: 'Acme' },
      { ...base, project: '' },
      { ...base, environment: 'prod env' },
      { ...base, namespace: 'bad_ns' },
      { ...base, surfaces: [] },
      { ...base, surfaces: ['Api'] },
      { ...base, secrets: null },
      { ...base, secrets: [] },
      { ...base, secrets: { 'stripe-key': secret.static({ consumers: ['api'] }) } },
      { ...base, secrets: { StripeKey: secret.static({ consumers: ['api'] }) } },
      { ...base, secrets: { key: { mode: 'static', consumers: ['api'] } } },
      { ...base, secrets: { key: secret.static({ consumers: ['worker'] }) } },
    ];
    for (const c of cases)
      expect(
        code(() => untyped(c)),
        JSON.stringify(c),
      ).toBe('INVALID_INPUT');
  });

  it('accepts a zod schema as a format', () => {
    const app = defineSecrets({
      ...owner,
      surfaces: ['api'],
      secrets: { key: secret.static({ consumers: ['api'], format: z.string().min(3) }) },
    });
    expect(app.secrets).toHaveLength(1);
  });
});

describe('collisions', () => {
  const billing = () =>
    defineSecrets({
      ...owner,
      namespace: 'billing',
      surfaces: ['api'],
      secrets: { stripeApiKey: secret.static({ consumers: ['api'] }) },
    });

  it('refuses the same owner, namespace and name declared twice: SECRET_NAME_COLLISION', () => {
    try {
      combineSecrets(billing(), billing());
      expect.unreachable('combined');
    } catch (error) {
      expect(error).toBeInstanceOf(SecretNameCollisionError);
      expect((error as SecretNameCollisionError).code).toBe('SECRET_NAME_COLLISION');
      expect((error as SecretNameCollisionError).details).toEqual({
        collision: 'physical name',
        secrets: ['stripeApiKey', 'stripeApiKey'],
      });
    }
  });

  it('refuses two secrets with one accessor name in different namespaces', () => {
    const other = defineSecrets({
      ...owner,
      namespace: 'payouts',
      surfaces: ['worker'],
      secrets: { stripeApiKey: secret.static({ consumers: ['worker'] }) },
    });
    try {
      combineSecrets(billing(), other);
      expect.unreachable('combined');
    } catch (error) {
      expect((error as SecretNameCollisionError).details).toMatchObject({ collision: 'name' });
    }
  });

  it('combines distinct secrets of one owner, and refuses other owners or non-definitions', () => {
    const hooks = defineSecrets({
      ...owner,
      surfaces: ['worker', 'api'],
      secrets: { webhookSigning: secret.random({ consumers: ['worker'] }) },
    });
    const app = combineSecrets(billing(), hooks);
    expect(app.surfaces).toEqual(['api', 'worker']);
    expect(app.secrets.map((s) => s.name)).toEqual(['stripeApiKey', 'webhookSigning']);
    const staging = defineSecrets({
      ...owner,
      environment: 'staging',
      surfaces: ['api'],
      secrets: { other: secret.static({ consumers: ['api'] }) },
    });
    expect(code(() => combineSecrets(billing(), staging))).toBe('INVALID_INPUT');
    const untyped = combineSecrets as unknown as (a: unknown, b: unknown) => unknown;
    expect(code(() => untyped(billing(), { ...hooks }))).toBe('INVALID_INPUT');
  });

  it('different environments of one app never share a physical name', () => {
    const names = ['production', 'staging', 'dev-alice'].map(
      (environment) =>
        defineSecrets({
          ...owner,
          environment,
          surfaces: ['api'],
          secrets: { stripeApiKey: secret.static({ consumers: ['api'] }) },
        }).secrets[0]?.ref.physicalName,
    );
    expect(new Set(names).size).toBe(3);
  });
});
