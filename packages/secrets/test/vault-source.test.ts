// The vault-backed source on the memory vault store: set with the format check, versions and
// retention, rotation state, rotateDue, resuming an interrupted rotation, failures recorded.
import { isCofferError } from '@coffer/core';
import { createMemoryVaultStore } from '@coffer/vault';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createSecretsClient,
  createSecretsManager,
  createWebhookSigner,
  defineSecrets,
  type GenerateContext,
  type SecretChange,
  secret,
} from '../src/index.js';
import { owner } from './helpers.js';
import { testClock, vaultSource } from './vault-fixture.js';

const DAY = 86_400_000;
let registrations = 0;

function app(
  generate?: (
    context: GenerateContext,
  ) => Promise<{ value: string; metadata?: Record<string, string> }>,
) {
  return defineSecrets({
    ...owner,
    surfaces: ['api', 'worker'],
    secrets: {
      stripeApiKey: secret.static({
        namespace: 'billing',
        consumers: ['api'],
        format: z.string().regex(/^sk_(live|test)_\w{24,}$/),
        rotation: { every: '90d' },
      }),
      webhookSigning: secret.random({
        consumers: ['api', 'worker'],
        rotation: { every: '30d', retain: { versions: 1 } },
      }),
      sessionKey: secret.random({
        consumers: ['api'],
        encoding: 'bytes',
        rotation: { every: '7d', retain: { for: '1d' } },
      }),
      partnerWebhook: secret.generated({
        consumers: ['worker'],
        format: /^whsec_\w{32,}$/,
        rotation: { every: '30d' },
        generate:
          generate ??
          (async () => {
            registrations++;
            return {
              value: `whsec_${'p'.repeat(30)}${String(registrations).padStart(4, '0')}`,
              metadata: { webhookId: `wh_${registrations}` },
            };
          }),
      }),
    },
  });
}

describe('vault source: set', () => {
  it('refuses a malformed static value before anything is stored, without quoting it', async () => {
    const clock = testClock();
    const store = createMemoryVaultStore();
    const { source, events } = vaultSource(store, clock);
    const manager = createSecretsManager(app(), { source, now: clock.now });
    const bad = 'sk_live_SHORT_but_SECRETISH';
    const error = await manager.set('stripeApiKey', bad).catch((e: unknown) => e);
    expect(isCofferError(error) && error.code).toBe('SECRET_INVALID_FORMAT');
    expect(String((error as Error).message)).not.toContain('SHORT');
    expect(JSON.stringify(error)).not.toContain('SHORT');
    expect(events).toEqual([]);
  });

  it('stores versions encrypted, reads them through audited reveals, keeps state', async () => {
    const clock = testClock();
    const store = createMemoryVaultStore();
    const { source, vault, events } = vaultSource(store, clock);
    const defined = app();
    const manager = createSecretsManager(defined, { source, now: clock.now });
    expect(await manager.set('stripeApiKey', 'sk_test_4eC39HqLyjWDarjtT1zdp7dc')).toEqual({
      version: 1,
      written: true,
    });
    clock.advance(1000);
    expect(await manager.set('stripeApiKey', 'sk_test_9zZ39HqLyjWDarjtT1zdp7dc')).toEqual({
      version: 2,
      written: true,
    });
    const ref = defined.secrets[0]?.ref;
    const entry = await vault.forOwner(owner.workspace).findByName(ref?.physicalName ?? '');
    expect(entry?.kind).toBe('app-secret');
    expect(entry?.status).toBe('active');
    expect(JSON.stringify(entry)).not.toContain('sk_test');
    const api = await createSecretsClient(defined, {
      surface: 'api',
      source,
      // only the api's secrets are loaded; set the random ones it needs first
    }).catch((e: unknown) => e);
    expect(isCofferError(api) && api.code).toBe('SECRET_NOT_SET');
    await manager.rotate('webhookSigning');
    await manager.rotate('sessionKey');
    const before = events.filter((e) => e.action === 'reveal').length;
    const client = await createSecretsClient(defined, { surface: 'api', source });
    const stripe = client.secret('stripeApiKey');
    expect(stripe.current().version).toBe(2);
    expect(stripe.current().value.expose()).toBe('sk_test_9zZ39HqLyjWDarjtT1zdp7dc');
    expect(stripe.verifying().map((v) => v.version)).toEqual([2, 1]);
    expect((await stripe.version(1)).value.expose()).toBe('sk_test_4eC39HqLyjWDarjtT1zdp7dc');
    const reveals = events.filter((e) => e.action === 'reveal').slice(before);
    expect(reveals.length).toBeGreaterThanOrEqual(4);
    expect(reveals.every((e) => e.actor === 'coffer-secrets' && e.kind === 'app-secret')).toBe(
      true,
    );
    const status = await manager.status();
    const s = status.find((x) => x.name === 'stripeApiKey');
    expect(s).toMatchObject({
      version: 2,
      lastRotatedAt: clock.now(),
      nextDueAt: clock.now() + 90 * DAY,
      due: false,
      inProgress: null,
      lastError: null,
    });
  });

  it('keeps each owner apart: a fixed owner, and the workspace by default', async () => {
    const clock = testClock();
    const store = createMemoryVaultStore();
    const a = vaultSource(store, clock, { owner: 'tenant-a' });
    const b = vaultSource(store, clock);
    const defined = app();
    await createSecretsManager(defined, { source: a.source }).rotate('webhookSigning');
    expect(
      await createSecretsManager(defined, { source: b.source }).rotate('webhookSigning'),
    ).toEqual({
      version: 1,
      written: true,
    });
    expect((await a.vault.forOwner('tenant-a').list()).items).toHaveLength(1);
    expect((await a.vault.forOwner(owner.workspace).list()).items).toHaveLength(1);
  });
});

