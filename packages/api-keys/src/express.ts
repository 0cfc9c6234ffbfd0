import { apiKeyErrorResponse, authenticate, rememberApiKey, requestIdOf } from './authenticate.js';
import type { NodeHeaders } from './request-headers.js';
import type { ApiKeyVerifier, VerifyApiKeyOptions } from './verifier.js';

/** The parts of an Express request the middleware uses. */
export interface ExpressRequestLike {
  readonly headers: NodeHeaders;
  /** Node's headers as received: a repeated `Authorization` shows only here. */
  readonly rawHeaders?: readonly string[];
}

/** The parts of an Express response the middleware uses. */
export interface ExpressResponseLike {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
  json(body: unknown): unknown;
}

/** An Express (4 or 5) middleware function. */
export type ExpressMiddleware = (
  req: ExpressRequestLike,
  res: ExpressResponseLike,
  next: (error?: unknown) => void,
) => Promise<void>;

/**
 * Express middleware that authenticates every request with an API key. It lets a valid request
 * through (read the key with {@link apiKeyOf}) and answers anything else itself with the error
 * envelope and status (401, 403, 429, 503). A header sent twice is refused (it reads
 * `req.rawHeaders`, where Node's `req.headers` keeps only the first `Authorization`). The request
 * id is the caller's `X-Request-Id` or a new one.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { apiKeyOf, type ApiKeyVerifier, expressApiKeyAuth } from '@coffer/api-keys';
 *
 * export function app(verifier: ApiKeyVerifier): express.Express {
 *   const app = express();
 *   app.use('/v1', expressApiKeyAuth(verifier));
 *   app.get('/v1/whoami', (req, res) => {
 *     res.json({ organizationId: apiKeyOf(req).organizationId });
 *   });
 *   return app;
 * }
 * ```
 */
export function expressApiKeyAuth(
  verifier: ApiKeyVerifier,
  options: VerifyApiKeyOptions = {},
): ExpressMiddleware {
  return async (req, res, next) => {
    try {
      rememberApiKey(req, await authenticate(verifier, req, options));
    } catch (error) {
      const response = apiKeyErrorResponse(error, requestIdOf(req));
      res.status(response.status);
      for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
      res.json(response.body);
      return;
    }
    next();
  };
}
