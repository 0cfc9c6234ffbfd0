// `test` (the dashboard's "Test connection") against local stand-ins answering as OpenAI does:
// 200, 401, 403, 429 with Retry-After, a hang cut off by the timeout, a reset connection. Only a
// documented rejection marks the key invalid; a hang or a reset is `unreachable` and changes no
// status. The result, the list and the events carry no key.
import { createMemoryVaultStore } from '@coffer/vault';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { builtInProviders, createOpenAIProvider } from '../src/index.js';
import { type Harness, harness, T0 } from './_manager.js';
import { OPENAI_KEY } from './keys.js';
import { expectNoSecret } from './leaks.js';
import { hang, json, reset, type StandIn, startStandIn } from './stand-in.js';

let server: StandIn;
let h: Harness;

beforeAll(async () => {
  server = await startStandIn(json(200, { data: [] }));
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  const openai = createOpenAIProvider({ baseUrl: server.baseUrl });
  h = harness(createMemoryVaultStore(), {
    providerList: [openai, ...builtInProviders.filter((p) => p.id !== 'openai')],
    validation: { timeoutMs: 300 },
    platformKeys: () => undefined,
  });
  await h.keys.forOwner('org_acme').set('openai', OPENAI_KEY);
});

const acme = () => h.keys.forOwner('org_acme');

describe('test against a stand-in', () => {
  it('200: valid, recorded with its time, the key sent only in the Authorization header', async () => {
    server.answer(json(200, { data: [] }));
    h.clock.now = T0 + 7;
    const out = await acme().test('openai');
    expect(out.result).toEqual({ status: 'valid' });
    expect(out.recorded).toBe(true);
    expect(out.key.lastValidated).toEqual({ at: new Date(T0 + 7), status: 'valid', reason: null });
    const seen = server.requests.at(-1);
    expect(seen?.url).toBe('/v1/models');
    expect(seen?.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
    expectNoSecret(out, [OPENAI_KEY]);
  });

  it.each([
    [401, 'key_rejected'],
    [403, 'permission_denied'],
  ])(
    '%i: invalid with its reason, the key marked invalid, key_invalidated emitted',
    async (status, reason) => {
      server.answer(
        json(status, { error: { message: `Incorrect API key provided: ${OPENAI_KEY.slice(-6)}` } }),
      );
      const out = await acme().test('openai');
      expect(out.result).toMatchObject({ status: 'invalid', reason, httpStatus: status });
      expect(out.key).toMatchObject({ status: 'invalid', invalid: { reason } });
      expect(h.events).toEqual([
        expect.objectContaining({ type: 'key_invalidated', reason, trigger: 'test' }),
      ]);
      expectNoSecret([out, h.events], [OPENAI_KEY]);
      // A later successful test makes it active again.
      server.answer(json(200, { data: [] }));
      expect((await acme().test('openai')).key.status).toBe('active');
    },
  );

  it('429 with Retry-After: rate_limited with the wait, the status unchanged', async () => {
    server.answer(json(429, { error: { code: 'rate_limit_exceeded' } }, { 'retry-after': '12' }));
    const out = await acme().test('openai');
    expect(out.result).toMatchObject({ status: 'rate_limited', retryAfterMs: 12_000 });
    expect(out.key.status).toBe('active');
    expect(out.key.lastValidated?.status).toBe('rate_limited');
    expect(h.events).toEqual([]);
  });

  it('a hang is cut off by the timeout: unreachable (timeout), never invalid', async () => {
    server.answer(hang);
    const out = await acme().test('openai');
    expect(out.result).toEqual({ status: 'unreachable', reason: 'timeout' });
    expect(out.key.status).toBe('active');
    expect(out.key.lastValidated).toMatchObject({ status: 'unreachable', reason: 'timeout' });
  });

  it('a reset connection: unreachable (network_error), never invalid', async () => {
    server.answer(reset);
    const out = await acme().test('openai');
    expect(out.result).toEqual({ status: 'unreachable', reason: 'network_error' });
    expect(out.key.status).toBe('active');
  });

  it('a disabled key stays disabled whatever the test says', async () => {
    await acme().disable('openai');
    server.answer(json(401, {}));
    expect((await acme().test('openai')).key.status).toBe('disabled');
    server.answer(json(200, {}));
    expect((await acme().test('openai')).key.status).toBe('disabled');
  });

  it('the caller aborting stops the test and records nothing', async () => {
    server.answer(hang);
    const controller = new AbortController();
    const pending = acme().test('openai', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user left')), 20);
    await expect(pending).rejects.toThrow('user left');
    expect((await acme().list())[0]?.lastValidated).toBeNull();
  });

  it('a key replaced while its test ran: the result is returned, not recorded on the new key', async () => {
    let release: () => void = () => undefined;
    server.answer((_req, res) => {
      release = () => {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{}');
      };
    });
    const pending = acme().test('openai');
    await new Promise((r) => setTimeout(r, 30));
    await acme().set('openai', `sk-proj-${'N1'.repeat(30)}nEwK`);
    release();
    const out = await pending;
    expect(out.result.status).toBe('invalid');
    expect(out.recorded).toBe(false);
    expect(out.key).toMatchObject({ status: 'active', version: 2, lastValidated: null });
    expect(h.events).toEqual([]);
  });
});
