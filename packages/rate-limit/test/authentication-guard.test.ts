// The guard in front of authentication, on a real verifier: refusals before any compare, per
// client address and per key_id, concurrent floods bounded by the burst, verified keys never
// charged, the trusted-proxy rule over real sockets (Express) and Hono's remembered address.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import {
  type ApiKeyHasher,
  type ApiKeyVariables,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
  expressApiKeyAuth,
  honoApiKeyAuth,
} from '@coffer/api-keys';
import { serve } from '@hono/node-server';
import express from 'express';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AuthenticationRefusal,
  createAuthenticationGuard,
  honoClientAddress,
} from '../src/index.js';

/** A well-formed key (valid checksum) for `keyId` with a random secret: a forgery. */
function forged(keyId = randomKeyId()): string {
  const start = `lp_live_${keyId}`;
  const random = randomBytes(28);
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc32(Buffer.concat([Buffer.from(`${start}_`, 'ascii'), random])));
  return `${start}_${Buffer.concat([random, sum]).toString('base64url')}`;
}

function randomKeyId(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return Array.from(randomBytes(16), (b) => alphabet[b % 32]).join('');
}

const hashers: ApiKeyHasher[] = [];
afterAll(async () => {
  await Promise.all(hashers.map((h) => h.close()));
});

function setup(guardOptions: Parameters<typeof createAuthenticationGuard>[0] = {}) {
  const base = createBcryptHasher({ cost: 4, threads: 0 });
  hashers.push(base);
  let compares = 0;
  const hasher: ApiKeyHasher = {
    hash: (k) => base.hash(k),
    dummyHash: () => base.dummyHash(),
    close: () => base.close(),
    verify: (k, h) => {
      compares += 1;
      return base.verify(k, h);
    },
  };
  const refusals: AuthenticationRefusal[] = [];
  const now = { ms: 0 };
  const guard = createAuthenticationGuard({
    clock: () => now.ms,
    onRefusal: (r) => refusals.push(r),
    ...guardOptions,
  });
  const store = createMemoryApiKeyStore();
  const verifier = createApiKeyVerifier({ store, hasher, guard, failedAttempts: false });
  const manager = createApiKeyManager({ store, hasher });
  return { verifier, manager, guard, refusals, now, compares: () => compares };
}

const from = (address: string, key: string) => ({
  socket: { remoteAddress: address },
  headers: { 'x-api-key': key },
});