describe('vault source: versions and retention', () => {
  it('a count retention accepts the previous version; older signatures are refused', async () => {
    const clock = testClock();
    const { source } = vaultSource(createMemoryVaultStore(), clock);
    const defined = app();
    const changes: SecretChange[] = [];
    const manager = createSecretsManager(defined, {
      source,
      now: clock.now,
      onChange: (c) => changes.push(c),
    });
    await manager.rotate('partnerWebhook'); // the worker surface reads it too
    changes.length = 0;
    await manager.rotate('webhookSigning');
    const client = await createSecretsClient(defined, { surface: 'worker', source });
    const hooks = createWebhookSigner(client.secret('webhookSigning'), { now: clock.now });
    const body = '{"id":"evt_1"}';
    const v1 = hooks.sign(body);
    await manager.rotate('webhookSigning');
    await client.invalidate('webhookSigning');
    const v2 = hooks.sign(body);
    expect(
      client
        .secret('webhookSigning')
        .verifying()
        .map((v) => v.version),
    ).toEqual([2, 1]);
    expect(await hooks.verify(body, v1)).toMatchObject({ ok: true, version: 1 });
    expect(await hooks.verify(body, v2)).toMatchObject({ ok: true, version: 2 });
    await manager.rotate('webhookSigning');
    await client.invalidate();
    expect(await hooks.verify(body, v1)).toMatchObject({
      ok: false,
      reason: 'version-not-accepted',
    });
    expect(await hooks.verify(body, v2)).toMatchObject({ ok: true, version: 2 });
    expect(changes.map((c) => c.version)).toEqual([1, 2, 3]);
  });

  it('a duration retention accepts a replaced version only for that long', async () => {
    const clock = testClock();
    const { source } = vaultSource(createMemoryVaultStore(), clock);
    const defined = app();
    const manager = createSecretsManager(defined, { source, now: clock.now });
    await manager.rotate('sessionKey');
    clock.advance(5 * DAY);
    await manager.rotate('sessionKey');
    const read = async () =>
      (await source.read(defined.secrets[2]?.ref ?? never()))?.accepted.map((v) => v.version);
    expect(await read()).toEqual([2, 1]);
    clock.advance(DAY - 1);
    expect(await read()).toEqual([2, 1]);
    clock.advance(1);
    expect(await read()).toEqual([2]);
  });

  it('a version the vault no longer keeps is not accepted, and version(n) of it is not found', async () => {
    const clock = testClock();
    const { source } = vaultSource(createMemoryVaultStore(), clock, { maxVersions: 0 });
    const defined = app();
    const manager = createSecretsManager(defined, { source, now: clock.now });
    await manager.rotate('partnerWebhook');
    await manager.rotate('webhookSigning');
    await manager.rotate('webhookSigning');
    const client = await createSecretsClient(defined, { surface: 'worker', source });
    expect(
      client
        .secret('webhookSigning')
        .verifying()
        .map((v) => v.version),
    ).toEqual([2]);
    const error = await client
      .secret('webhookSigning')
      .version(1)
      .catch((e: unknown) => e);
    expect(isCofferError(error) && error.code).toBe('SECRET_VERSION_NOT_FOUND');
  });
});

