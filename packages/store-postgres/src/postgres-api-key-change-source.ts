// The PostgreSQL end of the API-key change feed: one dedicated connection (never one of the
// store's pool: a pooled connection is handed to other work and its LISTEN goes with it) that
// LISTENs on the store's channel, reconnects with exponential backoff and jitter, checks an idle
// connection now and then, and tells its subscribers whenever it is listening again.
import type { ApiKeyChangeHandlers, ApiKeyChangeSource } from '@coffer/api-keys';
import { InvalidInputError } from '@coffer/core';
import pg from 'pg';
import { postgresApiKeyChangeChannel } from './postgres-change-channel.js';
import type { PostgresSchemaOptions } from './postgres-migrations.js';

/** Options of {@link createPostgresApiKeyChangeSource}. */
export interface PostgresApiKeyChangeSourceOptions extends PostgresSchemaOptions {
  /** The server, as a URL (give this or `client`). */
  connectionString?: string;
  /**
   * Or `pg`'s client configuration (its `ClientConfig`: TLS, a password function, …), passed to
   * `new pg.Client()` as given. TCP keep-alive is on unless it says otherwise.
   */
  client?: Readonly<Record<string, unknown>>;
  /**
   * The channel. Default: {@link postgresApiKeyChangeChannel} of `tablePrefix` and `schema`,
   * which is what migration `coffer_006_api_key_change_notify` rendered with the same options sends to.
   */
  channel?: string;
  /** Delay before the first reconnect (default 100 ms); it doubles with each failure. */
  reconnectDelayMs?: number;
  /** Longest delay between reconnects (default 10,000 ms). Each delay is jittered to 50–100 %. */
  maxReconnectDelayMs?: number;
  /**
   * How often the connection is checked with `select 1` (default 30,000 ms). A check still
   * unanswered at the next one counts as a lost connection: it is dropped and made again, so a
   * connection that died silently (a network partition) is noticed within twice this.
   */
  healthCheckMs?: number;
}

const MAX_CHANNEL_BYTES = 63;

function checkedMs(value: number | undefined, fallback: number, name: string, min: number): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min || v > 3_600_000) {
    throw new InvalidInputError(`${name} must be an integer from ${min} to 3600000 (ms).`, {
      details: { parameter: name },
    });
  }
  return v;
}

function checkedChannel(channel: unknown): string {
  if (
    typeof channel !== 'string' ||
    channel.length === 0 ||
    Buffer.byteLength(channel) > MAX_CHANNEL_BYTES ||
    channel.includes('\u0000')
  ) {
    throw new InvalidInputError('channel must be 1-63 bytes without NUL characters.', {
      details: { parameter: 'channel' },
    });
  }
  return channel;
}

/**
 * A change source for `followApiKeyChanges` that listens for the notifications migration
 * `coffer_006_api_key_change_notify` makes PostgreSQL send: one per key inserted, deleted or
 * changed (every manager change bumps the key's revision; verification's `last_used_at` writes do
 * not notify) and per kill switch flipped, sent by the changing transaction itself and delivered
 * when it commits — never for one that rolled back, never lost for one that committed while the
 * connection was up. No publisher is needed: every writer of the tables notifies, whatever
 * process, tool or SQL made the change.
 *
 * It opens one connection of its own (not from the store's pool) when the first subscriber comes
 * and closes it when the last one leaves. A lost connection (a restart, `pg_terminate_backend`, a
 * network failure, an unanswered health check) is reported to subscribers as `disconnected` and
 * made again after 100 ms, 200 ms, … up to 10 s (jittered); once `LISTEN` has answered on the new
 * one they get `connected`, and the follower invalidates everything (notifications sent while it
 * was away are lost).
 *
 * @param options The server (`connectionString` or `client`), the store's prefix and schema (or
 *   the channel itself), and the reconnect timing.
 * @returns The source.
 * @throws {InvalidInputError} `INVALID_INPUT` for a missing server, a bad prefix, schema or
 *   channel, or timings out of range.
 *
 * @example
 * ```ts
 * import { createApiKeyVerifier, createBcryptHasher, followApiKeyChanges } from '@coffer/api-keys';
 * import { createPostgresApiKeyChangeSource, createPostgresStore } from '@coffer/store-postgres';
 *
 * const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
 * const store = createPostgresStore({ connectionString: url });
 * await store.migrate(); // includes coffer_006_api_key_change_notify: the triggers
 * const verifier = createApiKeyVerifier({ store: store.apiKeys, hasher: createBcryptHasher() });
 * const follower = followApiKeyChanges(
 *   verifier,
 *   createPostgresApiKeyChangeSource({ connectionString: url }),
 *   { onError: (error) => console.warn('API key feed:', error) },
 * );
 * // … on shutdown:
 * await follower.stop();
 * await store.close();
 * ```
 */
