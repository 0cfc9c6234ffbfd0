// Redis for the tests: the shared server (COFFER_TEST_REDIS_URL, else 127.0.0.1:6379) with a key
// prefix unique to each test file, removed afterwards; and private `redis-server` processes on
// free ports for fault tests, which stop, pause and restart them. A missing server fails the
// tests: nothing here skips.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.COFFER_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix no other test file uses: `coffer-test:<label>:<random>:`. */
export function uniquePrefix(label: string): string {
  return `coffer-test:${label}:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under `prefix` on the shared server. */
export async function removePrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function freePort(): Promise<number> {
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

/** A private redis-server on its own port. */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Starts it again (empty: no persistence) on the same port after `kill`. */
  start(): Promise<void>;
  /** Kills the process (SIGKILL): connections drop at once. */
  kill(): Promise<void>;
  /** Makes the server sleep `seconds` (DEBUG SLEEP): connections stay open, nothing answers. */
  pause(seconds: number): Promise<void>;
  /** Stops it for good. */
  stop(): Promise<void>;
}

const REDIS_SERVER = process.env.COFFER_REDIS_SERVER ?? 'redis-server';

async function waitUntilReady(port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const probe = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => {});
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      probe.disconnect();
    }
  }
}

/** Starts `redis-server` (it must be installed) on a free port, without persistence. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;

  const start = async (): Promise<void> => {
    child = spawn(
      REDIS_SERVER,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--enable-debug-command',
        'local',
      ],
      { stdio: 'ignore' },
    );
    child.once('error', () => {});
    await waitUntilReady(port);
  };

  const kill = async (): Promise<void> => {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    kill,
    async pause(seconds) {
      // DEBUG SLEEP blocks the server; send it on its own connection and do not wait for it.
      const sleeper = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 0 });
      sleeper.on('error', () => {});
      void sleeper
        .call('DEBUG', 'SLEEP', String(seconds))
        .catch(() => {})
        .finally(() => sleeper.disconnect());
      // Let the command reach the server before returning.
      await new Promise((resolve) => setTimeout(resolve, 50));
    },
    stop: kill,
  };
}
