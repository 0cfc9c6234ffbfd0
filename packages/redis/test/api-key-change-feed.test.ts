// The Redis change feed on both clients, against real servers: a revoke published by one manager
// reaches a verifier that nobody told; CLIENT KILL of the subscriber's connection (on a private
// redis-server) is reported at once and, once SUBSCRIBE answered again, turns into an
// invalidation of everything and messages again; garbage is counted, a flood coalesced; a change
// that failed publishes nothing; channels keep applications apart.
import {
  type ApiKeyInvalidation,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
  followApiKeyChanges,
  RevokedKeyError,
} from '@coffer/api-keys';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRedisApiKeyChangePublisher,
  createRedisApiKeyChangeSource,
  type IoRedisSubscriberLike,
  type NodeRedisSubscriberLike,
} from '../src/index.js';
import { CLIENTS, type ClientName, connect, type TestClient } from './clients.js';
import { type PrivateRedis, REDIS_URL, startPrivateRedis, uniquePrefix } from './redis-server.js';

const hasher = createBcryptHasher({ cost: 4, threads: 0 });
const closers: Array<() => Promise<unknown>> = [];
let server: PrivateRedis;

beforeAll(async () => {
  server = await startPrivateRedis();
});
afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  await server.stop();
});

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A pub/sub connection of its own, named so the test can find (and kill) it. */
async function subscriberFor(
  name: ClientName,
  url: string,
  connectionName: string,
): Promise<IoRedisSubscriberLike | NodeRedisSubscriberLike> {
  if (name === 'ioredis') {
    const client = new Redis(url, { connectionName, retryStrategy: () => 20 });
    client.on('error', () => {});
    closers.push(async () => client.disconnect());
    return client;
  }
  const client = createClient({
    url,
    name: connectionName,
    socket: { reconnectStrategy: () => 20 },
  });
  client.on('error', () => {});
  await client.connect();
  closers.push(async () => client.destroy());
  return client;
}

async function publisherClient(name: ClientName, url: string): Promise<TestClient> {
  const c = await connect(name, url);
  closers.push(() => c.close());
  return c;
}

function recorder() {
  const calls: Array<ApiKeyInvalidation | 'all'> = [];
  return { calls, target: { invalidate: (t?: ApiKeyInvalidation) => calls.push(t ?? 'all') } };
}