describe('vault source: rotateDue', () => {
  it('rotates random and generated secrets whose interval passed; reports static ones', async () => {
    const clock = testClock();
    const { source } = vaultSource(createMemoryVaultStore(), clock);
    const defined = app();
    const manager = createSecretsManager(defined, { source, now: clock.now });
    const first = await manager.rotateDue();
    expect(first.map((r) => [r.name, r.outcome, r.version])).toEqual([
      ['stripeApiKey', 'operator-due', null],
      ['webhookSigning', 'rotated', 1],
      ['sessionKey', 'rotated', 1],
      ['partnerWebhook', 'rotated', 1],
    ]);
    await manager.set('stripeApiKey', 'sk_test_4eC39HqLyjWDarjtT1zdp7dc');
    expect((await manager.rotateDue()).map((r) => r.outcome)).toEqual([
      'not-due',
      'not-due',
      'not-due',
      'not-due',
    ]);
    clock.advance(7 * DAY);
    expect((await manager.rotateDue()).map((r) => [r.outcome, r.version])).toEqual([
      ['not-due', 1],
      ['not-due', 1],
      ['rotated', 2],
      ['not-due', 1],
    ]);
    clock.advance(90 * DAY);
    expect((await manager.rotateDue()).map((r) => [r.outcome, r.version])).toEqual([
      ['operator-due', 1],
      ['rotated', 2],
      ['rotated', 3],
      ['rotated', 2],
    ]);
    const status = await manager.status();
    expect(status.find((s) => s.name === 'stripeApiKey')?.due).toBe(true);
    expect(status.find((s) => s.name === 'webhookSigning')).toMatchObject({
      due: false,
      lastRotatedAt: clock.now(),
      nextDueAt: clock.now() + 30 * DAY,
    });
  });

  it("a generated secret's metadata and the previous version's metadata reach the generator", async () => {
    const clock = testClock();
    const { source } = vaultSource(createMemoryVaultStore(), clock);
    const seen: GenerateContext[] = [];
    let n = 0;
    const defined = app(async (context) => {
      seen.push(context);
      n++;
      return { value: `whsec_${'g'.repeat(32)}${n}`, metadata: { webhookId: `wh_${n}` } };
    });
    const manager = createSecretsManager(defined, { source, now: clock.now });
    await manager.rotate('partnerWebhook');
    await manager.rotate('partnerWebhook');
    await manager.rotate('webhookSigning');
    expect(seen.map((c) => c.previous)).toEqual([
      undefined,
      { version: 1, metadata: { webhookId: 'wh_1' } },
    ]);
    const client = await createSecretsClient(defined, { surface: 'worker', source });
    expect(client.secret('partnerWebhook').current().metadata).toEqual({ webhookId: 'wh_2' });
  });

  it('a failed generator is reported, recorded as lastError, and the next run rotates', async () => {
    const clock = testClock();
    const { source } = vaultSource(createMemoryVaultStore(), clock);
    let fail = false;
    const defined = app(async () => {
      if (fail) throw new Error('platform said: whsec_LEAKED_IN_ERROR');
      return { value: `whsec_${'f'.repeat(40)}`, metadata: {} };
    });
    const manager = createSecretsManager(defined, { source, now: clock.now });
    await manager.rotate('partnerWebhook');
    fail = true;
    clock.advance(31 * DAY);
    const report = (await manager.rotateDue()).find((r) => r.name === 'partnerWebhook');
    expect(report).toEqual({
      name: 'partnerWebhook',
      mode: 'generated',
      outcome: 'failed',
      version: 1,
      error: 'SECRET_GENERATION_FAILED',
    });
    expect(JSON.stringify(report)).not.toContain('LEAKED');
    const status = (await manager.status()).find((s) => s.name === 'partnerWebhook');
    expect(status).toMatchObject({
      due: true,
      inProgress: null,
      lastError: { code: 'SECRET_GENERATION_FAILED', at: clock.now() },
    });
    fail = false;
    const again = (await manager.rotateDue()).find((r) => r.name === 'partnerWebhook');
    expect(again).toMatchObject({ outcome: 'rotated', version: 2 });
    expect((await manager.status()).find((s) => s.name === 'partnerWebhook')?.lastError).toBeNull();
  });

  it('resumes a rotation whose process died after its generator registered a webhook', async () => {
    const clock = testClock();
    const { source } = vaultSource(createMemoryVaultStore(), clock);
    const contexts: GenerateContext[] = [];
    let hang = false;
    let n = 0;
    const defined = app(async (context) => {
      contexts.push(context);
      n++;
      const result = { value: `whsec_${'r'.repeat(32)}${n}`, metadata: { webhookId: `wh_${n}` } };
      if (hang) return new Promise(() => {}); // the process "dies" inside the apply flow
      return result;
    });
    const options = { source, now: clock.now, rotation: { leaseMs: 60_000, waitMs: 0 } };
    await createSecretsManager(defined, options).rotate('partnerWebhook');
    clock.advance(31 * DAY);
    hang = true;
    void createSecretsManager(defined, options).rotateDue();
    await until(
      async () =>
        (await source.readState(defined.secrets[3]?.ref ?? never()))?.state.inProgress !== null,
    );
    hang = false;
    // While the lease holds, another run leaves it alone.
    const during = createSecretsManager(defined, options);
    expect((await during.rotateDue()).find((r) => r.name === 'partnerWebhook')?.outcome).toBe(
      'in-progress',
    );
    expect(
      (await during.status()).find((s) => s.name === 'partnerWebhook')?.inProgress,
    ).toMatchObject({
      expired: false,
    });
    clock.advance(60_000);
    const resumed = (await during.rotateDue()).find((r) => r.name === 'partnerWebhook');
    expect(resumed).toMatchObject({ outcome: 'resumed', version: 2 });
    expect(contexts.at(-1)?.interrupted).toEqual({
      startedAt: clock.now() - 60_000,
      metadata: undefined,
    });
    expect(contexts.at(-1)?.previous).toEqual({ version: 1, metadata: { webhookId: 'wh_1' } });
    expect((await during.status()).find((s) => s.name === 'partnerWebhook')).toMatchObject({
      version: 2,
      inProgress: null,
    });
  });

  it('finishes a rotation whose process died after storing the value, without another version', async () => {
    const clock = testClock();
    const { source } = vaultSource(createMemoryVaultStore(), clock);
    const defined = app();
    const ref = defined.secrets[1]?.ref ?? never();
    const options = { source, now: clock.now, rotation: { leaseMs: 60_000, waitMs: 0 } };
    await createSecretsManager(defined, options).rotate('webhookSigning');
    clock.advance(31 * DAY);
    // A source that "crashes" (fails every state write) once the value is stored.
    let stored = false;
    const crashing = {
      ...source,
      async write(...args: Parameters<typeof source.write>) {
        const r = await source.write(...args);
        stored = r.written;
        return r;
      },
      async writeState(...args: Parameters<typeof source.writeState>) {
        if (stored) throw new Error('process died');
        return source.writeState(...args);
      },
    };
    const report = await createSecretsManager(defined, {
      ...options,
      source: crashing,
    }).rotateDue();
    expect(report.find((r) => r.name === 'webhookSigning')?.outcome).toBe('failed');
    const left = await source.readState(ref);
    expect(left).toMatchObject({ version: 2, state: { inProgress: { fromVersion: 1 } } });
    clock.advance(60_000);
    const next = await createSecretsManager(defined, options).rotateDue();
    expect(next.find((r) => r.name === 'webhookSigning')).toMatchObject({
      outcome: 'resumed',
      version: 2,
    });
    expect(await source.readState(ref)).toMatchObject({ version: 2, state: { inProgress: null } });
  });
});

