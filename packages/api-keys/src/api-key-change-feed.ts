// The change feed's two ends, independent of any transport: a source (PostgreSQL LISTEN, Redis
// SUBSCRIBE, your own) delivers raw messages and says when its connection comes and goes; a
// publisher sends the manager's changes. `followApiKeyChanges` joins a source to a verifier.
import type { ApiKeyChangeMessage } from './api-key-change-message.js';

/**
 * What a source calls while a subscription lasts. A source may call them in any order and any
 * number of times; none of them throws.
 */
export interface ApiKeyChangeHandlers {
  /** One message, as received (the follower parses it; a source never interprets it). */
  message(text: string): void;
  /**
   * Listening, for the first time or again: every message sent from now on arrives. Call it only
   * once the subscription is in effect on the server (after `LISTEN` / `SUBSCRIBE` answered).
   */
  connected(): void;
  /** The connection is lost: messages sent from now until the next `connected` may be missed. */
  disconnected(error?: unknown): void;
}

/**
 * Where change messages come from: `createPostgresApiKeyChangeSource` (`@coffer/store-postgres`),
 * `createRedisApiKeyChangeSource` (`@coffer/redis`), or your own transport.
 *
 * @example
 * ```ts
 * import type { ApiKeyChangeSource } from '@coffer/api-keys';
 * import { EventEmitter } from 'node:events';
 *
 * // An in-process source (tests, a single process): messages are emitted as 'message' events.
 * const bus = new EventEmitter();
 * const source: ApiKeyChangeSource = {
 *   subscribe(handlers) {
 *     const onMessage = (text: string) => handlers.message(text);
 *     bus.on('message', onMessage);
 *     handlers.connected();
 *     return async () => {
 *       bus.off('message', onMessage);
 *     };
 *   },
 * };
 * ```
 */
export interface ApiKeyChangeSource {
  /**
   * Starts delivering messages to `handlers` (connecting if needed, reconnecting on its own).
   * Returns the function that stops it (and closes what it opened for it).
   */
  subscribe(handlers: ApiKeyChangeHandlers): () => Promise<void>;
}

/**
 * Sends changes to every instance: `createRedisApiKeyChangePublisher` (`@coffer/redis`). Wire the
 * manager's `onChange` to it. (On PostgreSQL no publisher is needed: the store's trigger sends
 * the notification in the same transaction as the change.)
 *
 * @example
 * ```ts
 * import type { ApiKeyChangePublisher } from '@coffer/api-keys';
 *
 * const sent: string[] = [];
 * const publisher: ApiKeyChangePublisher = {
 *   publish: async (change) => {
 *     sent.push(change.type);
 *   },
 * };
 * await publisher.publish({ type: 'revoked', keyId: '0123456789ABCDEF' });
 * sent; // ['revoked']
 * ```
 */
export interface ApiKeyChangePublisher {
  /**
   * Sends one change. Resolves once the transport took it; rejects when it could not (the
   * change is stored: other instances then see it within their `stateTtlMs`).
   */
  publish(change: ApiKeyChangeMessage): Promise<void>;
}
