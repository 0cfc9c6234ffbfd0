// The change feed, independent of transport: the message format (known answers, a round-trip
// property, a hostile-input table) and the follower on a real verifier (a revoke made without
// telling the verifier applies when the message arrives; reconnects invalidate everything; garbage
// and floods are counted, coalesced and never thrown).
import { InvalidInputError } from '@coffer/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ApiKeyChangeHandlers,
  type ApiKeyChangeSource,
  type ApiKeyInvalidation,
  createApiKeyManager,
  encodeApiKeyChangeMessage,
  followApiKeyChanges,
  KillSwitchError,
  MAX_API_KEY_CHANGE_MESSAGE_LENGTH,
  parseApiKeyChangeMessage,
  RevokedKeyError,
} from '../src/index.js';
import { harness } from './helpers.js';

const KEY = '0123456789ABCDEF';

/** A source driven by the test: `feed` is the follower's handlers while subscribed. */
function manualSource(): ApiKeyChangeSource & {
  feed: ApiKeyChangeHandlers | undefined;
  unsubscribed: number;
} {
  const source = {
    feed: undefined as ApiKeyChangeHandlers | undefined,
    unsubscribed: 0,
    subscribe(handlers: ApiKeyChangeHandlers) {
      source.feed = handlers;
      return async () => {
        source.feed = undefined;
        source.unsubscribed += 1;
      };
    },
  };
  return source;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('feed messages', () => {
  it('known answers', () => {
    expect(parseApiKeyChangeMessage(`{"v":1,"type":"revoked","keyId":"${KEY}"}`)).toEqual({
      type: 'revoked',
      keyId: KEY,
    });
    expect(
      parseApiKeyChangeMessage(
        `{"v":1,"type":"key-update","keyId":"${KEY}","organizationId":"org_1","revision":7,"later":{"x":1}}`,
      ),
    ).toEqual({ type: 'key-update', keyId: KEY, organizationId: 'org_1', revision: 7 });
    expect(parseApiKeyChangeMessage('{"v":1,"type":"global-switch"}')).toEqual({
      type: 'global-switch',
    });
    expect(
      encodeApiKeyChangeMessage({
        type: 'killed',
        keyId: KEY,
        organizationId: 'org_1',
        revision: 2,
      }),
    ).toBe(`{"v":1,"type":"killed","keyId":"${KEY}","organizationId":"org_1","revision":2}`);
    // A manager change carries exactly these fields; other fields of an object are left out.
    const change = { type: 'revoked', keyId: KEY, actor: 'someone' } as const;
    expect(encodeApiKeyChangeMessage(change)).toBe(`{"v":1,"type":"revoked","keyId":"${KEY}"}`);
  });

  it('encode then parse gives back the change (property)', () => {
    const keyId = fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{16}$/);
    const change = fc.record(
      {
        type: fc.stringMatching(/^[a-z][a-z0-9-]{0,63}$/),
        keyId,
        organizationId: fc.string({ minLength: 1, maxLength: 200, unit: 'binary' }),
        revision: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      },
      { requiredKeys: ['type'] },
    );
    fc.assert(
      fc.property(change, (c) => {
        expect(parseApiKeyChangeMessage(encodeApiKeyChangeMessage(c))).toEqual(c);
      }),
    );
  });

  it('anything else does not parse, and never throws (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.anything()), (input) => {
        const parsed = parseApiKeyChangeMessage(input);
        if (parsed !== null) expect(typeof parsed.type).toBe('string');
      }),
    );
  });

  const hostile: Array<[string, unknown]> = [
    ['not a string', { v: 1, type: 'revoked' }],
    ['empty', ''],
    ['not JSON', 'revoked'],
    ['truncated', `{"v":1,"type":"revoked","keyId":"${KEY}"`],
    ['JSON null', 'null'],
    ['an array', '[1]'],
    ['a number', '1'],
    ['no version', '{"type":"revoked"}'],
    ['version 2', '{"v":2,"type":"revoked"}'],
    ['version as text', '{"v":"1","type":"revoked"}'],
    ['no type', `{"v":1,"keyId":"${KEY}"}`],
    ['empty type', '{"v":1,"type":""}'],
    ['upper-case type', '{"v":1,"type":"REVOKED"}'],
    ['type too long', `{"v":1,"type":"${'a'.repeat(65)}"}`],
    ['unicode type', '{"v":1,"type":"révoqué"}'],
    ['key id lower-case', `{"v":1,"type":"revoked","keyId":"${KEY.toLowerCase()}"}`],
    ['key id too short', '{"v":1,"type":"revoked","keyId":"0123"}'],
    ['key id with I', '{"v":1,"type":"revoked","keyId":"0123456789ABCDEI"}'],
    ['key id a number', '{"v":1,"type":"revoked","keyId":1}'],
    ['key id null', '{"v":1,"type":"revoked","keyId":null}'],
    ['organization empty', '{"v":1,"type":"x","organizationId":""}'],
    ['organization too long', `{"v":1,"type":"x","organizationId":"${'o'.repeat(201)}"}`],
    ['organization an object', '{"v":1,"type":"x","organizationId":{}}'],
    ['revision 0', '{"v":1,"type":"x","revision":0}'],
    ['revision fractional', '{"v":1,"type":"x","revision":1.5}'],
    ['revision huge', '{"v":1,"type":"x","revision":1e300}'],
    ['revision as text', '{"v":1,"type":"x","revision":"3"}'],
    ['too long', `{"v":1,"type":"x","pad":"${'p'.repeat(MAX_API_KEY_CHANGE_MESSAGE_LENGTH)}"}`],
    ['__proto__ only', '{"__proto__":{"v":1,"type":"x"}}'],
  ];
  for (const [name, input] of hostile) {
    it(`ignores ${name}`, () => {
      expect(parseApiKeyChangeMessage(input)).toBeNull();
    });
  }

  it('refuses to encode what a reader would ignore', () => {
    for (const bad of [
      { type: '' },
      { type: 'Revoked' },
      { type: 'revoked', keyId: 'short' },
      { type: 'revoked', organizationId: '' },
      { type: 'revoked', revision: 0 },
    ]) {
      expect(() => encodeApiKeyChangeMessage(bad)).toThrow(InvalidInputError);
    }
  });
});

