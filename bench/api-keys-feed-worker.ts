// One instance of the API for api-keys-feed.bench.ts: a verifier on the shared PostgreSQL store,
// following the change feed given on the command line, that verifies the key it is told to watch
// every 2 ms and reports (over IPC) the moment it refuses it.
//
//   node --import tsx api-keys-feed-worker.ts <postgres|redis|none> <database url> <redis url> <channel> <stateTtlMs>
import {
  type ApiKeyChangeSource,
  createApiKeyVerifier,
  createBcryptHasher,
  followApiKeyChanges,
  RevokedKeyError,
} from '@coffer/api-keys';
import { createRedisApiKeyChangeSource } from '@coffer/redis';
import { createPostgresApiKeyChangeSource, createPostgresStore } from '@coffer/store-postgres';
import { Redis } from 'ioredis';

const [mode, databaseUrl, redisUrl, channel, ttl] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const send = (message: unknown): void => {
  process.send?.(message);
};

const store = createPostgresStore({ connectionString: databaseUrl, poolSize: 2 });
const hasher = createBcryptHasher({ cost: 4, threads: 0 });
const verifier = createApiKeyVerifier({ store: store.apiKeys, hasher, stateTtlMs: Number(ttl) });
let subscriber: Redis | undefined;
let source: ApiKeyChangeSource | undefined;
if (mode === 'postgres') {
  source = createPostgresApiKeyChangeSource({ connectionString: databaseUrl });
} else if (mode === 'redis') {
  subscriber = new Redis(redisUrl, { retryStrategy: () => 50 });
  subscriber.on('error', () => {});
  source = createRedisApiKeyChangeSource({ subscriber, channel });
}
const follower = source === undefined ? undefined : followApiKeyChanges(verifier, source);

let watching: ReturnType<typeof setInterval> | undefined;
process.on('message', (message: { watch?: string; exit?: true; stats?: true }) => {
  if (message.exit === true) {
    void (async () => {
      if (watching !== undefined) clearInterval(watching);
      await follower?.stop();
      subscriber?.disconnect();
      await store.close();
      await hasher.close();
      process.exit(0);
    })();
    return;
  }
  if (message.stats === true) {
    send({ stats: follower?.stats() ?? null });
    return;
  }
  const key = message.watch;
  if (key === undefined) return;
  void (async () => {
    await verifier.verify(key); // compared and cached: from now on, hits
    send({ watching: true });
    let busy = false;
    // When the last request that was let in started (epoch ms, shared with the parent's clock).
    let lastAccepted = Number.NaN;
    watching = setInterval(() => {
      if (busy) return;
      busy = true;
      const started = performance.now();
      verifier.verify(key).then(
        () => {
          busy = false;
          lastAccepted = performance.timeOrigin + started;
        },
        (error: unknown) => {
          busy = false;
          if (!(error instanceof RevokedKeyError)) return;
          clearInterval(watching);
          watching = undefined;
          // How long ago the refused request started, and when the last accepted one did.
          send({ refused: { sinceStart: performance.now() - started, lastAccepted } });
        },
      );
    }, 2);
  })();
});

(async () => {
  if (follower !== undefined) {
    while (!follower.stats().connected) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  send({ ready: true });
})();
