// The subscribing end of the API-key change feed on Redis, on the user's own pub/sub connection
// (ioredis or node-redis). Both clients reconnect and resubscribe by themselves; what this adds is
// knowing when: a lost connection is reported at once, and "listening again" only once SUBSCRIBE
// has answered on the new connection, so the follower's invalidation of everything comes after
// the last moment a message could have been missed.
import type { ApiKeyChangeHandlers, ApiKeyChangeSource } from '@coffer/api-keys';
import { InvalidInputError } from '@coffer/core';
import { checkedChannel } from './_change-channel.js';

type Listener = (...args: unknown[]) => void;

/** An ioredis client (`Redis`) for pub/sub: what the source uses of it. */
export interface IoRedisSubscriberLike {
  call(command: string, ...args: string[]): Promise<unknown>;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: string, listener: Listener): unknown;
  removeListener(event: string, listener: Listener): unknown;
  /** `ready` when connected. */
  readonly status: string;
}

/** A node-redis client (v4 and later, `createClient()`), connected, for pub/sub. */
export interface NodeRedisSubscriberLike {
  subscribe(
    channel: string,
    listener: (message: string, channel: string) => void,
  ): Promise<unknown>;
  unsubscribe(
    channel: string,
    listener: (message: string, channel: string) => void,
  ): Promise<unknown>;
  on(event: string, listener: Listener): unknown;
  removeListener(event: string, listener: Listener): unknown;
  readonly isReady: boolean;
}

/** Options of {@link createRedisApiKeyChangeSource}. */
export interface RedisApiKeyChangeSourceOptions {
  /**
   * A connection for pub/sub only: with ioredis a `Redis` of its own (`redis.duplicate()`), with
   * node-redis a connected `client.duplicate()`. A connection in subscriber mode cannot run other
   * commands, so never give the one your rate-limit store or publisher uses.
   */
  subscriber: IoRedisSubscriberLike | NodeRedisSubscriberLike;
  /** The pub/sub channel (default `coffer:api-key-change`); the publishers must use the same. */
  channel?: string;
}

interface Wiring {
  /** Subscribes (again) and resolves once Redis has answered. */
  subscribe(): Promise<unknown>;
  unsubscribe(): Promise<unknown>;
  /** Event listeners to add while the source runs. */
  events: Array<[string, Listener]>;
}

/**
 * A change source for `followApiKeyChanges` on Redis pub/sub, fed by
 * `createRedisApiKeyChangePublisher` in whichever instance made the change. It subscribes when
 * the first subscriber comes and unsubscribes when the last one leaves (the connection stays
 * yours: it is never closed here). When the connection drops (a restart, a failover,
 * `CLIENT KILL`), subscribers hear `disconnected` at once; when the client has reconnected and
 * `SUBSCRIBE` has answered again, `connected` — and the follower invalidates everything, since
 * pub/sub does not replay what was published meanwhile.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` for a subscriber that is neither client, or a bad channel.
 * @example
 * ```ts
 * import { createApiKeyVerifier, createBcryptHasher, createMemoryApiKeyStore, followApiKeyChanges } from '@coffer/api-keys';
 * import { createRedisApiKeyChangeSource } from '@coffer/redis';
 * import { Redis } from 'ioredis';
 *
 * const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
 * const verifier = createApiKeyVerifier({ store: createMemoryApiKeyStore(), hasher: createBcryptHasher() });
 * const follower = followApiKeyChanges(
 *   verifier,
 *   createRedisApiKeyChangeSource({ subscriber: redis.duplicate() }),
 *   { onError: (error) => console.warn('API key feed:', error) },
 * );
 * follower.stats(); // { received, applied, ignored, connects, disconnects, connected }
 * ```
 */
export function createRedisApiKeyChangeSource(
  options: RedisApiKeyChangeSourceOptions,
): ApiKeyChangeSource {
  const channel = checkedChannel(options?.channel);
  const subscriber = options?.subscriber as unknown;
  const subscribers = new Set<ApiKeyChangeHandlers>();
  let listening = false;
  let running = false;
  // Bumped by every start and stop: a SUBSCRIBE answered for an earlier run is not "listening".
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
  const deliver = (message: unknown): void => {
    if (typeof message !== 'string') return;
    each((h) => h.message(message));
  };
  const lost = (error?: unknown): void => {
    if (!running) return;
    listening = false;
    each((h) => h.disconnected(error));
  };
  /** SUBSCRIBE (again) and, once it answered in this run, say so. */
  const listen = (): void => {
    const mine = run;
    wiring.subscribe().then(
      () => {
        if (mine !== run || listening) return;
        listening = true;
        each((h) => h.connected());
      },
      (error: unknown) => {
        // The client retries on its own; the next 'ready' subscribes again.
        if (mine === run) lost(error);
      },
    );
  };

  const wiring = wire();

  function wire(): Wiring {
    if (typeof subscriber === 'object' && subscriber !== null) {
      const io = subscriber as Partial<IoRedisSubscriberLike>;
      if (typeof io.call === 'function' && typeof io.subscribe === 'function') {
        const client = subscriber as IoRedisSubscriberLike;
        return {
          subscribe: () => client.subscribe(channel),
          unsubscribe: () => client.unsubscribe(channel),
          events: [
            [
              'message',
              ((from: string, message: unknown) => {
                if (from === channel) deliver(message);
              }) as Listener,
            ],
            // ioredis says 'ready' before it resubscribes: subscribe ourselves and wait for it.
            [
              'ready',
              (() => {
                if (!listening) listen();
              }) as Listener,
            ],
            ['close', (() => lost()) as Listener],
          ],
        };
      }
      const node = subscriber as Partial<NodeRedisSubscriberLike>;
      if (typeof node.subscribe === 'function' && 'isReady' in node) {
        const client = subscriber as NodeRedisSubscriberLike;
        const onMessage = (message: string, from: string): void => {
          if (from === channel) deliver(message);
        };
        return {
          subscribe: () => client.subscribe(channel, onMessage),
          unsubscribe: () => client.unsubscribe(channel, onMessage),
          events: [
            // node-redis says 'ready' after it resubscribed (or once connected, if our first
            // SUBSCRIBE found it closed): SUBSCRIBE again is then a no-op or the first one.
            [
              'ready',
              (() => {
                if (!listening) listen();
              }) as Listener,
            ],
            [
              'error',
              ((error: unknown) => {
                if (!client.isReady) lost(error);
              }) as Listener,
            ],
            ['end', (() => lost()) as Listener],
          ],
        };
      }
    }
    throw new InvalidInputError(
      'subscriber must be an ioredis client or a node-redis client (a connection of its own for pub/sub).',
      { details: { parameter: 'subscriber' } },
    );
  }

  const client = subscriber as {
    on(event: string, listener: Listener): unknown;
    removeListener(event: string, listener: Listener): unknown;
  };

  function start(): void {
    running = true;
    run += 1;
    for (const [event, listener] of wiring.events) client.on(event, listener);
    listen();
  }

  async function stop(): Promise<void> {
    const wasListening = listening;
    running = false;
    listening = false;
    run += 1;
    for (const [event, listener] of wiring.events) client.removeListener(event, listener);
    const done = Promise.resolve()
      .then(() => wiring.unsubscribe())
      .catch(() => undefined);
    // While the connection is down the client queues UNSUBSCRIBE until it is back: not waited for.
    if (wasListening) await done;
  }

  return {
    subscribe(handlers) {
      subscribers.add(handlers);
      if (!running) start();
      else if (listening) {
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
