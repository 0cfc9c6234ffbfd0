// Rotation on real PostgreSQL, each "instance" on its own pg pool: several rotateDue() at once
// store exactly one new version; a run that died mid-rotation is resumed by the next; signatures
// verify across the overlap and are refused once their version is past retention.
import { createPostgresStore, type PostgresStore } from '@coffer/store-postgres';
import type { VaultAuditEvent } from '@coffer/vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import {
  createSecretsClient,
  createSecretsManager,
  createWebhookSigner,
  defineSecrets,
  secret,
} from '../src/index.js';
import { owner } from './helpers.js';
import { type Clock, testClock, vaultSource } from './vault-fixture.js';

const DAY = 86_400_000;
const INSTANCES = 5;

let database: TestDatabase;
const stores: PostgresStore[] = [];

function openStore(): PostgresStore {
  const store = createPostgresStore({ connectionString: database.url, poolSize: 3 });
  stores.push(store);
  return store;
}

beforeAll(async () => {
  database = await createTestDatabase('secrets_rotation');
  const first = openStore();
  await first.migrate();
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
  await database.drop();
});

let generated = 0;
function definition(
  environment: string,
  generate: () => Promise<{ value: string; metadata: Record<string, string> }>,
) {
  return defineSecrets({
    ...owner,
    environment,
    surfaces: ['api', 'receiver'],
    secrets: {
      webhookSigning: secret.random({
        consumers: ['api', 'receiver'],
        rotation: { every: '30d', retain: { versions: 1 } },
      }),
      partnerWebhook: secret.generated({
        consumers: ['api'],
        rotation: { every: '30d' },
        generate,
      }),
    },
  });
}

const registering = async () => {
  generated++;
  return {
    value: `whsec_${'x'.repeat(32)}${generated}`,
    metadata: { webhookId: `wh_${generated}` },
  };
};

function instance(clock: Clock, app: ReturnType<typeof definition>, rotation = {}) {
  const { source, events } = vaultSource(openStore().vault, clock);
  return {
    source,
    events,
    manager: createSecretsManager(app, { source, now: clock.now, rotation }),
  };
}

