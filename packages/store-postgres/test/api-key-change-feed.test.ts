// The PostgreSQL change feed on the real server: what the triggers of migration 006 send (and do
// not send: verification's last_used_at writes, re-setting a switch, a rolled-back change), a
// revoke on one manager reaching a verifier on another pool through LISTEN, the source's
// reconnect after pg_terminate_backend of its backend (everything invalidated, then messages
// again), prefix and schema in the channel, garbage and a flood of notifications.
import {
  type ApiKeyInvalidation,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  followApiKeyChanges,
  parseApiKeyChangeMessage,
  RevokedKeyError,
} from '@coffer/api-keys';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/postgres.ts';
import {
  createPostgresApiKeyChangeSource,
  createPostgresStore,
  type PostgresStore,
  postgresApiKeyChangeChannel,
} from '../src/index.js';

let database: TestDatabase;
const closers: Array<() => Promise<unknown>> = [];
const hasher = createBcryptHasher({ cost: 4, threads: 0 });

beforeAll(async () => {
  database = await createTestDatabase('pg_change_feed');
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await database?.drop();
});

async function store(
  options: { tablePrefix?: string; schema?: string } = {},
): Promise<PostgresStore> {
  const s = createPostgresStore({ connectionString: database.url, poolSize: 4, ...options });
  closers.push(() => s.close());
  await s.migrate();
  return s;
}

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: database.url });
  c.on('error', () => undefined);
  await c.connect();
  closers.push(() => c.end());
  return c;
}

