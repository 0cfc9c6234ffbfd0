// apiKeyOf reads the key the middleware remembered for the object it saw (#15.7): Express's `req`,
// Fastify's `request`, Hono's context. Any other object is API_KEY_MISSING (500), and the message
// says what to pass, because the likeliest cause is a mounted middleware and the wrong object
// (Hono's `c.req`), not a missing one.
import { isCofferError } from '@coffer/core';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ApiKeyMissingError,
  type ApiKeyVariables,
  apiKeyOf,
  honoApiKeyAuth,
} from '../src/index.js';
import { harness } from './helpers.js';

const h = harness();
afterAll(() => h.hasher.close());

describe('apiKeyOf', () => {
  it('an object the middleware never saw is API_KEY_MISSING (500), and the message says what to pass', () => {
    let caught: unknown;
    try {
      apiKeyOf({ headers: { 'x-api-key': 'lp_live_…' } });
    } catch (error) {
      caught = error;
    }
    expect(isCofferError(caught, 'API_KEY_MISSING')).toBe(true);
    expect(caught).toBeInstanceOf(ApiKeyMissingError);
    expect(caught).toMatchObject({ status: 500 });
    expect(String((caught as Error).message)).toMatch(/mount/);
    expect(String((caught as Error).message)).toMatch(/c\.req/);
  });

  it('Hono: the context works, c.req is refused with API_KEY_MISSING though the middleware ran', async () => {
    const minted = await h.manager.mint({ organizationId: 'org_of', env: 'live', name: 'n' });
    const app = new Hono<{ Variables: ApiKeyVariables }>();
    const seen: unknown[] = [];
    app.onError((error, c) => {
      seen.push(error);
      return c.json({ code: isCofferError(error) ? error.code : 'other' }, 500);
    });
    app.use('/v1/*', honoApiKeyAuth(h.verifier));
    app.get('/v1/context', (c) => c.json({ keyId: apiKeyOf(c).keyId }));
    app.get('/v1/request', (c) => c.json({ keyId: apiKeyOf(c.req).keyId }));
    const headers = { 'x-api-key': minted.key.expose() };

    const good = await app.request('/v1/context', { headers });
    expect(await good.json()).toEqual({ keyId: minted.keyId });

    const wrong = await app.request('/v1/request', { headers });
    expect(wrong.status).toBe(500);
    expect(await wrong.json()).toEqual({ code: 'API_KEY_MISSING' });
    expect(seen).toHaveLength(1);
    // The key is nowhere in what the error carries.
    expect(JSON.stringify(seen[0])).not.toContain(minted.key.expose());
    expect(String(seen[0])).not.toContain(minted.key.expose());
  });
});