describe('rotateDue on PostgreSQL', () => {
  it('several instances at once store exactly one new version per due secret', async () => {
    const clock = testClock();
    const app = definition('concurrent', registering);
    const instances = Array.from({ length: INSTANCES }, () => instance(clock, app));
    for (let round = 1; round <= 3; round++) {
      const before = generated;
      const reports = await Promise.all(instances.map((i) => i.manager.rotateDue()));
      for (const name of ['webhookSigning', 'partnerWebhook']) {
        const outcomes = reports.map((r) => r.find((x) => x.name === name));
        expect(outcomes.filter((o) => o?.outcome === 'rotated')).toHaveLength(1);
        for (const o of outcomes) {
          expect(['rotated', 'rotated-by-other', 'not-due']).toContain(o?.outcome);
          expect(o?.version).toBe(round);
        }
      }
      // The vault wrote one version of each: one put (round 1) or rotate per secret, in all pools.
      const writes = instances
        .flatMap((i) => i.events)
        .filter(
          (e: VaultAuditEvent) =>
            (e.action === 'put' || e.action === 'rotate') && e.version === round,
        );
      expect(writes).toHaveLength(2);
      // Round 1 has no claim (the first value is a put whose name is unique): losers' values were
      // discarded. Later rounds are claimed first, so the generator ran once.
      if (round > 1) expect(generated - before).toBe(1);
      clock.advance(31 * DAY);
    }
    const status = await instances[0]?.manager.status();
    expect(status?.map((s) => [s.name, s.version, s.inProgress])).toEqual([
      ['webhookSigning', 3, null],
      ['partnerWebhook', 3, null],
    ]);
  });

  it('a run that died inside the apply flow is resumed by the next run, with one new version', async () => {
    const clock = testClock();
    let hang = true;
    const contexts: unknown[] = [];
    const app = definition('crash', async () => {
      const result = await registering();
      contexts.push(result.metadata.webhookId);
      if (hang) return new Promise(() => {}); // the process dies here
      return result;
    });
    hang = false;
    const setup = instance(clock, app);
    await setup.manager.rotate('partnerWebhook');
    clock.advance(31 * DAY);
    hang = true;
    const dying = instance(clock, app, { leaseMs: 120_000, waitMs: 0 });
    void dying.manager.rotateDue();
    const survivor = instance(clock, app, { leaseMs: 120_000, waitMs: 0 });
    for (let i = 0; i < 400; i++) {
      const s = await survivor.manager.status();
      if (s.find((x) => x.name === 'partnerWebhook')?.inProgress !== null) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    hang = false;
    await stores.at(-2)?.close(); // the dead instance's pool goes away with its process
    const during = await survivor.manager.rotateDue();
    expect(during.find((r) => r.name === 'partnerWebhook')?.outcome).toBe('in-progress');
    clock.advance(120_000);
    const after = await survivor.manager.rotateDue();
    expect(after.find((r) => r.name === 'partnerWebhook')).toMatchObject({
      outcome: 'resumed',
      version: 2,
    });
    const again = await survivor.manager.rotateDue();
    expect(again.find((r) => r.name === 'partnerWebhook')).toMatchObject({
      outcome: 'not-due',
      version: 2,
    });
    const client = await createSecretsClient(app, { surface: 'api', source: survivor.source });
    expect(client.secret('partnerWebhook').current().metadata.webhookId).toBe(contexts.at(-1));
  });
});

describe('verification across a rotation on PostgreSQL', () => {
  it('accepts old and new during the overlap and refuses a version past retention', async () => {
    const clock = testClock();
    const app = definition('overlap', registering);
    const sender = instance(clock, app);
    const receiverSide = instance(clock, app);
    await sender.manager.rotateDue();
    const api = await createSecretsClient(app, { surface: 'api', source: sender.source });
    const receiver = await createSecretsClient(app, {
      surface: 'receiver',
      source: receiverSide.source,
    });
    const send = createWebhookSigner(api.secret('webhookSigning'), { now: clock.now });
    const receive = createWebhookSigner(receiver.secret('webhookSigning'), { now: clock.now });
    // A sender that never reloads (its cache stays at version 1): signs with a version past retention later.
    const stale = await createSecretsClient(app, { surface: 'api', source: sender.source });
    const sendStale = createWebhookSigner(stale.secret('webhookSigning'), { now: clock.now });
    const body = JSON.stringify({ id: 'evt_1', type: 'order.paid' });
    expect(await receive.verify(body, send.sign(body))).toMatchObject({ ok: true, version: 1 });

    clock.advance(31 * DAY);
    const withV1 = send.sign(body); // signed just before the rotation
    await sender.manager.rotateDue();
    await api.invalidate();
    const withV2 = send.sign(body);
    expect(await receive.verify(body, withV2)).toMatchObject({
      ok: false,
      reason: 'version-not-accepted',
    });
    await receiver.invalidate(); // what its cache TTL does within ttlMs
    expect(
      receiver
        .secret('webhookSigning')
        .verifying()
        .map((v) => v.version),
    ).toEqual([2, 1]);
    expect(await receive.verify(body, withV1)).toMatchObject({ ok: true, version: 1 });
    expect(await receive.verify(body, withV2)).toMatchObject({ ok: true, version: 2 });

    clock.advance(31 * DAY);
    await sender.manager.rotateDue();
    await receiver.invalidate();
    expect(
      receiver
        .secret('webhookSigning')
        .verifying()
        .map((v) => v.version),
    ).toEqual([3, 2]);
    const pastRetention = sendStale.sign(body); // a fresh timestamp, but version 1
    expect(pastRetention).toContain('kid=1,');
    expect(await receive.verify(body, pastRetention)).toMatchObject({
      ok: false,
      reason: 'version-not-accepted',
    });
    expect(await receive.verify(body, send.sign(body))).toMatchObject({ ok: true, version: 2 });
  });
});
