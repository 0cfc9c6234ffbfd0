// Every @example in the package's TSDoc, run as written (imports from the package root; the
// results their comments promise are asserted).
import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import {
  API_KEY_METADATA_MAX_BYTES,
  API_KEY_SCAN_PATTERN_SOURCE,
  type ApiKeyChangeHandlers,
  type ApiKeyChangePublisher,
  type ApiKeyChangeSource,
  ApiKeyConflictError,
  type ApiKeyHasher,
  type ApiKeyInvalidation,
  ApiKeyMissingError,
  ApiKeyNotFoundError,
  ApiKeyRevokedError,
  type ApiKeyStore,
  type ApiKeyVariables,
  type ApiKeyVerifier,
  apiKeyErrorResponse,
  apiKeyOf,
  apiKeyScanPattern,
  authenticate,
  BCRYPT_MAX_INPUT_BYTES,
  type ConflictingHeadersPolicy,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
  DEFAULT_API_KEY_PREFIX,
  encodeApiKeyChangeMessage,
  expressApiKeyAuth,
  ForbiddenScopeError,
  fastifyApiKeyAuth,
  followApiKeyChanges,
  HasherError,
  honoApiKeyAuth,
  isWellFormedApiKey,
  KillSwitchError,
  MAX_API_KEY_CHANGE_MESSAGE_LENGTH,
  newRequestId,
  type OrganizationApiKeyManager,
  parseApiKey,
  parseApiKeyChangeMessage,
  RateLimitedError,
  RevokedKeyError,
  readApiKey,
  requestIdOf,
  requireScopes,
  StaleKeyStateError,
  UNATTRIBUTED_ACTOR,
  UnauthenticatedError,
  type VerifiedApiKey,
  VerifierBusyError,
} from '../src/index.js';
import type {
  ApiKeyStoreFactory,
  ApiKeyStoreFixture,
  ConformanceRunner,
} from '../src/testing/index.js';

const hashers: ApiKeyHasher[] = [];
afterAll(async () => {
  await Promise.all(hashers.map((h) => h.close()));
});
const cheapHasher = (): ApiKeyHasher => {
  const hasher = createBcryptHasher({ cost: 4, threads: 1 });
  hashers.push(hasher);
  return hasher;
};

describe('TSDoc examples: the key format', () => {
  it('parseApiKey, isWellFormedApiKey, DEFAULT_API_KEY_PREFIX', () => {
    expect(parseApiKey('lp_live_...', { prefix: DEFAULT_API_KEY_PREFIX })).toBeNull();
    expect(parseApiKey('lp_live_not-a-key')).toBeNull();
    expect(isWellFormedApiKey(`lp_live_0000000000000000_${'A'.repeat(43)}`)).toBe(false);
  });

  it('apiKeyScanPattern and API_KEY_SCAN_PATTERN_SOURCE', () => {
    const text = 'deploy log: LAYERS_API_KEY=lp_live_... (redacted)';
    const leaks = [...text.matchAll(apiKeyScanPattern())]
      .map((m) => m[0])
      .filter((k) => isWellFormedApiKey(k));
    expect(leaks.length).toBe(0);
    expect(new RegExp(API_KEY_SCAN_PATTERN_SOURCE, 'g').flags).toBe('g');
  });

  it('BCRYPT_MAX_INPUT_BYTES', () => {
    expect(
      new TextEncoder().encode(`lp_live_${'A'.repeat(16)}_${'A'.repeat(43)}`).length <=
        BCRYPT_MAX_INPUT_BYTES,
    ).toBe(true);
  });
});