describe('followApiKeyChanges', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });

  function follow(target: Parameters<typeof followApiKeyChanges>[0]) {
    const source = manualSource();
    const follower = followApiKeyChanges(target, source);
    stops.push(() => follower.stop());
    const feed = (): ApiKeyChangeHandlers => {
      if (source.feed === undefined) throw new Error('not subscribed');
      return source.feed;
    };
    return { source, follower, feed };
  }

  function recorder() {
    const calls: Array<ApiKeyInvalidation | 'all'> = [];
    return {
      calls,
      target: { invalidate: (t?: ApiKeyInvalidation) => calls.push(t ?? 'all') },
    };
  }

  it('a revoke made elsewhere applies when its message arrives, not a stateTtlMs later', async () => {
    const h = harness({ stateTtlMs: 3_600_000 });
    // Another instance's manager: nobody tells this verifier.
    const elsewhere = createApiKeyManager({ store: h.store, hasher: h.hasher, clock: h.clock });
    const minted = await h.manager.mint({ organizationId: 'org_1', env: 'live', name: 'n' });
    const key = minted.key.expose();
    const { feed } = follow(h.verifier);
    feed().connected();
    await h.verifier.verify(key);

    await elsewhere.revoke(minted.keyId);
    await h.verifier.verify(key); // still cached: the hour-long state TTL
    feed().message(
      encodeApiKeyChangeMessage({ type: 'revoked', keyId: minted.keyId, organizationId: 'org_1' }),
    );
    await turn();
    await expect(h.verifier.verify(key)).rejects.toBeInstanceOf(RevokedKeyError);
  });

  it('an organization message re-reads its kill switch; a message naming nothing re-reads all', async () => {
    const h = harness({ stateTtlMs: 3_600_000 });
    const elsewhere = createApiKeyManager({ store: h.store, hasher: h.hasher, clock: h.clock });
    const minted = await h.manager.mint({ organizationId: 'org_1', env: 'live', name: 'n' });
    const key = minted.key.expose();
    const { feed } = follow(h.verifier);
    feed().connected();
    await h.verifier.verify(key);

    await elsewhere.setOrganizationKillSwitch('org_1', true);
    feed().message('{"v":1,"type":"organization-killed","organizationId":"org_1"}');
    await turn();
    await expect(h.verifier.verify(key)).rejects.toMatchObject({
      code: 'KILL_SWITCH',
      details: { scope: 'organization' },
    });
    await elsewhere.setOrganizationKillSwitch('org_1', false);
    await elsewhere.setGlobalKillSwitch(true);
    feed().message('{"v":1,"type":"global-killed"}');
    await turn();
    await expect(h.verifier.verify(key)).rejects.toBeInstanceOf(KillSwitchError);
  });

  it('connecting, losing the connection and reconnecting each invalidate everything', async () => {
    const { calls, target } = recorder();
    const { feed, follower } = follow(target);
    expect(follower.stats().connected).toBe(false);
    feed().connected();
    expect(calls).toEqual(['all']);
    feed().disconnected(new Error('connection reset'));
    expect(calls).toEqual(['all', 'all']);
    // A source says it again at every failed reconnect: polling serves meanwhile, nothing more.
    feed().disconnected(new Error('refused'));
    feed().disconnected();
    expect(calls).toEqual(['all', 'all']);
    expect(follower.stats()).toMatchObject({ connected: false, connects: 1, disconnects: 1 });
    feed().connected();
    expect(calls).toEqual(['all', 'all', 'all']);
    expect(follower.stats()).toMatchObject({ connected: true, connects: 2, disconnects: 1 });
  });

  it('the connection error goes to onError; a throwing target or sink stops nothing', async () => {
    const errors: unknown[] = [];
    const source = manualSource();
    let throws = true;
    const follower = followApiKeyChanges(
      {
        invalidate: () => {
          if (throws) throw new Error('target failed');
        },
      },
      source,
      {
        onError: (e) => {
          errors.push(e);
          throw new Error('sink failed too');
        },
      },
    );
    stops.push(() => follower.stop());
    source.feed?.connected();
    source.feed?.disconnected(new Error('reset'));
    throws = false;
    source.feed?.message(`{"v":1,"type":"revoked","keyId":"${KEY}"}`);
    await turn();
    expect(errors.map((e) => (e as Error).message)).toEqual([
      'target failed',
      'reset',
      'target failed',
    ]);
    expect(follower.stats().applied).toBe(1);
  });

  it('garbage is ignored and counted, never thrown; good messages still apply', async () => {
    const { calls, target } = recorder();
    const { feed, follower } = follow(target);
    feed().connected();
    calls.length = 0;
    for (const text of ['', 'x', '{}', '{"v":2,"type":"x"}', 'null', '\u0000', '{"v":1']) {
      expect(() => feed().message(text)).not.toThrow();
    }
    feed().message(`{"v":1,"type":"revoked","keyId":"${KEY}"}`);
    await turn();
    expect(calls).toEqual([{ keyId: KEY }]);
    expect(follower.stats()).toMatchObject({ received: 8, applied: 1, ignored: 7 });
  });

  it('messages of one turn are applied once each; a flood becomes one invalidation of everything', async () => {
    const { calls, target } = recorder();
    const { feed, follower } = follow(target);
    feed().connected();
    calls.length = 0;
    for (let i = 0; i < 3; i++) feed().message(`{"v":1,"type":"killed","keyId":"${KEY}"}`);
    feed().message('{"v":1,"type":"organization-killed","organizationId":"org_1"}');
    await turn();
    expect(calls).toEqual([{ keyId: KEY }, { organizationId: 'org_1' }]);

    // Up to 32 distinct targets in one turn are invalidated one by one; a 33rd makes it everything.
    calls.length = 0;
    for (let i = 0; i < 32; i++) feed().message(`{"v":1,"type":"x","organizationId":"o${i}"}`);
    await turn();
    expect(calls).toHaveLength(32);
    calls.length = 0;
    for (let i = 0; i < 33; i++) feed().message(`{"v":1,"type":"x","organizationId":"o${i}"}`);
    await turn();
    expect(calls).toEqual(['all']);

    calls.length = 0;
    for (let i = 0; i < 100_000; i++) {
      feed().message(`{"v":1,"type":"organization-killed","organizationId":"org_${i}"}`);
    }
    await turn();
    expect(calls).toEqual(['all']);
    expect(follower.stats()).toMatchObject({ received: 100_069, applied: 100_069, ignored: 0 });
  });

  it('stop() unsubscribes once; nothing applies after it', async () => {
    const { calls, target } = recorder();
    const { source, feed, follower } = follow(target);
    const handlers = feed();
    handlers.connected();
    await follower.stop();
    await follower.stop();
    expect(source.unsubscribed).toBe(1);
    handlers.message(`{"v":1,"type":"revoked","keyId":"${KEY}"}`);
    handlers.connected();
    await turn();
    expect(calls).toEqual(['all']);
    expect(follower.stats().connected).toBe(false);
  });

  it('refuses what is not a target or a source', () => {
    const source = manualSource();
    expect(() => followApiKeyChanges({} as never, source)).toThrow(InvalidInputError);
    expect(() => followApiKeyChanges(null as never, source)).toThrow(InvalidInputError);
    expect(() => followApiKeyChanges({ invalidate() {} }, {} as never)).toThrow(InvalidInputError);
  });
});