export function createPostgresApiKeyChangeSource(
  options: PostgresApiKeyChangeSourceOptions,
): ApiKeyChangeSource {
  const { connectionString, client: clientConfig } = options;
  if ((connectionString === undefined) === (clientConfig === undefined)) {
    throw new InvalidInputError('Give either connectionString or client (not both).', {
      details: { parameter: 'connectionString' },
    });
  }
  if (
    connectionString !== undefined &&
    (typeof connectionString !== 'string' || connectionString === '')
  ) {
    throw new InvalidInputError('connectionString must be a non-empty PostgreSQL URL.', {
      details: { parameter: 'connectionString' },
    });
  }
  const channel = checkedChannel(options.channel ?? postgresApiKeyChangeChannel(options));
  const baseDelay = checkedMs(options.reconnectDelayMs, 100, 'reconnectDelayMs', 1);
  const maxDelay = checkedMs(options.maxReconnectDelayMs, 10_000, 'maxReconnectDelayMs', 1);
  const healthCheckMs = checkedMs(options.healthCheckMs, 30_000, 'healthCheckMs', 10);
  const config = {
    keepAlive: true,
    ...(connectionString === undefined ? clientConfig : { connectionString }),
  } as pg.ClientConfig;
  const listen = `LISTEN "${channel.replaceAll('"', '""')}"`;

  const subscribers = new Set<ApiKeyChangeHandlers>();
  let running = false;
  let current: pg.Client | null = null;
  // Whether `current` has answered LISTEN (and not been lost since).
  let listening = false;
  let failures = 0;
  let retry: ReturnType<typeof setTimeout> | null = null;
  // Bumped by every stop, so a connection attempt that outlives its run ends itself.
  let run = 0;

  const each = (call: (h: ApiKeyChangeHandlers) => void): void => {
    for (const handlers of [...subscribers]) {
      try {
        call(handlers);
      } catch {
        // A subscriber's handler must not stop the others.
      }
    }
  };

  function scheduleReconnect(): void {
    if (!running || retry !== null) return;
    const ceiling = Math.min(maxDelay, baseDelay * 2 ** Math.min(failures, 30));
    failures += 1;
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, delay);
  }

  async function connect(): Promise<void> {
    const mine = run;
    const client = new pg.Client(config);
    current = client;
    let lost = false;
    let checking = false;
    let health: ReturnType<typeof setInterval> | null = null;
    const drop = (error?: unknown): void => {
      if (lost) return;
      lost = true;
      if (health !== null) clearInterval(health);
      client.removeAllListeners('notification');
      // A silently dead connection may never finish ending: nothing waits for it.
      client.end().catch(() => undefined);
      if (current === client) {
        current = null;
        listening = false;
      }
      if (mine !== run) return;
      each((h) => h.disconnected(error));
      scheduleReconnect();
    };
    client.on('error', (error) => drop(error));
    client.on('end', () => drop());
    client.on('notification', (n) => {
      if (n.channel !== channel || n.payload === undefined) return;
      const payload = n.payload;
      each((h) => h.message(payload));
    });
    try {
      await client.connect();
      await client.query(listen);
    } catch (error) {
      drop(error);
      return;
    }
    if (lost) return;
    if (mine !== run) {
      drop();
      return;
    }
    failures = 0;
    health = setInterval(() => {
      if (checking) {
        drop(new Error('The LISTEN connection did not answer a health check in time.'));
        return;
      }
      checking = true;
      client.query('select 1').then(
        () => {
          checking = false;
        },
        (error: unknown) => drop(error),
      );
    }, healthCheckMs);
    health.unref?.();
    listening = true;
    each((h) => h.connected());
  }

  async function stop(): Promise<void> {
    running = false;
    run += 1;
    if (retry !== null) clearTimeout(retry);
    retry = null;
    const client = current;
    current = null;
    listening = false;
    if (client !== null) {
      client.removeAllListeners('notification');
      // Ending a connection that died silently may never finish: wait a second at most.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        client.end().catch(() => undefined),
        new Promise((resolve) => {
          timer = setTimeout(resolve, 1000);
        }),
      ]);
      clearTimeout(timer);
    }
  }

  return {
    subscribe(handlers) {
      subscribers.add(handlers);
      if (!running) {
        running = true;
        failures = 0;
        void connect();
      } else if (listening) {
        // Already listening: a late subscriber hears so at once (else when LISTEN answers).
        try {
          handlers.connected();
        } catch {
          // Ignored, as for every handler.
        }
      }
      let left = false;
      return async () => {
        if (left) return;
        left = true;
        subscribers.delete(handlers);
        if (subscribers.size === 0 && running) await stop();
      };
    },
  };
}