describe('TSDoc examples: errors', () => {
  it('every error class', () => {
    const err = new UnauthenticatedError(
      'The API key is not valid. Send a valid key in X-Api-Key.',
    );
    expect(err.status).toBe(401);
    expect(new RevokedKeyError('01HX9Y6K7EJ4T2AB').details).toEqual({ keyId: '01HX9Y6K7EJ4T2AB' });
    expect(new KillSwitchError('global').details).toEqual({ scope: 'global' });
    expect(new ForbiddenScopeError(['projects:write']).details).toEqual({
      missing: ['projects:write'],
    });
    expect(new RateLimitedError(1200).details).toEqual({ retryAfterMs: 1200 });
    expect(new VerifierBusyError().retryable).toBe(true);
    expect(new ApiKeyMissingError().status).toBe(500);
    expect(new StaleKeyStateError('01HX9Y6K7EJ4T2AB').retryable).toBe(true);
    expect(new HasherError('closed').code).toBe('HASHER_CLOSED');
    expect(new HasherError('worker-stopped').retryable).toBe(true);
    expect(new HasherError('failed').message).toBe('bcrypt failed on its input.');
    expect(new ApiKeyNotFoundError('01HX9Y6K7EJ4T2AB').code).toBe('NOT_FOUND');
    expect(new ApiKeyRevokedError('01HX9Y6K7EJ4T2AB').status).toBe(409);
    expect(new ApiKeyConflictError('01HX9Y6K7EJ4T2AB').retryable).toBe(true);
  });

  it('apiKeyErrorResponse, newRequestId, requestIdOf', () => {
    const res = apiKeyErrorResponse(new KillSwitchError('organization'), 'req_1');
    expect(res.status).toBe(503);
    expect(res.body.error.details).toEqual({ scope: 'organization' });
    expect(newRequestId().startsWith('req_')).toBe(true);
    expect(requestIdOf({ headers: { 'x-request-id': 'req_abc' } })).toBe('req_abc');
  });
});

