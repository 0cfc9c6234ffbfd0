// Issue #17's multi-instance bench: three processes (api-keys-feed-worker.ts) verify one key from
// the shared PostgreSQL store every 2 ms; this process revokes it through its own manager and
// times how long until all three refuse it (from the revoke call to the third refusal, IPC
// included). Three feeds, 100 rounds each (BENCH_FEED_ROUNDS; 40 for polling, BENCH_FEED_POLL_ROUNDS): PostgreSQL LISTEN/NOTIFY (the
// migration's trigger; the workers' stateTtlMs is a minute, so only the feed can do it), Redis
// pub/sub (the manager's onChange publishes; same minute), and the feed killed (the workers'
// redis-server is SIGKILLed before the rounds: only polling is left, with stateTtlMs 200 ms; timed
// as polling promises it: from the revoke's answer to the start of the last request let in). The third entry is
// the baseline: what polling alone gives, measured in the same run.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type ApiKeyStore, createApiKeyManager, createBcryptHasher } from '@coffer/api-keys';
import { createRedisApiKeyChangePublisher } from '@coffer/redis';
import { createPostgresStore } from '@coffer/store-postgres';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { BenchContext } from './harness.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const ROUNDS = Number(process.env.BENCH_FEED_ROUNDS ?? 100);
/** Polling rounds last up to stateTtlMs each: fewer of them keep the bench under a minute. */
const POLL_ROUNDS = Number(process.env.BENCH_FEED_POLL_ROUNDS ?? 40);
const INSTANCES = 3;
const FEED_TTL_MS = 60_000;
const POLL_TTL_MS = 200;
const TARGET_FEED_MS = 100;

/** What a worker reports when it refuses the watched key. */
interface Refusal {
  /** How long ago the refused request started (ms). */
  sinceStart: number;
  /** When the last request it let in started (epoch ms: performance.timeOrigin + now). */
  lastAccepted: number;
}

interface Arrival {
  /** What the worker sent under this kind. */
  value: unknown;
  /** When it arrived here (performance.now()). */
  at: number;
}

interface Worker {
  child: ChildProcess;
  next(kind: string): Promise<Arrival>;
}

function startWorker(args: string[]): Worker {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@coffer/source', `${here}api-keys-feed-worker.ts`, ...args],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], cwd: `${here}..` },
  );
  const waiting = new Map<string, Array<(arrival: Arrival) => void>>();
  const arrived = new Map<string, Arrival[]>();
  child.on('message', (message: Record<string, unknown>) => {
    const at = performance.now();
    for (const [kind, value] of Object.entries(message)) {
      const resolve = waiting.get(kind)?.shift();
      if (resolve !== undefined) resolve({ value, at });
      else arrived.set(kind, [...(arrived.get(kind) ?? []), { value, at }]);
    }
  });
  return {
    child,
    next(kind) {
      const early = arrived.get(kind)?.shift();
      if (early !== undefined) return Promise.resolve(early);
      return new Promise<Arrival>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`worker sent no ${kind} in 20 s`)), 20_000);
        const queue = waiting.get(kind) ?? [];
        queue.push((arrival) => {
          clearTimeout(timer);
          resolve(arrival);
        });
        waiting.set(kind, queue);
      });
    },
  };
}

