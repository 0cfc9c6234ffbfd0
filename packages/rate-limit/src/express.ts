import { decide, isPromise, type RateLimitKeyLike } from './_decide.js';
import { requestIdFromHeaders } from './_request-id.js';
import type { RateLimitDecision } from './decision.js';
import { rateLimitedResponse, rateLimitHeaders } from './http-response.js';
import type { RateLimiter } from './limiter.js';
import { classResolver, type RateLimitMiddlewareOptions } from './route-class.js';

/** The parts of an Express request the middleware uses. */
export interface ExpressRateLimitRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** The parts of an Express response the middleware uses. */
export interface ExpressRateLimitResponse {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
}

/** An Express (4 or 5) middleware function. */
export type ExpressRateLimitMiddleware = (
  req: ExpressRateLimitRequest,
  res: ExpressRateLimitResponse,
  next: (error?: unknown) => void,
) => void;

/** Options of {@link expressRateLimit}. */
export interface ExpressRateLimitOptions<EndpointClass extends string>
  extends RateLimitMiddlewareOptions<EndpointClass, ExpressRateLimitRequest> {
  /** The request's verified key: pass `apiKeyOf` of `@coffer/api-keys`. */
  apiKey: (request: ExpressRateLimitRequest) => RateLimitKeyLike;
}

/** The middleware {@link expressRateLimit} returns, with `.as(endpointClass)` for one route. */
export interface ExpressRateLimit<EndpointClass extends string> extends ExpressRateLimitMiddleware {
  /**
   * The same limiter with an explicit class, for one route:
   * `app.post('/v1/generate', limits.as('long-running'), handler)`.
   * @throws {InvalidInputError} `INVALID_INPUT` (at setup) for a class the policy lacks.
   */
  as(endpointClass: EndpointClass): ExpressRateLimitMiddleware;
}

/**
 * Express middleware that rate-limits each request by its verified API key (mount it after
 * `expressApiKeyAuth`). The class is the route's explicit one (`.as(...)`), else `classify(req)`,
 * else the default by method ({@link endpointClassByMethod}). Every response gets the rate-limit
 * headers; a refused request is answered `429` with the envelope and `Retry-After`. A request is
 * decided once, by the first of this limiter's middlewares it passes: mount it app-wide or per
 * route, not both.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` (at setup) when the default by method cannot map
 *   onto the policy's classes and no `defaultClass` is given.
 * @example
 * ```ts
 * import { apiKeyOf, type ApiKeyVerifier, expressApiKeyAuth } from '@coffer/api-keys';
 * import { createRateLimiter, expressRateLimit } from '@coffer/rate-limit';
 * import express from 'express';
 *
 * export function app(verifier: ApiKeyVerifier): express.Express {
 *   const limits = expressRateLimit(createRateLimiter(), { apiKey: apiKeyOf });
 *   const app = express();
 *   app.use('/v1', expressApiKeyAuth(verifier));
 *   app.get('/v1/projects', limits, (_req, res) => { res.json([]) }); // read-light (GET)
 *   app.post('/v1/projects', limits, (_req, res) => { res.status(201).json({}) }); // write-light
 *   app.post('/v1/generate', limits.as('long-running'), (_req, res) => { res.status(202).json({}) });
 *   return app;
 * }
 * ```
 */
export function expressRateLimit<Tier extends string, EndpointClass extends string>(
  limiter: RateLimiter<Tier, EndpointClass>,
  options: ExpressRateLimitOptions<EndpointClass>,
): ExpressRateLimit<EndpointClass> {
  const resolver = classResolver<EndpointClass, ExpressRateLimitRequest>(limiter, options);
  const requestId = options.requestId ?? ((req) => requestIdFromHeaders(req.headers));
  const decided = new WeakSet<object>();

  const middleware = (explicit: EndpointClass | undefined): ExpressRateLimitMiddleware => {
    return (req, res, next) => {
      if (decided.has(req)) {
        next();
        return;
      }
      let decision:
        | RateLimitDecision<string, EndpointClass>
        | Promise<RateLimitDecision<string, EndpointClass>>;
      try {
        const key = options.apiKey(req);
        decided.add(req);
        decision = decide(limiter, key, explicit ?? resolver.resolve(req, req.method));
      } catch (error) {
        next(error);
        return;
      }
      const answer = (d: RateLimitDecision): void => {
        try {
          if (!d.allowed) {
            const response = rateLimitedResponse(d, requestId(req));
            res.status(429);
            for (const name in response.headers) {
              res.setHeader(name, response.headers[name] as string);
            }
            res.end(response.body);
            return;
          }
          const headers = rateLimitHeaders(d);
          for (const name in headers) res.setHeader(name, headers[name] as string);
        } catch (error) {
          next(error);
          return;
        }
        next();
      };
      if (isPromise(decision)) decision.then(answer, next);
      else answer(decision);
    };
  };

  return Object.assign(middleware(undefined), {
    as: (endpointClass: EndpointClass) => middleware(resolver.explicit(endpointClass)),
  });
}