describe('TSDoc examples: hashing, minting, verifying', () => {
  it('createBcryptHasher', async () => {
    const hasher = createBcryptHasher({ cost: 4, threads: 1 }); // cost 4: tests only
    const hash = await hasher.hash('lp_test_0000000000000000_example');
    expect(await hasher.verify('lp_test_0000000000000000_example', hash)).toBe(true);
    await hasher.close();
  });

  it('createApiKeyManager', async () => {
    const hasher = createBcryptHasher({ cost: 4 }); // tests only; the default is 12
    const store = createMemoryApiKeyStore();
    const manager = createApiKeyManager({ store, hasher });
    const minted = await manager.mint({
      organizationId: 'org_1',
      env: 'live',
      name: 'acme',
      scopes: ['events:read'],
    });
    expect(minted.start).toMatch(/^lp_live_[0-9A-HJKMNP-TV-Z]{16}$/);
    expect(String(minted.key)).toBe('[REDACTED]');
    const verifier = createApiKeyVerifier({ store, hasher, stateTtlMs: 0 });
    await manager.kill(minted.keyId, { actor: 'ops@example.com', reason: 'INC-42' });
    await expect(verifier.verify(minted.key.expose())).rejects.toMatchObject({
      code: 'KILL_SWITCH',
      status: 503,
    });
    await manager.revoke(minted.keyId, { actor: 'ops@example.com' });
    await expect(verifier.verify(minted.key.expose())).rejects.toMatchObject({
      code: 'REVOKED',
      status: 401,
    });
    expect((await manager.audit({ keyId: minted.keyId })).entries.map((e) => e.type)).toEqual([
      'revoked',
      'killed',
      'minted',
    ]);
    await hasher.close();
  });

  it('API_KEY_METADATA_MAX_BYTES and UNATTRIBUTED_ACTOR', () => {
    expect(API_KEY_METADATA_MAX_BYTES).toBe(4096);
    expect(UNATTRIBUTED_ACTOR).toBe('unattributed');
  });

  it('OrganizationApiKeyManager', async () => {
    const hasher = createBcryptHasher({ cost: 4 }); // tests only
    const manager = createApiKeyManager({
      store: createMemoryApiKeyStore(),
      hasher,
      requireActor: true,
    });
    const acme: OrganizationApiKeyManager = manager.forOrganization('org_acme');
    const globex = manager.forOrganization('org_globex');
    const minted = await acme.mint({ env: 'live', name: 'billing sync' }, { actor: 'user:7' });
    expect(
      await globex.kill(minted.keyId, { actor: 'user:9' }).catch((e: { code: string }) => e.code),
    ).toBe('NOT_FOUND');
    expect((await acme.get(minted.keyId)).status).toBe('active');
    await hasher.close();
  });

  it('createMemoryApiKeyStore and ApiKeyStore', async () => {
    const keys = createApiKeyManager({ store: createMemoryApiKeyStore(), hasher: cheapHasher() });
    const minted = await keys.mint({ organizationId: 'org_1', env: 'test', name: 'ci' });
    expect(minted.keyId.length).toBe(16);
    const store: ApiKeyStore = createMemoryApiKeyStore();
    expect(await store.getKey('0000000000000000')).toBeNull();
  });

  it('createApiKeyVerifier', async () => {
    const store = createMemoryApiKeyStore();
    const hasher = createBcryptHasher({ cost: 4 }); // tests only; keep the default 12 in production
    const verifier = createApiKeyVerifier({ store, hasher });
    const manager = createApiKeyManager({ store, hasher, onChange: (c) => verifier.invalidate(c) });
    const minted = await manager.mint({
      organizationId: 'org_1',
      env: 'live',
      name: 'partner',
      scopes: ['events:read'],
    });
    const key = await verifier.verify(minted.key.expose(), { requiredScopes: ['events:read'] });
    expect(key.organizationId).toBe('org_1');
    await hasher.close();
  });

  it('readApiKey, authenticate and requireScopes', async () => {
    expect(readApiKey(new Headers({ authorization: 'Bearer lp_test_x' }))).toBe('lp_test_x');
    expect(readApiKey({ 'x-api-key': 'lp_test_x' })).toBe('lp_test_x');
    expect(readApiKey({ 'x-api-key': 'lp_test_x', authorization: 'Bearer gateway-token' })).toBe(
      'lp_test_x',
    );
    expect(readApiKey({})).toBeNull();
    const strict: ConflictingHeadersPolicy = 'reject';
    expect(
      readApiKey(
        { 'x-api-key': 'lp_test_x', authorization: 'Bearer lp_test_x' },
        { conflictingHeaders: strict },
      ),
    ).toBe('lp_test_x');

    const store = createMemoryApiKeyStore();
    const hasher = cheapHasher();
    const verifier = createApiKeyVerifier({ store, hasher });
    const minted = await createApiKeyManager({ store, hasher }).mint({
      organizationId: 'org_2',
      env: 'live',
      name: 'n',
      scopes: ['events:read'],
    });
    async function handle(v: ApiKeyVerifier, request: Request): Promise<string> {
      const key = await authenticate(v, request, { requiredScopes: ['events:read'] });
      return key.organizationId;
    }
    const request = new Request('http://localhost/', {
      headers: { 'x-api-key': minted.key.expose() },
    });
    expect(await handle(verifier, request)).toBe('org_2');

    function cancelJob(key: VerifiedApiKey): void {
      requireScopes(key, ['jobs:cancel']);
    }
    expect(() => cancelJob(apiKeyOfRequest)).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN_SCOPE', status: 403 }),
    );
  });
});

const apiKeyOfRequest: VerifiedApiKey = {
  keyId: '01HX9Y6K7EJ4T2AB',
  organizationId: 'o',
  env: 'live',
  name: 'n',
  scopes: ['events:read'],
  tier: 'standard',
  start: 'lp_live_01HX9Y6K7EJ4T2AB',
  expiresAt: null,
};

