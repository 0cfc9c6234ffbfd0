import { apiKeyErrorResponse, authenticate, rememberApiKey, requestIdOf } from './authenticate.js';
import type { NodeHeaders, RequestLike } from './request-headers.js';
import type { ApiKeyVerifier, VerifyApiKeyOptions } from './verifier.js';

/** The parts of a Fastify request the hook uses. */
export interface FastifyRequestLike {
  readonly headers: NodeHeaders;
  /** The Node request underneath: its `rawHeaders` show a repeated `Authorization`. */
  readonly raw?: { readonly rawHeaders?: readonly string[] };
}

/** The parts of a Fastify reply the hook uses. */
export interface FastifyReplyLike {
  code(statusCode: number): unknown;
  header(name: string, value: string): unknown;
  send(payload: unknown): unknown;
}

/** A Fastify `onRequest` (or `preHandler`) hook. */
export type FastifyApiKeyHook = (
  request: FastifyRequestLike,
  reply: FastifyReplyLike,
) => Promise<unknown>;

/**
 * A Fastify hook that authenticates every request with an API key: add it as `onRequest` (whole
 * app or one plugin scope). A valid request goes on (read the key with {@link apiKeyOf}); anything
 * else is answered with the error envelope and status. A header sent twice is refused (it reads
 * `request.raw.rawHeaders`, where Node keeps only the first `Authorization` in `headers`).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { apiKeyOf, type ApiKeyVerifier, fastifyApiKeyAuth } from '@coffer/api-keys';
 *
 * export function app(verifier: ApiKeyVerifier) {
 *   const app = Fastify();
 *   app.addHook('onRequest', fastifyApiKeyAuth(verifier));
 *   app.get('/v1/whoami', async (request) => ({ organizationId: apiKeyOf(request).organizationId }));
 *   return app;
 * }
 * ```
 */
export function fastifyApiKeyAuth(
  verifier: ApiKeyVerifier,
  options: VerifyApiKeyOptions = {},
): FastifyApiKeyHook {
  return async (request, reply) => {
    try {
      const rawHeaders = request.raw?.rawHeaders;
      const source: RequestLike =
        rawHeaders === undefined ? request : { headers: request.headers, rawHeaders };
      rememberApiKey(request, await authenticate(verifier, source, options));
      return undefined;
    } catch (error) {
      const response = apiKeyErrorResponse(error, requestIdOf(request));
      reply.code(response.status);
      for (const [name, value] of Object.entries(response.headers)) reply.header(name, value);
      reply.send(response.body);
      // Returning the reply tells Fastify the hook answered the request.
      return reply;
    }
  };
}
