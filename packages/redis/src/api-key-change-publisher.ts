// The publishing end of the API-key change feed on Redis: one PUBLISH per manager change.
import { type ApiKeyChangePublisher, encodeApiKeyChangeMessage } from '@coffer/api-keys';
import { checkedChannel } from './_change-channel.js';
import { commandSender, type RedisClientLike } from './redis-client.js';

/** Options of {@link createRedisApiKeyChangePublisher}. */
export interface RedisApiKeyChangePublisherOptions {
  /** Your Redis client (any connection not in subscriber mode): ioredis, node-redis, or a command function. */
  client: RedisClientLike;
  /** The pub/sub channel (default `coffer:api-key-change`); the sources must use the same. */
  channel?: string;
}

/**
 * Publishes API-key changes on a Redis pub/sub channel, for `createRedisApiKeyChangeSource` in
 * every instance. Wire the manager's `onChange` to it: it is called after the change is stored,
 * so nothing is published for a change that failed. Pub/sub delivers at most once: a message
 * published while a subscriber is disconnected is lost to it (its source reports the reconnect,
 * and the follower invalidates everything), and one lost because this process stopped between
 * the write and the publish is covered by the verifiers' `stateTtlMs` polling.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` for a client of no supported shape or a bad channel.
 * @example
 * ```ts
 * import { createApiKeyManager, createApiKeyVerifier, createBcryptHasher, createMemoryApiKeyStore } from '@coffer/api-keys';
 * import { createRedisApiKeyChangePublisher } from '@coffer/redis';
 * import { Redis } from 'ioredis';
 *
 * const store = createMemoryApiKeyStore(); // your shared SQL store in production
 * const hasher = createBcryptHasher();
 * const verifier = createApiKeyVerifier({ store, hasher });
 * const publisher = createRedisApiKeyChangePublisher({
 *   client: new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
 * });
 * const manager = createApiKeyManager({
 *   store,
 *   hasher,
 *   onChange: (change) => {
 *     verifier.invalidate(change); // this instance, at once
 *     publisher.publish(change).catch((error) => console.warn('API key feed:', error)); // the others
 *   },
 * });
 * ```
 */
export function createRedisApiKeyChangePublisher(
  options: RedisApiKeyChangePublisherOptions,
): ApiKeyChangePublisher {
  const send = commandSender(options?.client, 'client');
  const channel = checkedChannel(options.channel);
  return {
    async publish(change) {
      await send(['PUBLISH', channel, encodeApiKeyChangeMessage(change)], undefined);
    },
  };
}