/** Every notification on `channel`, parsed, as a plain LISTEN client sees it. */
async function listener(channel: string) {
  const c = await client();
  const seen: Array<Record<string, unknown>> = [];
  c.on('notification', (n) => {
    if (n.channel === channel)
      seen.push(JSON.parse(n.payload ?? 'null') as Record<string, unknown>);
  });
  await c.query(`LISTEN "${channel}"`);
  return { seen, client: c };
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Sends a marker on the channel and waits for it: everything sent before it has arrived. */
async function settle(c: pg.Client, channel: string, seen: Array<Record<string, unknown>>) {
  const marker = `marker-${Math.random()}`;
  await c.query('select pg_notify($1, $2)', [channel, JSON.stringify({ marker })]);
  await waitFor('the marker', () => seen.some((m) => m.marker === marker));
  return seen.filter((m) => m.marker === undefined);
}

function recorder() {
  const calls: Array<ApiKeyInvalidation | 'all'> = [];
  return { calls, target: { invalidate: (t?: ApiKeyInvalidation) => calls.push(t ?? 'all') } };
}

describe('the triggers of coffer_006_api_key_change_notify', () => {
  it('notify key changes with their revision and switch flips; never last_used_at, a re-set switch or a rollback', async () => {
    const s = await store();
    const channel = postgresApiKeyChangeChannel();
    expect(channel).toBe('coffer_api_key_change');
    const { seen, client: c } = await listener(channel);
    const manager = createApiKeyManager({ store: s.apiKeys, hasher });

    const minted = await manager.mint({ organizationId: 'org_1', env: 'live', name: 'n' });
    const keyId = minted.keyId;
    await s.apiKeys.touchKey(keyId, Date.now()); // what verification writes
    await s.apiKeys.touchKey(keyId, Date.now() + 60_000);
    await manager.kill(keyId);
    await manager.unkill(keyId);
    await manager.revoke(keyId);
    await manager.setOrganizationKillSwitch('org_1', true);
    await manager.setOrganizationKillSwitch('org_1', true); // already on: nothing changes
    await manager.setOrganizationKillSwitch('org_1', false);
    await manager.setGlobalKillSwitch(true);
    await manager.setGlobalKillSwitch(false);

    // Rolled back: an update with a new revision, an insert, a switch flip.
    await c.query('begin');
    await c.query('update coffer_api_key set revision = revision + 1 where key_id = $1', [keyId]);
    await c.query(
      `insert into coffer_api_key (key_id, organization_id, env, name, scopes, start, secret_hash, created_at, revision)
       values ('ZZZZZZZZZZZZZZZZ', 'org_2', 'live', 'x', '[]', 's', 'h', now(), 1)`,
    );
    await c.query(`update coffer_kill_switch set killed = true where target = 'global'`);
    await c.query('rollback');

    const key = { keyId, organizationId: 'org_1' };
    expect(await settle(c, channel, seen)).toEqual([
      { v: 1, type: 'key-insert', ...key, revision: 1 },
      { v: 1, type: 'key-update', ...key, revision: 2 },
      { v: 1, type: 'key-update', ...key, revision: 3 },
      { v: 1, type: 'key-update', ...key, revision: 4 },
      { v: 1, type: 'organization-switch', organizationId: 'org_1' },
      { v: 1, type: 'organization-switch', organizationId: 'org_1' },
      { v: 1, type: 'global-switch' },
      { v: 1, type: 'global-switch' },
    ]);
    // Every one is a message the follower understands.
    for (const m of seen) {
      if (m.marker === undefined)
        expect(parseApiKeyChangeMessage(JSON.stringify(m))).not.toBeNull();
    }

    seen.length = 0;
    await c.query('delete from coffer_api_key where key_id = $1', [keyId]);
    await c.query(`delete from coffer_kill_switch where target = 'organization:org_1'`);
    expect(await settle(c, channel, seen)).toEqual([
      { v: 1, type: 'key-delete', ...key, revision: 4 },
      { v: 1, type: 'organization-switch', organizationId: 'org_1' },
    ]);
  });

  it('a committed change is sent once its transaction commits, not before', async () => {
    await store({ tablePrefix: 'commit_' });
    const channel = postgresApiKeyChangeChannel({ tablePrefix: 'commit_' });
    const { seen, client: watcher } = await listener(channel);
    const writer = await client();
    await writer.query('begin');
    await writer.query(
      `insert into commit_kill_switch (target, killed, updated_at) values ('global', true, now())`,
    );
    expect(await settle(watcher, channel, seen)).toEqual([]);
    await writer.query('commit');
    await waitFor('the commit', () => seen.some((m) => m.type === 'global-switch'));
  });

  it('prefix and schema are part of the channel: two installations never hear each other', async () => {
    const a = await store({ schema: 'feed_a', tablePrefix: 'app_' });
    const b = await store({ schema: 'feed_b', tablePrefix: 'app_' });
    const channelA = postgresApiKeyChangeChannel({ schema: 'feed_a', tablePrefix: 'app_' });
    expect(channelA).toBe('feed_a.app_api_key_change');
    const heardA = await listener(channelA);
    const heardB = await listener(
      postgresApiKeyChangeChannel({ schema: 'feed_b', tablePrefix: 'app_' }),
    );
    await a.apiKeys.setKillSwitch(
      { scope: 'organization', organizationId: 'org_a' },
      true,
      Date.now(),
    );
    await b.apiKeys.setKillSwitch(
      { scope: 'organization', organizationId: 'org_b' },
      true,
      Date.now(),
    );
    expect(await settle(heardA.client, channelA, heardA.seen)).toEqual([
      { v: 1, type: 'organization-switch', organizationId: 'org_a' },
    ]);
    await waitFor('b', () => heardB.seen.length === 1);
    expect(heardB.seen).toEqual([{ v: 1, type: 'organization-switch', organizationId: 'org_b' }]);
  });

  it('a name too long for PostgreSQL gets a hashed channel that the trigger and the source share', () => {
    const schema = 's'.repeat(60);
    const channel = postgresApiKeyChangeChannel({ schema, tablePrefix: 'app_' });
    expect(channel.length).toBe(63);
    expect(channel).toBe(postgresApiKeyChangeChannel({ schema, tablePrefix: 'app_' }));
    expect(channel).not.toBe(postgresApiKeyChangeChannel({ schema, tablePrefix: 'app2_' }));
  });
});

describe('createPostgresApiKeyChangeSource', () => {
  it('a revoke on one manager reaches a verifier on another pool through the feed', async () => {
    const writerSide = await store();
    const readerSide = await store(); // another pool, as another instance has
    const manager = createApiKeyManager({ store: writerSide.apiKeys, hasher });
    const verifier = createApiKeyVerifier({
      store: readerSide.apiKeys,
      hasher,
      stateTtlMs: 3_600_000, // polling would take an hour: only the feed can do it
    });
    const follower = followApiKeyChanges(
      verifier,
      createPostgresApiKeyChangeSource({ connectionString: database.url }),
    );
    closers.push(() => follower.stop());
    await waitFor('listening', () => follower.stats().connected);
    const minted = await manager.mint({ organizationId: 'org_r', env: 'live', name: 'n' });
    const key = minted.key.expose();
    await verifier.verify(key);
    await verifier.verify(key); // cached
    await manager.revoke(minted.keyId);
    await waitFor('the revoke', async () => {
      try {
        await verifier.verify(key);
        return false;
      } catch (error) {
        expect(error).toBeInstanceOf(RevokedKeyError);
        return true;
      }
    });
    expect(follower.stats()).toMatchObject({ ignored: 0, connects: 1, disconnects: 0 });
  });

  it('reconnects after pg_terminate_backend of its LISTEN backend, invalidates everything, and hears again', async () => {
    await store({ tablePrefix: 'rc_' });
    const admin = await client();
    const { calls, target } = recorder();
    const source = createPostgresApiKeyChangeSource({
      connectionString: `${database.url}?application_name=coffer_feed_reconnect`,
      tablePrefix: 'rc_',
      reconnectDelayMs: 20,
    });
    const follower = followApiKeyChanges(target, source);
    closers.push(() => follower.stop());
    await waitFor('listening', () => follower.stats().connected);
    expect(calls).toEqual(['all']);

    const backend = async () =>
      (
        await admin.query<{ pid: number }>(
          `select pid from pg_stat_activity where application_name = 'coffer_feed_reconnect'`,
        )
      ).rows.map((r) => r.pid);
    const [first] = await backend();
    expect(first).toBeTypeOf('number');
    for (let round = 1; round <= 2; round++) {
      await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
        ['coffer_feed_reconnect'],
      );
      await waitFor('the reconnect', () => follower.stats().connects === round + 1);
      expect(follower.stats()).toMatchObject({ disconnects: round, connected: true });
      // Lost, then listening again: everything invalidated each time.
      expect(calls.slice(-2)).toEqual(['all', 'all']);
    }
    const [now] = await backend();
    expect(now).not.toBe(first);

    calls.length = 0;
    await admin.query(
      `insert into rc_kill_switch (target, killed, updated_at) values ('organization:org_x', true, now())`,
    );
    await waitFor('a message after the reconnect', () => calls.length > 0);
    expect(calls).toEqual([{ organizationId: 'org_x' }]);
  });

  it('keeps trying while the server refuses, and reports it; stop() ends the attempts', async () => {
    const errors: unknown[] = [];
    const { target } = recorder();
    const url = new URL(database.url);
    url.port = '1'; // nothing listens there
    const follower = followApiKeyChanges(
      target,
      createPostgresApiKeyChangeSource({
        connectionString: url.toString(),
        reconnectDelayMs: 5,
        maxReconnectDelayMs: 20,
      }),
      { onError: (e) => errors.push(e) },
    );
    await waitFor('a few attempts', () => errors.length >= 3);
    expect(follower.stats()).toMatchObject({ connected: false, connects: 0 });
    await follower.stop();
    const after = errors.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(errors.length).toBeLessThanOrEqual(after + 1);
  });

  it('ignores and counts notifications that are not feed messages; a flood is one invalidation per read', async () => {
    await store({ tablePrefix: 'flood_' });
    const channel = postgresApiKeyChangeChannel({ tablePrefix: 'flood_' });
    const admin = await client();
    const { calls, target } = recorder();
    const follower = followApiKeyChanges(
      target,
      // pg's own client configuration this time.
      createPostgresApiKeyChangeSource({
        client: { connectionString: database.url, application_name: 'coffer_feed_flood' },
        tablePrefix: 'flood_',
      }),
    );
    closers.push(() => follower.stop());
    await waitFor('listening', () => follower.stats().connected);
    calls.length = 0;
    for (const payload of [
      '',
      'garbage',
      '{"v":2,"type":"x"}',
      '{"v":1}',
      '[]',
      'x'.repeat(7999),
    ]) {
      await admin.query('select pg_notify($1, $2)', [channel, payload]);
    }
    await waitFor('the garbage', () => follower.stats().received === 6);
    expect(follower.stats()).toMatchObject({ applied: 0, ignored: 6 });
    expect(calls).toEqual([]);

    const N = 20_000;
    await admin.query(
      `select pg_notify($1, json_build_object('v', 1, 'type', 'organization-switch', 'organizationId', 'org_' || i)::text)
       from generate_series(1, $2::int) i`,
      [channel, N],
    );
    await waitFor('the flood', () => follower.stats().received === 6 + N, 60_000);
    expect(follower.stats()).toMatchObject({ applied: N, ignored: 6, connected: true });
    // Coalesced: far fewer invalidations than messages, and whole-cache ones for big reads.
    expect(calls.length).toBeLessThan(N / 10);
  });

  it('one source, several followers: one connection, a late follower hears it is listening, the last one closes it', async () => {
    await store({ tablePrefix: 'fan_' });
    const admin = await client();
    const connections = async () =>
      (
        await admin.query<{ n: string }>(
          `select count(*) as n from pg_stat_activity where application_name = 'coffer_feed_fanout'`,
        )
      ).rows[0]?.n;
    const source = createPostgresApiKeyChangeSource({
      client: { connectionString: database.url, application_name: 'coffer_feed_fanout' },
      tablePrefix: 'fan_',
    });
    const a = recorder();
    const b = recorder();
    const first = followApiKeyChanges(a.target, source);
    await waitFor('listening', () => first.stats().connected);
    const second = followApiKeyChanges(b.target, source);
    expect(second.stats().connected).toBe(true);
    expect(await connections()).toBe('1');
    await admin.query(
      `insert into fan_kill_switch (target, killed, updated_at) values ('organization:org_f', true, now())`,
    );
    await waitFor('both', () => a.calls.length === 2 && b.calls.length === 2);
    expect(b.calls).toEqual(['all', { organizationId: 'org_f' }]);
    await first.stop();
    await admin.query(
      `update fan_kill_switch set killed = false where target = 'organization:org_f'`,
    );
    await waitFor('the second', () => b.calls.length === 3);
    expect(a.calls).toHaveLength(2);
    expect(await connections()).toBe('1');
    await second.stop();
    await waitFor('closed', async () => (await connections()) === '0');
  });

  it('refuses bad options', () => {
    const bad = [
      {},
      { connectionString: '' },
      { connectionString: database.url, client: {} },
      { connectionString: database.url, channel: '' },
      { connectionString: database.url, channel: 'c'.repeat(64) },
      { connectionString: database.url, tablePrefix: 'Bad' },
      { connectionString: database.url, reconnectDelayMs: 0 },
      { connectionString: database.url, healthCheckMs: 1.5 },
    ];
    for (const options of bad) {
      expect(() => createPostgresApiKeyChangeSource(options as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    }
  });
});