for (const name of CLIENTS) {
  describe(`${name}: the Redis change feed`, () => {
    it('a revoke published by one manager reaches a verifier nobody told', async () => {
      const channel = `${uniquePrefix('feed')}changes`;
      const store = createMemoryApiKeyStore(); // shared, as a database is
      const publisher = createRedisApiKeyChangePublisher({
        client: (await publisherClient(name, REDIS_URL)).client,
        channel,
      });
      const manager = createApiKeyManager({
        store,
        hasher,
        onChange: (change) => {
          publisher.publish(change).catch(() => undefined);
        },
      });
      const verifier = createApiKeyVerifier({ store, hasher, stateTtlMs: 3_600_000 });
      const follower = followApiKeyChanges(
        verifier,
        createRedisApiKeyChangeSource({
          subscriber: await subscriberFor(name, REDIS_URL, `coffer-feed-revoke-${name}`),
          channel,
        }),
      );
      closers.push(() => follower.stop());
      await waitFor('listening', () => follower.stats().connected);

      const minted = await manager.mint({ organizationId: 'org_1', env: 'live', name: 'n' });
      const key = minted.key.expose();
      await verifier.verify(key);
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
      // A change that failed (an unknown key) publishes nothing.
      await expect(manager.revoke('0123456789ABCDEF')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await publisher.publish({ type: 'marker', organizationId: 'marker' });
      await waitFor('the marker', () => follower.stats().applied === 2);
      expect(follower.stats()).toMatchObject({ received: 2, applied: 2, ignored: 0, connects: 1 });
    });

    it('CLIENT KILL of the subscriber: disconnected at once, then everything invalidated and messages again', async () => {
      const connectionName = `coffer-feed-kill-${name}`;
      const channel = `${uniquePrefix('feed')}kill`;
      const admin = new Redis(server.url);
      admin.on('error', () => {});
      closers.push(async () => admin.disconnect());
      const publisher = createRedisApiKeyChangePublisher({ client: admin, channel });
      const { calls, target } = recorder();
      const follower = followApiKeyChanges(
        target,
        createRedisApiKeyChangeSource({
          subscriber: await subscriberFor(name, server.url, connectionName),
          channel,
        }),
      );
      closers.push(() => follower.stop());
      await waitFor('listening', () => follower.stats().connected);
      expect(calls).toEqual(['all']);

      for (let round = 1; round <= 2; round++) {
        const list = String(await admin.call('CLIENT', 'LIST'));
        const id = /(?:^|\n)id=(\d+) [^\n]* name=([^ ]*)/g;
        const ids = [...list.matchAll(id)].filter((m) => m[2] === connectionName).map((m) => m[1]);
        expect(ids).toHaveLength(1);
        expect(await admin.call('CLIENT', 'KILL', 'ID', String(ids[0]))).toBe(1);
        await waitFor('the reconnect', () => follower.stats().connects === round + 1);
        expect(follower.stats()).toMatchObject({ disconnects: round, connected: true });
        expect(calls.slice(-2)).toEqual(['all', 'all']);
        // Listening again for real: the server counts one subscriber on the channel.
        expect(await admin.call('PUBSUB', 'NUMSUB', channel)).toEqual([channel, 1]);
      }
      calls.length = 0;
      await publisher.publish({ type: 'revoked', keyId: '0123456789ABCDEF' });
      await waitFor('a message after the reconnect', () => calls.length > 0);
      expect(calls).toEqual([{ keyId: '0123456789ABCDEF' }]);
    });

    it('garbage is counted and ignored; a flood is coalesced; other channels are not heard', async () => {
      const channel = `${uniquePrefix('feed')}flood`;
      const pub = (await publisherClient(name, REDIS_URL)).client;
      const raw = new Redis(REDIS_URL);
      closers.push(async () => raw.disconnect());
      const { calls, target } = recorder();
      const follower = followApiKeyChanges(
        target,
        createRedisApiKeyChangeSource({
          subscriber: await subscriberFor(name, REDIS_URL, `coffer-feed-flood-${name}`),
          channel,
        }),
      );
      closers.push(() => follower.stop());
      await waitFor('listening', () => follower.stats().connected);
      calls.length = 0;
      for (const text of ['', 'garbage', '{"v":2,"type":"x"}', '{"v":1}', 'x'.repeat(100_000)]) {
        await raw.publish(channel, text);
      }
      await createRedisApiKeyChangePublisher({ client: pub, channel: `${channel}-other` }).publish({
        type: 'revoked',
        keyId: '0123456789ABCDEF',
      });
      await waitFor('the garbage', () => follower.stats().received === 5);
      expect(follower.stats()).toMatchObject({ applied: 0, ignored: 5 });

      const N = 20_000;
      const pipeline = raw.pipeline();
      for (let i = 0; i < N; i++) {
        pipeline.publish(
          channel,
          `{"v":1,"type":"organization-killed","organizationId":"org_${i}"}`,
        );
      }
      await pipeline.exec();
      await waitFor('the flood', () => follower.stats().received === 5 + N, 60_000);
      expect(follower.stats()).toMatchObject({ applied: N, ignored: 5, connected: true });
      expect(calls.length).toBeLessThan(N / 10);
    });

    it('stop() unsubscribes and leaves the connection to its owner', async () => {
      const channel = `${uniquePrefix('feed')}stop`;
      const subscriber = await subscriberFor(name, REDIS_URL, `coffer-feed-stop-${name}`);
      const admin = new Redis(REDIS_URL);
      closers.push(async () => admin.disconnect());
      const follower = followApiKeyChanges(
        { invalidate() {} },
        createRedisApiKeyChangeSource({ subscriber, channel }),
      );
      await waitFor('listening', () => follower.stats().connected);
      expect(await admin.call('PUBSUB', 'NUMSUB', channel)).toEqual([channel, 1]);
      await follower.stop();
      await waitFor('unsubscribed', async () => {
        const [, count] = (await admin.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
        return count === 0;
      });
      const owner = subscriber as unknown as { status?: string; isOpen?: boolean };
      expect(name === 'ioredis' ? owner.status : owner.isOpen).toBe(
        name === 'ioredis' ? 'ready' : true,
      );
    });
  });
}

describe('bad input', () => {
  it('refuses clients and channels it cannot use, and changes a reader would ignore', async () => {
    const c = await publisherClient('ioredis', REDIS_URL);
    for (const bad of [
      {},
      null,
      { client: {} },
      { client: c.client, channel: '' },
      { client: c.client, channel: 'a\nb' },
    ]) {
      expect(() => createRedisApiKeyChangePublisher(bad as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    }
    for (const bad of [
      {},
      null,
      { subscriber: {} },
      { subscriber: c.client, channel: 'x'.repeat(201) },
    ]) {
      expect(() => createRedisApiKeyChangeSource(bad as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    }
    const publisher = createRedisApiKeyChangePublisher({ client: c.client });
    await expect(publisher.publish({ type: 'Bad type' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
