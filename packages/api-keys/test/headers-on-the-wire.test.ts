// Header handling as the bytes arrive: requests written by hand on a raw socket (net.connect), so
// a header can be sent twice exactly as an attacker or a misbehaving proxy would — Node's own
// client would merge or refuse them. Node's parser keeps only the first `Authorization` in
// `req.headers`; every adapter must still refuse a repeated one. And the partner contract: with
// both headers, `X-Api-Key` wins and `Authorization` is not read (unless the host asks for
// 'reject').
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiKeyVariables,
  type ApiKeyVerifier,
  apiKeyErrorResponse,
  apiKeyOf,
  authenticate,
  createApiKeyManager,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
  expressApiKeyAuth,
  fastifyApiKeyAuth,
  honoApiKeyAuth,
  requestIdOf,
} from '../src/index.js';

interface RawReply {
  status: number;
  body: { organizationId?: string; error?: { code: string; details: Record<string, unknown> } };
}

/** Writes `lines` as an HTTP/1.1 request on a fresh socket and reads the whole response. */
function raw(port: number, path: string, lines: readonly string[]): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', reject);
    socket.on('end', () => {
      const head = text.slice(0, text.indexOf('\r\n\r\n'));
      let body = text.slice(text.indexOf('\r\n\r\n') + 4);
      if (/\r\ntransfer-encoding: chunked/i.test(head)) {
        // One chunk is all these small JSON bodies take; strip the framing.
        body = body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n\r\n$/, '');
      }
      const status = Number(head.split(' ')[1]);
      try {
        resolve({ status, body: JSON.parse(body) as RawReply['body'] });
      } catch {
        reject(new Error(`HTTP ${status} with a body that is not JSON`));
      }
    });
    socket.write(
      [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...lines, 'Connection: close', '', ''].join(
        '\r\n',
      ),
    );
  });
}

const store = createMemoryApiKeyStore();
const hasher = createBcryptHasher({ cost: 4, threads: 1 });
const manager = createApiKeyManager({ store, hasher });
const verifier = createApiKeyVerifier({ store, hasher });
const strict = createApiKeyVerifier({ store, hasher, conflictingHeaders: 'reject' });
const closers: Array<() => Promise<void>> = [];
const ports = new Map<string, number>();

async function listening(server: Server): Promise<number> {
  if (!server.listening) await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function expressApp(v: ApiKeyVerifier): express.Express {
  const app = express();
  app.use(expressApiKeyAuth(v));
  app.get('/whoami', (req, res) => {
    res.json({ organizationId: apiKeyOf(req).organizationId });
  });
  return app;
}

function fastifyApp(v: ApiKeyVerifier) {
  const app = Fastify();
  app.addHook('onRequest', fastifyApiKeyAuth(v));
  app.get('/whoami', async (request) => ({ organizationId: apiKeyOf(request).organizationId }));
  return app;
}

/** A bare node:http server: `authenticate(verifier, req)` on the IncomingMessage as it comes. */
function nodeServer(v: ApiKeyVerifier): Server {
  return createServer((req, res) => {
    authenticate(v, req).then(
      (key) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ organizationId: key.organizationId }));
      },
      (error: unknown) => {
        const { status, headers, body } = apiKeyErrorResponse(error, requestIdOf(req));
        res.writeHead(status, headers);
        res.end(JSON.stringify(body));
      },
    );
  });
}

function honoApp(v: ApiKeyVerifier) {
  const app = new Hono<{ Variables: ApiKeyVariables }>();
  app.use('*', honoApiKeyAuth(v));
  app.get('/whoami', (c) => c.json({ organizationId: c.get('apiKey').organizationId }));
  // apiKeyOf(c) reads the same key: the context is the object the Hono middleware saw.
  app.get('/apikeyof', (c) => c.json({ organizationId: apiKeyOf(c).organizationId }));
  return app;
}

