export {
  createRedisApiKeyChangePublisher,
  type RedisApiKeyChangePublisherOptions,
} from './api-key-change-publisher.js';
export {
  createRedisApiKeyChangeSource,
  type IoRedisSubscriberLike,
  type NodeRedisSubscriberLike,
  type RedisApiKeyChangeSourceOptions,
} from './api-key-change-source.js';
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
