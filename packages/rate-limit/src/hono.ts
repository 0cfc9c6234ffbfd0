import { decide, type RateLimitKeyLike } from './_decide.js';
import { requestIdFromHeaders } from './_request-id.js';
import { rememberClientAddress } from './client-address.js';
import { rateLimitedResponse, rateLimitHeaders } from './http-response.js';
import type { RateLimiter } from './limiter.js';
import { classResolver, type RateLimitMiddlewareOptions } from './route-class.js';

/** The parts of a Hono context the middleware uses. */
export interface HonoRateLimitContext {
  readonly req: { readonly raw: Request; readonly method: string };
  res: Response;
}

/** A Hono middleware handler. */
export type HonoRateLimitMiddleware = (
  c: HonoRateLimitContext,
  next: () => Promise<void>,
) => Promise<Response | undefined>;

/** Options of {@link honoRateLimit}. */
export interface HonoRateLimitOptions<EndpointClass extends string>
  extends RateLimitMiddlewareOptions<EndpointClass, HonoRateLimitContext> {
  /**
   * The request's verified key (default: `c.get('apiKey')`, where `honoApiKeyAuth` of
   * `@coffer/api-keys` puts it).
   */
  apiKey?: (c: HonoRateLimitContext) => RateLimitKeyLike | undefined;
}

/** The middleware {@link honoRateLimit} returns, with `.as(endpointClass)` for one route. */
export interface HonoRateLimit<EndpointClass extends string> extends HonoRateLimitMiddleware {
  /**
   * The same limiter with an explicit class, for one route:
   * `app.post('/v1/generate', limits.as('long-running'), handler)`.
   * @throws {InvalidInputError} `INVALID_INPUT` (at setup) for a class the policy lacks.
   */
  as(endpointClass: EndpointClass): HonoRateLimitMiddleware;
}

const apiKeyVariable = (c: HonoRateLimitContext): unknown =>
  (c as { get?: (key: string) => unknown }).get?.('apiKey');

function addHeaders(c: HonoRateLimitContext, headers: Record<string, string>): void {
  try {
    for (const name in headers) c.res.headers.set(name, headers[name] as string);
  } catch {
    // Immutable headers (a Response from fetch): replace it once by a copy with ours added.
    const copy = new Response(c.res.body, c.res);
    for (const name in headers) copy.headers.set(name, headers[name] as string);
    c.res = copy;
  }
}

/**
 * Hono middleware that rate-limits each request by its verified API key (mount it after
 * `honoApiKeyAuth`, which it reads through `c.get('apiKey')`). The class is the route's explicit
 * one (`.as(...)`), else `classify(c)`, else the default by method
 * ({@link endpointClassByMethod}). Every response gets the rate-limit headers; a refused request is
 * answered `429` with the envelope and `Retry-After`. A request is decided once, by the first of
 * this limiter's middlewares it passes: mount it app-wide or per route, not both.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` (at setup) when the default by method cannot map
 *   onto the policy's classes and no `defaultClass` is given.
 * @example
 * ```ts
 * import { type ApiKeyVariables, type ApiKeyVerifier, honoApiKeyAuth } from '@coffer/api-keys';
 * import { createRateLimiter, honoRateLimit } from '@coffer/rate-limit';
 * import { Hono } from 'hono';
 *
 * export function app(verifier: ApiKeyVerifier) {
 *   const limits = honoRateLimit(createRateLimiter());
 *   const app = new Hono<{ Variables: ApiKeyVariables }>();
 *   app.use('/v1/*', honoApiKeyAuth(verifier));
 *   app.get('/v1/projects', limits, (c) => c.json([])); // read-light (GET)
 *   app.post('/v1/generate', limits.as('long-running'), (c) => c.json({}, 202));
 *   return app;
 * }
 * ```
 */
export function honoRateLimit<Tier extends string, EndpointClass extends string>(
  limiter: RateLimiter<Tier, EndpointClass>,
  options: HonoRateLimitOptions<EndpointClass> = {},
): HonoRateLimit<EndpointClass> {
  const resolver = classResolver<EndpointClass, HonoRateLimitContext>(limiter, options);
  const requestId = options.requestId ?? ((c) => requestIdFromHeaders(c.req.raw.headers));
  const apiKey = options.apiKey ?? apiKeyVariable;
  const decided = new WeakSet<object>();

  const middleware = (explicit: EndpointClass | undefined): HonoRateLimitMiddleware => {
    return async (c, next) => {
      if (decided.has(c.req.raw)) {
        await next();
        return undefined;
      }
      const key = apiKey(c);
      decided.add(c.req.raw);
      const decision = await decide(limiter, key, explicit ?? resolver.resolve(c, c.req.method));
      if (!decision.allowed) {
        const response = rateLimitedResponse(decision, requestId(c));
        return new Response(response.body, { status: 429, headers: response.headers });
      }
      await next();
      addHeaders(c, rateLimitHeaders(decision));
      return undefined;
    };
  };

  return Object.assign(middleware(undefined), {
    as: (endpointClass: EndpointClass) => middleware(resolver.explicit(endpointClass)),
  });
}

/** A Hono middleware that only records something and goes on. */
export type HonoClientAddressMiddleware = (
  c: { readonly req: { readonly raw: Request }; readonly env?: unknown },
  next: () => Promise<void>,
) => Promise<void>;

/**
 * Hono on Node (`@hono/node-server`): remembers each request's socket address so the
 * authentication guard's client-address rule can read it (a Fetch `Request` carries no socket).
 * Mount it before `honoApiKeyAuth`. On Bun, Deno or workers, call `rememberClientAddress` with
 * `getConnInfo(c).remote.address` in a middleware of your own instead.
 *
 * @example
 * ```ts
 * import { type ApiKeyVariables, type ApiKeyVerifier, honoApiKeyAuth } from '@coffer/api-keys';
 * import { honoClientAddress } from '@coffer/rate-limit';
 * import { Hono } from 'hono';
 *
 * export function app(verifier: ApiKeyVerifier) {
 *   const app = new Hono<{ Variables: ApiKeyVariables }>();
 *   app.use('/v1/*', honoClientAddress(), honoApiKeyAuth(verifier));
 *   return app;
 * }
 * ```
 */
export function honoClientAddress(): HonoClientAddressMiddleware {
  return async (c, next) => {
    const env = c.env as { incoming?: { socket?: { remoteAddress?: unknown } } } | undefined;
    const address = env?.incoming?.socket?.remoteAddress;
    if (typeof address === 'string') rememberClientAddress(c.req.raw, address);
    await next();
  };
}