beforeAll(async () => {
  for (const [mode, v] of [
    ['default', verifier],
    ['strict', strict],
  ] as const) {
    const ex = expressApp(v).listen(0, '127.0.0.1');
    ports.set(`express/${mode}`, await listening(ex));
    closers.push(async () => void ex.close());

    const fa = fastifyApp(v);
    await fa.listen({ port: 0, host: '127.0.0.1' });
    ports.set(`fastify/${mode}`, (fa.server.address() as AddressInfo).port);
    closers.push(() => fa.close());

    const no = nodeServer(v).listen(0, '127.0.0.1');
    ports.set(`node:http/${mode}`, await listening(no));
    closers.push(async () => void no.close());

    const ho = serve({ fetch: honoApp(v).fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    ports.set(`hono/${mode}`, await listening(ho));
    closers.push(async () => void ho.close());
  }
});

afterAll(async () => {
  for (const close of closers) await close();
  await hasher.close();
});

describe.each(['express', 'fastify', 'node:http', 'hono'])('%s, raw bytes on a socket', (name) => {
  const port = (mode: 'default' | 'strict'): number => {
    const found = ports.get(`${name}/${mode}`);
    if (found === undefined) throw new Error(`${name} did not start`);
    return found;
  };
  const keys = async () => {
    const a = await manager.mint({ organizationId: `org_a_${name}`, env: 'live', name: 'a' });
    const b = await manager.mint({ organizationId: `org_b_${name}`, env: 'live', name: 'b' });
    return { a: a.key.expose(), b: b.key.expose() };
  };

  it('a repeated Authorization header is refused, whatever the copies say and however they are spelled', async () => {
    const { a, b } = await keys();
    for (const mode of ['default', 'strict'] as const) {
      for (const lines of [
        [`Authorization: Bearer ${a}`, `Authorization: Bearer ${b}`],
        [`Authorization: Bearer ${a}`, `authorization: Bearer ${a}`],
        [`authorization: Bearer ${a}`, `AUTHORIZATION: Basic dXNlcjpwYXNz`],
      ]) {
        const reply = await raw(port(mode), '/whoami', lines);
        expect(reply.status, `${mode} ${lines.join(' | ').slice(0, 40)}`).toBe(401);
        expect(reply.body.error?.code).toBe('UNAUTHENTICATED');
      }
      // Sent once, it works.
      const once = await raw(port(mode), '/whoami', [`Authorization: Bearer ${a}`]);
      expect(once.status).toBe(200);
      expect(once.body.organizationId).toBe(`org_a_${name}`);
    }
  });

  it('a repeated X-Api-Key header is refused in both modes', async () => {
    const { a, b } = await keys();
    for (const mode of ['default', 'strict'] as const) {
      for (const lines of [
        [`X-Api-Key: ${a}`, `X-Api-Key: ${b}`],
        [`X-Api-Key: ${a}`, `x-api-key: ${a}`],
        [`X-Api-Key: ${a}`, 'X-Api-Key: '],
      ]) {
        const reply = await raw(port(mode), '/whoami', lines);
        expect(reply.status, mode).toBe(401);
        expect(reply.body.error?.code).toBe('UNAUTHENTICATED');
      }
    }
  });

  it('both headers: X-Api-Key wins and Authorization is not read; strict mode refuses a disagreement', async () => {
    const { a, b } = await keys();
    const cases: Array<[string[], number | string]> = [
      // A gateway's own bearer token next to the partner's key.
      [[`X-Api-Key: ${a}`, 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln'], `org_a_${name}`],
      // Another valid key in Authorization: still the X-Api-Key's organization.
      [[`Authorization: Bearer ${b}`, `X-Api-Key: ${a}`], `org_a_${name}`],
      // Authorization repeated, but not read at all when X-Api-Key is there.
      [
        [`X-Api-Key: ${a}`, `Authorization: Bearer ${b}`, 'Authorization: Bearer x'],
        `org_a_${name}`,
      ],
      // A key-less X-Api-Key does not fall back to Authorization.
      [['X-Api-Key: not-a-key', `Authorization: Bearer ${a}`], 401],
    ];
    for (const [lines, expected] of cases) {
      const reply = await raw(port('default'), '/whoami', lines);
      if (typeof expected === 'number') {
        expect(reply.status).toBe(expected);
      } else {
        expect(reply.status, lines.join(' | ')).toBe(200);
        expect(reply.body.organizationId).toBe(expected);
      }
    }
    const refused = await raw(port('strict'), '/whoami', [
      `X-Api-Key: ${a}`,
      `Authorization: Bearer ${b}`,
    ]);
    expect(refused.status).toBe(401);
    expect(refused.body.error?.details).toEqual({ reason: 'conflicting_headers' });
    const same = await raw(port('strict'), '/whoami', [
      `X-Api-Key: ${a}`,
      `Authorization: Bearer ${a}`,
    ]);
    expect(same.status).toBe(200);
  });
});

describe('hono: apiKeyOf(c)', () => {
  it('returns the verified key for the context the middleware saw', async () => {
    const m = await manager.mint({ organizationId: 'org_hono_ctx', env: 'live', name: 'n' });
    const reply = await raw(ports.get('hono/default') ?? 0, '/apikeyof', [
      `X-Api-Key: ${m.key.expose()}`,
    ]);
    expect(reply.status).toBe(200);
    expect(reply.body.organizationId).toBe('org_hono_ctx');
  });
});