describe('TSDoc examples: the framework adapters answer on their example routes', () => {
  const store = createMemoryApiKeyStore();
  const hasher = cheapHasher();
  const verifier = createApiKeyVerifier({ store, hasher });
  const mint = () =>
    createApiKeyManager({ store, hasher }).mint({
      organizationId: 'org_f',
      env: 'live',
      name: 'n',
    });

  it('expressApiKeyAuth with apiKeyOf', async () => {
    function whoami(req: express.Request, res: express.Response): void {
      res.json({ organizationId: apiKeyOf(req).organizationId });
    }
    const app = express();
    app.use('/v1', expressApiKeyAuth(verifier));
    app.get('/v1/whoami', whoami);
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const key = (await mint()).key.expose();
      const ok = await fetch(`http://127.0.0.1:${port}/v1/whoami`, {
        headers: { 'x-api-key': key },
      });
      expect(await ok.json()).toEqual({ organizationId: 'org_f' });
      expect((await fetch(`http://127.0.0.1:${port}/v1/whoami`)).status).toBe(401);
    } finally {
      server.close();
    }
  });

  it('fastifyApiKeyAuth', async () => {
    const app = Fastify();
    app.addHook('onRequest', fastifyApiKeyAuth(verifier));
    app.get('/v1/whoami', async (request) => ({
      organizationId: apiKeyOf(request).organizationId,
    }));
    const key = (await mint()).key.expose();
    const ok = await app.inject({ url: '/v1/whoami', headers: { 'x-api-key': key } });
    expect(ok.json()).toEqual({ organizationId: 'org_f' });
    expect((await app.inject({ url: '/v1/whoami' })).statusCode).toBe(401);
    await app.close();
  });

  it('honoApiKeyAuth', async () => {
    const app = new Hono<{ Variables: ApiKeyVariables }>();
    app.use('/v1/*', honoApiKeyAuth(verifier));
    app.get('/v1/whoami', (c) => c.json({ organizationId: c.get('apiKey').organizationId }));
    app.get('/v1/key', (c) => c.json({ keyId: apiKeyOf(c).keyId })); // the same key
    const minted = await mint();
    const key = minted.key.expose();
    const ok = await app.request('/v1/whoami', { headers: { 'x-api-key': key } });
    expect(await ok.json()).toEqual({ organizationId: 'org_f' });
    const same = await app.request('/v1/key', { headers: { 'x-api-key': key } });
    expect(await same.json()).toEqual({ keyId: minted.keyId });
    expect((await app.request('/v1/whoami')).status).toBe(401);
  });
});

describe('TSDoc examples: the change feed', () => {
  it('parseApiKeyChangeMessage, encodeApiKeyChangeMessage, MAX_API_KEY_CHANGE_MESSAGE_LENGTH', () => {
    expect(parseApiKeyChangeMessage('{"v":1,"type":"revoked","keyId":"0123456789ABCDEF"}')).toEqual(
      {
        type: 'revoked',
        keyId: '0123456789ABCDEF',
      },
    );
    expect(parseApiKeyChangeMessage('{"v":1,"type":"revoked","keyId":"nope"}')).toBeNull();
    expect(parseApiKeyChangeMessage('not json')).toBeNull();
    expect(
      encodeApiKeyChangeMessage({ type: 'organization-killed', organizationId: 'org_1' }),
    ).toBe('{"v":1,"type":"organization-killed","organizationId":"org_1"}');
    expect(parseApiKeyChangeMessage(' '.repeat(MAX_API_KEY_CHANGE_MESSAGE_LENGTH + 1))).toBeNull();
  });

  it('ApiKeyChangeSource and ApiKeyChangePublisher', async () => {
    const bus = new EventEmitter();
    const source: ApiKeyChangeSource = {
      subscribe(handlers) {
        const onMessage = (text: string) => handlers.message(text);
        bus.on('message', onMessage);
        handlers.connected();
        return async () => {
          bus.off('message', onMessage);
        };
      },
    };
    const received: string[] = [];
    const stop = source.subscribe({
      message: (t) => received.push(t),
      connected: () => undefined,
      disconnected: () => undefined,
    });
    bus.emit('message', 'hello');
    await stop();
    bus.emit('message', 'after');
    expect(received).toEqual(['hello']);

    const sent: string[] = [];
    const publisher: ApiKeyChangePublisher = {
      publish: async (change) => {
        sent.push(change.type);
      },
    };
    await publisher.publish({ type: 'revoked', keyId: '0123456789ABCDEF' });
    expect(sent).toEqual(['revoked']);
  });

  it('followApiKeyChanges', async () => {
    let feed: ApiKeyChangeHandlers | undefined;
    const source: ApiKeyChangeSource = {
      subscribe(handlers) {
        feed = handlers;
        handlers.connected();
        return async () => {
          feed = undefined;
        };
      },
    };
    const invalidated: Array<ApiKeyInvalidation | undefined> = [];
    const follower = followApiKeyChanges({ invalidate: (t) => invalidated.push(t) }, source);
    feed?.message('{"v":1,"type":"revoked","keyId":"0123456789ABCDEF","organizationId":"org_1"}');
    feed?.message('garbage');
    await Promise.resolve();
    expect(invalidated).toEqual([undefined, { keyId: '0123456789ABCDEF' }]);
    expect(follower.stats().ignored).toBe(1);
    await follower.stop();
    expect(feed).toBeUndefined();
  });
});

