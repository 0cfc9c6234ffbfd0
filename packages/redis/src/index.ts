export { RedisReplyError } from './errors.js';
export {
  createRedisRateLimitStore,
  type RedisRateLimitStore,
  type RedisRateLimitStoreOptions,
} from './rate-limit-store.js';
export type {
  IoRedisLike,
  NodeRedisLike,
  RedisClientLike,
  RedisCommandFunction,
} from './redis-client.js';