describe('vault source: instances waiting for each other', () => {
  it("a run that loses the claim waits for the winner's version instead of producing one", async () => {
    const clock = testClock();
    const { source } = vaultSource(createMemoryVaultStore(), clock);
    let calls = 0;
    const defined = app(async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 300)); // a slow apply flow
      return { value: `whsec_${'w'.repeat(32)}${calls}`, metadata: { webhookId: `wh_${calls}` } };
    });
    await createSecretsManager(defined, { source, now: clock.now }).rotate('partnerWebhook');
    clock.advance(31 * DAY);
    const [a, b] = await Promise.all([
      createSecretsManager(defined, { source, now: clock.now }).rotateDue(),
      createSecretsManager(defined, { source, now: clock.now }).rotateDue(),
    ]);
    const outcomes = [a, b].map((r) => r.find((x) => x.name === 'partnerWebhook'));
    expect(outcomes.map((o) => o?.outcome).sort()).toEqual(['rotated', 'rotated-by-other']);
    expect(outcomes.map((o) => o?.version)).toEqual([2, 2]);
    expect(calls).toBe(2); // the first value, then one rotation
  });
});

describe('vault source: a failure after the value was stored', () => {
  it('finalizes instead of recording an error, so the next run does not rotate again', async () => {
    const clock = testClock();
    const { source } = vaultSource(createMemoryVaultStore(), clock);
    const defined = app();
    const ref = defined.secrets[1]?.ref ?? never();
    await createSecretsManager(defined, { source, now: clock.now }).rotate('webhookSigning');
    clock.advance(31 * DAY);
    const failing = {
      ...source,
      async write(...args: Parameters<typeof source.write>) {
        await source.write(...args);
        throw new Error('connection reset after the commit');
      },
    };
    const report = await createSecretsManager(defined, {
      source: failing,
      now: clock.now,
    }).rotateDue();
    expect(report.find((r) => r.name === 'webhookSigning')).toMatchObject({
      outcome: 'failed',
      error: 'SECRET_SOURCE_FAILED',
    });
    expect(await source.readState(ref)).toMatchObject({
      version: 2,
      state: { inProgress: null, lastRotatedAt: clock.now() },
    });
    const next = await createSecretsManager(defined, { source, now: clock.now }).rotateDue();
    expect(next.find((r) => r.name === 'webhookSigning')).toMatchObject({
      outcome: 'not-due',
      version: 2,
    });
  });

  it('set reads the version from the state: it reveals no earlier value', async () => {
    const clock = testClock();
    const { source, events } = vaultSource(createMemoryVaultStore(), clock);
    const manager = createSecretsManager(app(), { source, now: clock.now });
    await manager.set('stripeApiKey', 'sk_test_4eC39HqLyjWDarjtT1zdp7dc');
    await manager.set('stripeApiKey', 'sk_test_5eC39HqLyjWDarjtT1zdp7dc');
    expect(events.filter((e) => e.action === 'reveal')).toEqual([]);
    expect(events.map((e) => e.action)).toEqual(['put', 'update', 'rotate', 'update', 'update']);
  });
});

function never(): never {
  throw new Error('missing');
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('condition not reached');
}