describe('TSDoc examples: @coffer/api-keys/testing types', () => {
  it('ConformanceRunner, ApiKeyStoreFixture, ApiKeyStoreFactory', async () => {
    const runner: ConformanceRunner = { describe: () => undefined, it: () => undefined };
    const fixture: ApiKeyStoreFixture = { store: createMemoryApiKeyStore() };
    const createStore: ApiKeyStoreFactory = async () => ({ store: createMemoryApiKeyStore() });
    expect(typeof runner.it).toBe('function');
    expect(await fixture.store.getKey('0000000000000000')).toBeNull();
    expect((await createStore()).store).toBeDefined();
  });
});

describe('VerifiedApiKey is immutable, even its date', () => {
  it('a handler cannot change what the next request of the same cached key sees', async () => {
    const store = createMemoryApiKeyStore();
    const hasher = cheapHasher();
    const verifier = createApiKeyVerifier({ store, hasher });
    const expires = new Date(Date.now() + 86_400_000);
    const minted = await createApiKeyManager({ store, hasher }).mint({
      organizationId: 'o',
      env: 'live',
      name: 'n',
      expiresAt: expires,
    });
    const first = await verifier.verify(minted.key.expose());
    first.expiresAt?.setTime(0);
    const second = await verifier.verify(minted.key.expose());
    expect(second).toBe(first); // the same cached object...
    expect(second.expiresAt?.getTime()).toBe(expires.getTime()); // ...yet unchanged
    expect(JSON.parse(JSON.stringify(second)).expiresAt).toBe(expires.toISOString());
  });
});

describe('TSDoc examples: tiers and the authentication guard', () => {
  it('DEFAULT_API_KEY_TIER, DEFAULT_API_KEY_TIERS and minted.info.tier', async () => {
    const { DEFAULT_API_KEY_TIER, DEFAULT_API_KEY_TIERS } = await import('../src/index.js');
    expect(DEFAULT_API_KEY_TIER).toBe('standard');
    expect(DEFAULT_API_KEY_TIERS.includes('pilot')).toBe(true);
    const manager = createApiKeyManager({
      store: createMemoryApiKeyStore(),
      hasher: cheapHasher(),
    });
    const minted = await manager.mint({ organizationId: 'org_1', env: 'live', name: 'acme' });
    expect(minted.info.tier).toBe('standard');
    const partner = await manager.mint({
      organizationId: 'org_1',
      env: 'live',
      name: 'acme',
      tier: 'partner',
    });
    expect(partner.info.tier).toBe('partner');
  });

  it('AuthenticationGuard (the toy guard refuses after three failed compares)', async () => {
    const failures = new Map<string, number>();
    const guard: import('../src/index.js').AuthenticationGuard = {
      check(attempt) {
        if ((failures.get(attempt.keyId) ?? 0) >= 3) throw new Error('refused');
      },
      record(attempt, outcome) {
        if (outcome === 'failed')
          failures.set(attempt.keyId, (failures.get(attempt.keyId) ?? 0) + 1);
      },
    };
    const store = createMemoryApiKeyStore();
    const hasher = cheapHasher();
    const manager = createApiKeyManager({ store, hasher });
    const verifier = createApiKeyVerifier({ store, hasher, guard, failedAttempts: false });
    const minted = await manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const key = minted.key.expose();
    const { wrongSecretFor } = await import('./helpers.js');
    const wrong = wrongSecretFor(key);
    for (let i = 0; i < 3; i++) await expect(verifier.verify(wrong)).rejects.toBeDefined();
    await expect(verifier.verify(key)).rejects.toThrow('refused');
  });
});
