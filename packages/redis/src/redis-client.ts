// The smallest client interface coffer's Redis pieces need: send one command, get its reply.
// Structural, so coffer depends on no Redis library: an ioredis client (`call`), a node-redis
// client (`sendCommand`), or a function of your own (a node-redis cluster, a test double).
import { InvalidInputError } from '@coffer/core';

/** ioredis (`Redis` or `Cluster`): `client.call(command, ...args)`. */
export interface IoRedisLike {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** node-redis (v4 and later) `createClient()`: `client.sendCommand([command, ...args])`. */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * Sends one command; `key` is the key it touches (for routing in a cluster), when it has one.
 * For a node-redis cluster: `(args, key) => cluster.sendCommand(key, false, args)`.
 */
export type RedisCommandFunction = (args: string[], key: string | undefined) => Promise<unknown>;

/**
 * A Redis client coffer can use: ioredis, node-redis, or a command function.
 *
 * @example
 * ```ts
 * import type { RedisClientLike } from '@coffer/redis';
 * import { Redis } from 'ioredis';
 * import { createClient } from 'redis';
 *
 * const io: RedisClientLike = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
 * const node: RedisClientLike = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
 * ```
 */
export type RedisClientLike = IoRedisLike | NodeRedisLike | RedisCommandFunction;

/** @internal One way to send a command, whatever the client. */
export type SendCommand = (args: string[], key: string | undefined) => Promise<unknown>;

/** @internal */
export function commandSender(client: unknown, parameter: string): SendCommand {
  if (typeof client === 'function') {
    const send = client as RedisCommandFunction;
    return (args, key) => send(args, key);
  }
  if (typeof client === 'object' && client !== null) {
    // ioredis has both `call` and a `sendCommand` that takes a Command object: prefer `call`.
    const io = client as Partial<IoRedisLike>;
    if (typeof io.call === 'function') {
      const call = io.call.bind(client);
      return (args) => call(...(args as [string, ...string[]]));
    }
    const node = client as Partial<NodeRedisLike>;
    if (typeof node.sendCommand === 'function') {
      const sendCommand = node.sendCommand.bind(client);
      return (args) => sendCommand(args);
    }
  }
  throw new InvalidInputError(
    `${parameter} must be an ioredis client, a node-redis client or a function (args, key) => Promise`,
    { details: { parameter } },
  );
}

/** @internal Whether a client error is Redis saying it does not have a script (`NOSCRIPT`). */
export function isNoScript(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message.startsWith('NOSCRIPT');
}