describe('createAuthenticationGuard on a verifier', () => {
  it('refuses an address past its burst before any compare, and tells onRefusal', async () => {
    const s = setup({ perAddress: { rate: 1, per: 'minute', burst: 3 }, perKeyId: false });
    for (let i = 0; i < 3; i++) {
      await expect(s.verifier.authenticate(from('203.0.113.9', forged()))).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    }
    expect(s.compares()).toBe(3);
    const stackTraceLimit = Error.stackTraceLimit;
    const refused = await s.verifier.authenticate(from('203.0.113.9', forged())).catch((e) => e);
    expect(Error.stackTraceLimit).toBe(stackTraceLimit); // refusals skip the stack, and restore it
    expect(refused).toMatchObject({
      code: 'RATE_LIMITED',
      status: 429,
      retryable: true,
      details: { reason: 'address', retryAfterMs: 60_000 },
    });
    expect(s.compares()).toBe(3);
    expect(s.refusals).toEqual([
      {
        reason: 'address',
        address: '203.0.113.9',
        keyId: expect.any(String),
        retryAfterMs: 60_000,
      },
    ]);
    // Another address is not affected; the refused one gets one attempt per interval.
    await expect(s.verifier.authenticate(from('198.51.100.1', forged()))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    s.now.ms += 60_000;
    await expect(s.verifier.authenticate(from('203.0.113.9', forged()))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    await expect(s.verifier.authenticate(from('203.0.113.9', forged()))).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
  });

  it('a concurrent flood from one address runs at most burst compares', async () => {
    const s = setup({ perAddress: { rate: 1, per: 'hour', burst: 5 }, perKeyId: false });
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, () =>
        s.verifier.authenticate(from('203.0.113.9', forged())).then(
          () => 'ok',
          (e: { code: string }) => e.code,
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'UNAUTHENTICATED')).toHaveLength(5);
    expect(outcomes.filter((o) => o === 'RATE_LIMITED')).toHaveLength(55);
    expect(s.compares()).toBe(5);
  });

  it('verified keys give their attempt back; cached keys never reach the guard', async () => {
    const s = setup({ perAddress: { rate: 1, per: 'hour', burst: 2 }, perKeyId: false });
    // Ten different valid keys verified cold from one address: never charged.
    for (let i = 0; i < 10; i++) {
      const minted = await s.manager.mint({ organizationId: 'o', env: 'live', name: `k${i}` });
      expect((await s.verifier.authenticate(from('10.0.0.1', minted.key.expose()))).keyId).toBe(
        minted.keyId,
      );
    }
    const minted = await s.manager.mint({ organizationId: 'o', env: 'live', name: 'cached' });
    await s.verifier.authenticate(from('10.0.0.1', minted.key.expose()));
    // Exhaust the address with forgeries; the cached key still works from it.
    for (let i = 0; i < 3; i++) {
      await s.verifier.authenticate(from('10.0.0.1', forged())).catch(() => {});
    }
    await expect(s.verifier.authenticate(from('10.0.0.1', forged()))).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect((await s.verifier.authenticate(from('10.0.0.1', minted.key.expose()))).keyId).toBe(
      minted.keyId,
    );
  });

  it('per key_id: forgeries of one key_id from many addresses are refused, the owner is not', async () => {
    const s = setup({ perKeyId: { rate: 1, per: 'hour', burst: 4 }, perAddress: false });
    const minted = await s.manager.mint({ organizationId: 'o', env: 'live', name: 'target' });
    await s.verifier.authenticate(from('10.0.0.1', minted.key.expose()));
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      outcomes.push(
        await s.verifier.authenticate(from(`198.51.100.${i}`, forged(minted.keyId))).then(
          () => 'ok',
          (e: { code: string; details?: { reason?: string } }) =>
            `${e.code}${e.details?.reason ? `:${e.details.reason}` : ''}`,
        ),
      );
    }
    expect(outcomes.slice(0, 4)).toEqual(Array(4).fill('UNAUTHENTICATED'));
    expect(outcomes.slice(4)).toEqual(Array(6).fill('RATE_LIMITED:key_id'));
    expect((await s.verifier.authenticate(from('10.0.0.1', minted.key.expose()))).keyId).toBe(
      minted.keyId,
    );
  });

  it('a request whose address cannot be found shares one budget; a bare verify() has none', async () => {
    const s = setup({ perAddress: { rate: 1, per: 'hour', burst: 2 } });
    const fetchRequest = (key: string) =>
      new Request('http://localhost/v1/whoami', { headers: { 'x-api-key': key } });
    for (let i = 0; i < 2; i++) {
      await expect(s.verifier.authenticate(fetchRequest(forged()))).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    }
    await expect(s.verifier.authenticate(fetchRequest(forged()))).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect(s.refusals[0]?.address).toBe('unknown');
    // A throwing resolver counts the same way.
    const t = setup({
      perAddress: { rate: 1, per: 'hour', burst: 1 },
      clientAddress: () => {
        throw new Error('resolver bug');
      },
    });
    await t.verifier.authenticate(from('10.0.0.1', forged())).catch(() => {});
    await expect(t.verifier.authenticate(from('10.0.0.2', forged()))).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    // verify(key) without a request: no address, so no address budget.
    for (let i = 0; i < 4; i++) {
      await expect(s.verifier.verify(forged())).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  });

  it('refuses malformed rules at construction, naming the part', () => {
    for (const [options, part] of [
      [{ perAddress: { rate: -1, per: 'minute', burst: 1 } }, 'perAddress.rate'],
      [{ perKeyId: { rate: 1, per: 'week', burst: 1 } }, 'perKeyId.per'],
      [{ perAddress: { rate: 1, per: 'minute', burst: 0 } }, 'perAddress.burst'],
      [{ maxEntries: 0 }, 'maxEntries'],
      [{ clientAddress: 'x' }, 'clientAddress'],
      [{ trustProxy: { hops: -1 } }, 'trustProxy.hops'],
    ] as const) {
      expect(() => createAuthenticationGuard(options as never)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', details: { parameter: part } }),
      );
    }
  });
});

function call(port: number, headers: Record<string, string>, localAddress?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; text: string }>(
    (resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/v1/whoami',
          headers,
          ...(localAddress ? { localAddress } : {}),
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

describe('over real sockets', () => {
  it('Express: the socket peer by default; X-Forwarded-For only with trustProxy', async () => {
    for (const trusted of [false, true]) {
      const s = setup({
        perAddress: { rate: 1, per: 'hour', burst: 2 },
        perKeyId: false,
        ...(trusted ? { trustProxy: { proxies: ['127.0.0.1'] } } : {}),
      });
      const app = express();
      app.use('/v1', expressApiKeyAuth(s.verifier));
      app.get('/v1/whoami', (_req, res) => {
        res.json({});
      });
      const server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const port = (server.address() as AddressInfo).port;
      try {
        const statuses: number[] = [];
        // Each request claims another client address; only a trusted proxy may say so.
        for (let i = 0; i < 4; i++) {
          const r = await call(port, {
            'x-api-key': forged(),
            'x-forwarded-for': `198.51.100.${i}`,
          });
          statuses.push(r.status);
        }
        expect(statuses).toEqual(trusted ? [401, 401, 401, 401] : [401, 401, 429, 429]);
        if (!trusted) {
          const refused = await call(port, { 'x-api-key': forged() });
          expect(refused.headers['retry-after']).toBe('3600');
          expect(JSON.parse(refused.text).error).toMatchObject({
            code: 'RATE_LIMITED',
            details: { reason: 'address', retryAfterMs: 3_600_000 },
          });
        }
      } finally {
        await new Promise((r) => server.close(() => r(undefined)));
      }
    }
  });

  it('Hono on Node: honoClientAddress hands the socket address to the guard', async () => {
    const s = setup({ perAddress: { rate: 1, per: 'hour', burst: 1 }, perKeyId: false });
    const app = new Hono<{ Variables: ApiKeyVariables }>();
    app.use('/v1/*', honoClientAddress(), honoApiKeyAuth(s.verifier));
    app.get('/v1/whoami', (c) => c.json({}));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    if (!server.listening) await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    try {
      expect((await call(port, { 'x-api-key': forged() })).status).toBe(401);
      expect((await call(port, { 'x-api-key': forged() })).status).toBe(429);
      expect(s.refusals[0]?.address).toBe('127.0.0.1');
    } finally {
      await new Promise((r) => server.close(() => r(undefined)));
    }
  });
});
