import type { VerifiedApiKey } from './api-key-info.js';
import { apiKeyErrorResponse, authenticate, rememberApiKey, requestIdOf } from './authenticate.js';
import type { ApiKeyVerifier, VerifyApiKeyOptions } from './verifier.js';

/** The parts of a Hono context the middleware uses. */
export interface HonoContextLike {
  readonly req: { readonly raw: Request };
  set(key: 'apiKey', value: VerifiedApiKey): void;
}

/** A Hono middleware handler. */
export type HonoApiKeyMiddleware = (
  c: HonoContextLike,
  next: () => Promise<void>,
) => Promise<Response | undefined>;

/** Declare this as your app's `Variables` so `c.get('apiKey')` is typed. */
export interface ApiKeyVariables {
  apiKey: VerifiedApiKey;
}

/**
 * Hono middleware that authenticates every request with an API key. A valid request goes on with
 * the key in `c.get('apiKey')` (and `apiKeyOf(c)`); anything else is answered with the error
 * envelope and status.
 * Works wherever Hono runs (Node, Bun, Deno, workers) as long as the verifier's store does.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { apiKeyOf, type ApiKeyVariables, type ApiKeyVerifier, honoApiKeyAuth } from '@coffer/api-keys';
 *
 * export function app(verifier: ApiKeyVerifier) {
 *   const app = new Hono<{ Variables: ApiKeyVariables }>();
 *   app.use('/v1/*', honoApiKeyAuth(verifier));
 *   app.get('/v1/whoami', (c) => c.json({ organizationId: c.get('apiKey').organizationId }));
 *   app.get('/v1/key', (c) => c.json({ keyId: apiKeyOf(c).keyId })); // the same key
 *   return app;
 * }
 * ```
 */
export function honoApiKeyAuth(
  verifier: ApiKeyVerifier,
  options: VerifyApiKeyOptions = {},
): HonoApiKeyMiddleware {
  return async (c, next) => {
    let key: VerifiedApiKey;
    try {
      key = await authenticate(verifier, c.req.raw, options);
    } catch (error) {
      const response = apiKeyErrorResponse(error, requestIdOf(c.req.raw));
      return new Response(JSON.stringify(response.body), {
        status: response.status,
        headers: response.headers,
      });
    }
    c.set('apiKey', key);
    rememberApiKey(c, key);
    await next();
    return undefined;
  };
}