async function stopWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(
    workers.map(async (w) => {
      if (w.child.exitCode !== null || w.child.signalCode !== null) return;
      const exited = once(w.child, 'exit');
      w.child.send({ exit: true });
      const timer = setTimeout(() => w.child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

function percentile(sorted: number[], p: number): number {
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of its own, to be killed: the feed of the third entry. */
async function privateRedis(): Promise<{ url: string; kill(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    process.env.COFFER_REDIS_SERVER ?? 'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  child.once('error', () => {});
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await probe.connect();
      break;
    } catch (error) {
      if (i > 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    } finally {
      probe.disconnect();
    }
  }
  return {
    url,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export default async function feedBench(b: BenchContext): Promise<void> {
  const server = process.env.COFFER_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.COFFER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const admin = new pg.Client({ connectionString: server, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    console.log('INFO  api-keys feed: no PostgreSQL server answers; skipped');
    return;
  }
  const name = `coffer_bench_feed_${randomBytes(6).toString('hex')}`;
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const store = createPostgresStore({ connectionString: databaseUrl, poolSize: 4 });
  const hasher = createBcryptHasher({ cost: 4, threads: 0 });
  const publisherClient = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  publisherClient.on('error', () => {});
  const channel = `coffer-bench:feed:${randomBytes(6).toString('hex')}`;
  const publisher = createRedisApiKeyChangePublisher({ client: publisherClient, channel });
  const killable = await privateRedis();
  try {
    await store.migrate();
    const feeds = [
      {
        entry: `api-keys feed: revoke → refused by all ${INSTANCES} instances, PostgreSQL LISTEN/NOTIFY, p99`,
        args: ['postgres', databaseUrl, redisUrl, channel, String(FEED_TTL_MS)],
        publish: false,
        target: TARGET_FEED_MS,
      },
      {
        entry: `api-keys feed: revoke → refused by all ${INSTANCES} instances, Redis pub/sub, p99`,
        args: ['redis', databaseUrl, redisUrl, channel, String(FEED_TTL_MS)],
        publish: true,
        target: TARGET_FEED_MS,
      },
      {
        entry: `api-keys feed: revoke → refused by all ${INSTANCES} instances, feed killed (polling, stateTtlMs ${POLL_TTL_MS}), p99`,
        args: ['redis', databaseUrl, killable.url, channel, String(POLL_TTL_MS)],
        publish: false,
        target: POLL_TTL_MS,
        kill: true,
      },
    ];
    for (const feed of feeds) {
      const workers = Array.from({ length: INSTANCES }, () => startWorker(feed.args));
      try {
        await Promise.all(workers.map((w) => w.next('ready')));
        if (feed.kill === true) {
          await killable.kill();
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        // The manager's store notes when the revoking UPDATE is sent: the change cannot commit
        // before that moment, so polling's bound is measured from it.
        let updateSentAt = Number.NaN;
        const managerStore: ApiKeyStore = {
          ...store.apiKeys,
          updateKey: (keyId, revision, changes) => {
            updateSentAt = performance.now();
            return store.apiKeys.updateKey(keyId, revision, changes);
          },
        };
        const manager = createApiKeyManager({
          store: managerStore,
          hasher,
          ...(feed.publish
            ? { onChange: (change) => void publisher.publish(change).catch(() => undefined) }
            : {}),
        });
        const times: number[] = [];
        const firstRefused: number[] = [];
        const fromUpdate: number[] = [];
        const rounds = feed.kill === true ? POLL_ROUNDS : ROUNDS;
        for (let round = 0; round < rounds; round++) {
          const minted = await manager.mint({
            organizationId: 'org_bench',
            env: 'live',
            name: 'b',
          });
          for (const w of workers) w.child.send({ watch: minted.key.expose() });
          await Promise.all(workers.map((w) => w.next('watching')));
          // A revoke comes at a random moment of the workers' polling period (each just read the
          // new key's state): uniform over stateTtlMs when polling decides, a little otherwise.
          const phase = feed.kill === true ? POLL_TTL_MS : 20;
          await new Promise((resolve) => setTimeout(resolve, Math.random() * phase));
          const refused = Promise.all(workers.map((w) => w.next('refused')));
          const started = performance.now();
          await manager.revoke(minted.keyId);
          const answeredAt = performance.now();
          const arrivals = await refused;
          if (feed.kill === true) {
            // Polling's promise: no request starting stateTtlMs after the change is committed is
            // let in. The commit lies between the moment the revoking UPDATE was sent and the
            // moment the revoke answered here: judged from the answer, the figure from the
            // UPDATE printed beside it. Up to the start of the last request any worker let in
            // (on the epoch clock the processes share).
            const refusals = arrivals.map((a) => ({ at: a.at, ...(a.value as Refusal) }));
            const accepted = Math.max(...refusals.map((r) => r.lastAccepted));
            times.push(accepted - (performance.timeOrigin + answeredAt));
            fromUpdate.push(accepted - (performance.timeOrigin + updateSentAt));
            firstRefused.push(Math.max(...refusals.map((r) => r.at - r.sinceStart)) - started);
          } else {
            // What a client sees: from the revoke call to the last process's refusal.
            times.push(Math.max(...arrivals.map((a) => a.at)) - started);
            firstRefused.push(
              Math.max(...arrivals.map((a) => a.at - (a.value as Refusal).sinceStart)) - started,
            );
          }
        }
        times.sort((x, y) => x - y);
        const p99 = percentile(times, 99);
        firstRefused.sort((x, y) => x - y);
        fromUpdate.sort((x, y) => x - y);
        const ms = (v: number | undefined) => `${(v ?? Number.NaN).toFixed(1)} ms`;
        console.log(
          `        (${rounds} rounds: p50 ${ms(percentile(times, 50))}, max ${ms(times.at(-1))}; the last process's first refused request started ${ms(percentile(firstRefused, 50))} (p50), ${ms(percentile(firstRefused, 99))} (p99) after the revoke call${fromUpdate.length > 0 ? `; last request let in, from the revoking UPDATE: p99 ${ms(percentile(fromUpdate, 99))}` : ''})`,
        );
        b.report({
          name: feed.entry,
          value: Math.round(p99 * 10) / 10,
          unit: 'ms',
          target: feed.target,
          atMost: true,
        });
      } finally {
        await stopWorkers(workers);
      }
    }
  } finally {
    await killable.kill();
    publisherClient.disconnect();
    await store.close();
    await hasher.close();
    const c = new pg.Client({ connectionString: server });
    await c.connect();
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.end();
  }
}
