// A partner API on Express, protected by coffer API keys and rate-limited per (key, endpoint
// class) by the key's tier. Every refusal is the standard envelope
// `{ "error": { code, message, requestId, details } }` with its status; a rate limit is the
// partner contract's `429 RATE_LIMITED` envelope with `Retry-After` and the X-RateLimit-* headers.
import {
  type ApiKeyEnv,
  type ApiKeyManager,
  type ApiKeyVerifier,
  apiKeyErrorResponse,
  apiKeyOf,
  expressApiKeyAuth,
  requestIdOf,
} from '@coffer/api-keys';
import { InvalidInputError } from '@coffer/core';
import { createRateLimiter, expressRateLimit, type RateLimiter } from '@coffer/rate-limit';
import express from 'express';
import { requireKeyEnvironment } from './key-environment.ts';

/**
 * The partner-facing API: `/v1/*` needs a key of this deployment's environment (`live` by default;
 * run a sandbox with `{ env: 'test' }`); some routes need a scope; every route is rate-limited by
 * `limiter` (default: the documented policy, in this process's memory — give every instance one
 * on `createRedisRateLimitStore` of `@coffer/redis` so the limit holds across them).
 */
export function createPartnerApi(
  verifier: ApiKeyVerifier,
  options: { env?: ApiKeyEnv; limiter?: RateLimiter } = {},
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Each route states its class; a route without one gets the default by method (GET is
  // read-light, other methods write-light), so a forgotten route is still limited.
  const limits = expressRateLimit(options.limiter ?? createRateLimiter(), { apiKey: apiKeyOf });
  app.use('/v1', expressApiKeyAuth(verifier), requireKeyEnvironment(options.env ?? 'live'));

  app.get('/v1/whoami', limits.as('read-light'), (req, res) => {
    const key = apiKeyOf(req);
    res.json({
      organizationId: key.organizationId,
      keyId: key.keyId,
      env: key.env,
      scopes: key.scopes,
    });
  });

  app.get(
    '/v1/events',
    expressApiKeyAuth(verifier, { requiredScopes: ['events:read'] }),
    limits.as('read-light'),
    (req, res) => {
      res.json({ organizationId: apiKeyOf(req).organizationId, events: [] });
    },
  );

  // Starting a generation is long-running work: its own, small bucket, which a burst of it cannot
  // take from the key's reads or writes.
  app.post('/v1/projects/:projectId/generate', limits.as('long-running'), (req, res) => {
    res.status(202).json({ projectId: req.params.projectId, status: 'queued' });
  });

  // Anything thrown later still answers in the same envelope, without internals.
  app.use(
    (error: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
      const { status, headers, body } = apiKeyErrorResponse(error, requestIdOf(req));
      res.status(status).set(headers).json(body);
    },
  );
  return app;
}

/**
 * Who is calling the admin API. In production your staff authentication decides (a session, an
 * SSO header your proxy sets and strips from outside requests); this example reads
 * `X-Admin-Actor`, which only stands in for it.
 */
function actorOf(req: express.Request): string | undefined {
  return req.get('x-admin-actor') ?? undefined;
}

/** The audit options of a change: who, why (`X-Admin-Reason`, optional) and the request id. */
function changeOptions(req: express.Request) {
  const actor = actorOf(req);
  const reason = req.get('x-admin-reason');
  return {
    ...(actor === undefined ? {} : { actor }),
    ...(reason === undefined ? {} : { reason }),
    requestId: requestIdOf(req),
  };
}

function jsonObject(req: express.Request): Record<string, unknown> {
  const sent: unknown = req.body;
  if (typeof sent !== 'object' || sent === null || Array.isArray(sent)) {
    throw new InvalidInputError('Send a JSON object body (Content-Type: application/json).');
  }
  return sent as Record<string, unknown>;
}

/**
 * The admin side, on a separate app (in production: a separate port or service, behind your own
 * staff authentication — never reachable with a partner key). Every route is under
 * `/admin/orgs/:org` and goes through `manager.forOrganization(org)`: a key id of another
 * organization is a 404 exactly like a key that does not exist, decided by the store query, so a
 * handler cannot forget the check. Create the manager with `requireActor: true`: every change
 * records who made it (a request without `X-Admin-Actor` is 400).
 */
export function createAdminApi(manager: ApiKeyManager): express.Express {
  const app = express();
  app.use(express.json());
  const org = (req: express.Request<{ org: string }>) => manager.forOrganization(req.params.org);

  app.post('/admin/orgs/:org/keys', async (req, res) => {
    const body = jsonObject(req) as {
      name?: string;
      env?: 'live' | 'test';
      scopes?: string[];
      tier?: string;
      metadata?: Record<string, never>;
    };
    const minted = await org(req).mint(
      {
        env: body.env ?? 'test',
        name: body.name ?? 'unnamed',
        scopes: body.scopes ?? [],
        // standard, pilot or partner (an unknown tier is 400 INVALID_INPUT)
        ...(body.tier === undefined ? {} : { tier: body.tier }),
        // e.g. { "webhookSecret": "<vault id>" }; over 4 KiB is 400 INVALID_INPUT
        ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
      },
      changeOptions(req),
    );
    // The only response that ever contains the key.
    res.status(201).json({ key: minted.key.expose(), keyId: minted.keyId, start: minted.start });
  });
  app.get('/admin/orgs/:org/keys', async (req, res) => {
    const after = typeof req.query.after === 'string' ? req.query.after : undefined;
    res.json(await org(req).list(after === undefined ? {} : { after }));
  });
  app.get('/admin/orgs/:org/keys/:keyId', async (req, res) => {
    res.json(await org(req).get(req.params.keyId));
  });
  // Change the name, scopes, tier or metadata; `If-Match: <revision>` refuses (409) a change made
  // on top of a state the caller did not see.
  app.patch('/admin/orgs/:org/keys/:keyId', async (req, res) => {
    const body = jsonObject(req);
    const ifMatch = req.get('if-match');
    res.json(
      await org(req).update(req.params.keyId, body, {
        ...changeOptions(req),
        ...(ifMatch === undefined ? {} : { expectedRevision: Number(ifMatch) }),
      }),
    );
  });
  app.post('/admin/orgs/:org/keys/:keyId/kill', async (req, res) => {
    res.json(await org(req).kill(req.params.keyId, changeOptions(req)));
  });
  app.post('/admin/orgs/:org/keys/:keyId/unkill', async (req, res) => {
    res.json(await org(req).unkill(req.params.keyId, changeOptions(req)));
  });
  app.delete('/admin/orgs/:org/keys/:keyId', async (req, res) => {
    res.json(await org(req).revoke(req.params.keyId, changeOptions(req)));
  });
  // The organization's audit trail, newest first (`?keyId=` for one key, `?after=` for the next page).
  app.get('/admin/orgs/:org/audit', async (req, res) => {
    const { keyId, after } = req.query;
    res.json(
      await org(req).audit({
        ...(typeof keyId === 'string' ? { keyId } : {}),
        ...(typeof after === 'string' ? { after } : {}),
      }),
    );
  });
  app.use(
    (error: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
      const { status, headers, body } = apiKeyErrorResponse(
        isBodyParserError(error)
          ? new InvalidInputError('The request body must be a JSON object; fix the body and retry.')
          : error,
        requestIdOf(req),
      );
      res.status(status).set(headers).json(body);
    },
  );
  return app;
}

/** express.json()'s own 4xx errors (malformed JSON, too large, wrong charset): the caller's fault. */
function isBodyParserError(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  const type = (error as { type?: unknown } | null)?.type;
  return typeof status === 'number' && status >= 400 && status < 500 && typeof type === 'string';
}
