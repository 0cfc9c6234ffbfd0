import { decide, type RateLimitKeyLike } from './_decide.js';
import { requestIdFromHeaders } from './_request-id.js';
import { rateLimitedResponse, rateLimitHeaders } from './http-response.js';
import type { RateLimiter } from './limiter.js';
import { classResolver, type RateLimitMiddlewareOptions } from './route-class.js';

/** The parts of a Fastify request the hook uses. */
export interface FastifyRateLimitRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The matched route's options; `config.endpointClass` is the route's explicit class. */
  readonly routeOptions?: { readonly config?: unknown };
}

/** The parts of a Fastify reply the hook uses. */
export interface FastifyRateLimitReply {
  code(statusCode: number): unknown;
  header(name: string, value: string): unknown;
  send(payload: string): unknown;
}

/** A Fastify `onRequest` hook. */
export type FastifyRateLimitHook = (
  request: FastifyRateLimitRequest,
  reply: FastifyRateLimitReply,
) => Promise<unknown>;

/** Options of {@link fastifyRateLimit}. */
export interface FastifyRateLimitOptions<EndpointClass extends string>
  extends RateLimitMiddlewareOptions<EndpointClass, FastifyRateLimitRequest> {
  /** The request's verified key: pass `apiKeyOf` of `@coffer/api-keys`. */
  apiKey: (request: FastifyRateLimitRequest) => RateLimitKeyLike;
}

/** The hook {@link fastifyRateLimit} returns, with `.as(endpointClass)` for one route's hooks. */
export interface FastifyRateLimit<EndpointClass extends string> extends FastifyRateLimitHook {
  /**
   * The same limiter with an explicit class, as a route-level hook.
   * @throws {InvalidInputError} `INVALID_INPUT` (at setup) for a class the policy lacks.
   */
  as(endpointClass: EndpointClass): FastifyRateLimitHook;
}

function configuredClass(request: FastifyRateLimitRequest): unknown {
  const config = request.routeOptions?.config;
  return typeof config === 'object' && config !== null
    ? (config as { endpointClass?: unknown }).endpointClass
    : undefined;
}

/**
 * A Fastify `onRequest` hook that rate-limits each request by its verified API key: add it after
 * `fastifyApiKeyAuth` (hooks run in the order added). A route names its class in its options,
 * `config: { endpointClass: 'long-running' }`; otherwise `classify(request)`, else the default by
 * method ({@link endpointClassByMethod}). Every response gets the rate-limit headers; a refused
 * request is answered `429` with the envelope and `Retry-After`.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` (at setup) when the default by method cannot map
 *   onto the policy's classes and no `defaultClass` is given.
 * @example
 * ```ts
 * import { apiKeyOf, type ApiKeyVerifier, fastifyApiKeyAuth } from '@coffer/api-keys';
 * import { createRateLimiter, fastifyRateLimit } from '@coffer/rate-limit';
 * import Fastify from 'fastify';
 *
 * export function app(verifier: ApiKeyVerifier) {
 *   const app = Fastify();
 *   app.addHook('onRequest', fastifyApiKeyAuth(verifier));
 *   app.addHook('onRequest', fastifyRateLimit(createRateLimiter(), { apiKey: apiKeyOf }));
 *   app.get('/v1/projects', async () => []); // read-light (GET)
 *   app.post('/v1/generate', { config: { endpointClass: 'long-running' } }, async () => ({}));
 *   return app;
 * }
 * ```
 */
export function fastifyRateLimit<Tier extends string, EndpointClass extends string>(
  limiter: RateLimiter<Tier, EndpointClass>,
  options: FastifyRateLimitOptions<EndpointClass>,
): FastifyRateLimit<EndpointClass> {
  const resolver = classResolver<EndpointClass, FastifyRateLimitRequest>(limiter, options);
  const requestId = options.requestId ?? ((request) => requestIdFromHeaders(request.headers));
  const decided = new WeakSet<object>();

  const hook = (explicit: EndpointClass | undefined): FastifyRateLimitHook => {
    return async (request, reply) => {
      if (decided.has(request)) return undefined;
      const key = options.apiKey(request);
      decided.add(request);
      const configured = configuredClass(request);
      const endpointClass =
        explicit ??
        (limiter.hasEndpointClass(configured)
          ? configured
          : resolver.resolve(request, request.method));
      const decision = await decide(limiter, key, endpointClass);
      if (decision.allowed) {
        const headers = rateLimitHeaders(decision);
        for (const name in headers) reply.header(name, headers[name] as string);
        return undefined;
      }
      const response = rateLimitedResponse(decision, requestId(request));
      reply.code(429);
      for (const name in response.headers) reply.header(name, response.headers[name] as string);
      reply.send(response.body);
      // Returning the reply tells Fastify the hook answered the request.
      return reply;
    };
  };

  return Object.assign(hook(undefined), {
    as: (endpointClass: EndpointClass) => hook(resolver.explicit(endpointClass)),
  });
}
