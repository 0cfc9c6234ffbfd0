export type { RateLimitKeyLike } from './_decide.js';
export {
  type AuthenticationGuardOptions,
  type AuthenticationRefusal,
  createAuthenticationGuard,
  type FailedAuthenticationGuard,
  type GuardedAttempt,
} from './authentication-guard.js';
export {
  type ClientAddressOptions,
  type ClientAddressResolver,
  createClientAddressResolver,
  rememberClientAddress,
  type TrustProxy,
} from './client-address.js';
export type { RateLimitDecision, RateLimitSource } from './decision.js';
export {
  AuthenticationThrottledError,
  type AuthenticationThrottleReason,
  RateLimitKeyMissingError,
} from './errors.js';
export {
  type ExpressRateLimit,
  type ExpressRateLimitMiddleware,
  type ExpressRateLimitOptions,
  type ExpressRateLimitRequest,
  type ExpressRateLimitResponse,
  expressRateLimit,
} from './express.js';
export {
  type FastifyRateLimit,
  type FastifyRateLimitHook,
  type FastifyRateLimitOptions,
  type FastifyRateLimitReply,
  type FastifyRateLimitRequest,
  fastifyRateLimit,
} from './fastify.js';
export {
  type HonoClientAddressMiddleware,
  type HonoRateLimit,
  type HonoRateLimitContext,
  type HonoRateLimitMiddleware,
  type HonoRateLimitOptions,
  honoClientAddress,
  honoRateLimit,
} from './hono.js';
export {
  type RateLimitedBody,
  type RateLimitedResponse,
  rateLimitedResponse,
  rateLimitHeaders,
} from './http-response.js';
export {
  createRateLimiter,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitRequest,
  type RateLimitStoreEvent,
  type StoreErrorMode,
} from './limiter.js';
export {
  createMemoryRateLimitStore,
  type MemoryRateLimitStore,
  type MemoryRateLimitStoreOptions,
} from './memory-store.js';
export {
  DEFAULT_RATE_POLICY,
  type DefaultEndpointClass,
  type DefaultTier,
  type RatePeriod,
  type RatePolicy,
  type RateRule,
} from './policy.js';
export type { BucketRule, RateLimitStore } from './rate-limit-store.js';
export {
  endpointClassByMethod,
  type RateLimitMiddlewareOptions,
} from './route-class.js';
