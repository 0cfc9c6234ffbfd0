import { CofferError } from '@coffer/core';

/**
 * Redis answered a coffer command with a reply of the wrong shape (a proxy in between, a key
 * overwritten by something else, an incompatible server). Code `REDIS_REPLY`, retryable; the
 * message names the command, never the reply.
 *
 * @example
 * ```ts
 * import { RedisReplyError } from '@coffer/redis';
 *
 * new RedisReplyError('rate-limit script').code; // 'REDIS_REPLY'
 * ```
 */
export class RedisReplyError extends CofferError {
  constructor(command: string) {
    super('REDIS_REPLY', `Redis answered the ${command} with an unexpected reply.`, {
      retryable: true,
      details: { command },
    });
  }
}
