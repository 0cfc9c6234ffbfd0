// The provider-keys manager on the memory store, through its public API: set / enable / disable /
// delete / restore / list, resolve with fallback and its caches, reportFailure, last-used writes,
// owners kept apart, and no key text in anything it returns, throws or emits.
import { isCofferError, redact } from '@coffer/core';
import { createMemoryVaultStore } from '@coffer/vault';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ProviderKeyRef, platformKeysFromSecrets } from '../src/index.js';
import { type Harness, harness, T0 } from './_manager.js';
import { ANTHROPIC_KEY, OPENAI_KEY, OPENAI_LEGACY_KEY } from './keys.js';
import { expectNoSecret } from './leaks.js';

const PLATFORM_OPENAI = `sk-proj-${'P0'.repeat(30)}plat`;
const NEW_OPENAI = `sk-proj-${'N1'.repeat(30)}nEwK`;
const SECRETS = [OPENAI_KEY, OPENAI_LEGACY_KEY, ANTHROPIC_KEY, PLATFORM_OPENAI, NEW_OPENAI];

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    expectNoSecret(error, SECRETS);
    return isCofferError(error) ? error.code : `not a CofferError: ${String(error)}`;
  }
  return 'resolved';
}

let h: Harness;
beforeEach(() => {
  h = harness(createMemoryVaultStore(), {
    platformKeys: (p) => (p === 'openai' ? PLATFORM_OPENAI : undefined),
  });
});

describe('set, list, enable, disable', () => {
  it('stores one entry per owner and provider; a second set is a new version of the same id', async () => {
    const acme = h.keys.forOwner('org_acme');
    const first = await acme.set('openai', OPENAI_KEY);
    expect(first).toMatchObject({
      provider: 'openai',
      displayName: 'OpenAI',
      status: 'active',
      version: 1,
    });
    expect(first.displayPrefix).toBe('sk-proj-…Zq9w');
    const second = await acme.set('openai', NEW_OPENAI);
    expect(second.id).toBe(first.id);
    expect(second.version).toBe(2);
    expect(second.displayPrefix).toBe('sk-proj-…nEwK');
    const rows = await acme.list();
    expect(rows).toHaveLength(1);
    expectNoSecret(rows, SECRETS);
    const value = await h.reader
      .forOwner('org_acme')
      .revealByName('provider-key:openai', { actor: 't', purpose: 't' });
    expect(value.value.expose()).toBe(NEW_OPENAI);
  });

  it('keeps only the key sealed: provider, status and prefix are clear text in the store', async () => {
    await h.keys.forOwner('org_acme').set('openai', OPENAI_KEY);
    const e = await h.vault.forOwner('org_acme').findByName('provider-key:openai');
    expect(e?.kind).toBe('provider-key');
    expect(e?.status).toBe('active');
    expect(e?.metadata).toMatchObject({
      provider: 'openai',
      prefix: 'sk-proj-…Zq9w',
      keyVersion: 1,
      statusVersion: 1,
    });
    expectNoSecret(e, SECRETS);
  });

  it('refuses a key of the wrong format with INVALID_INPUT, no key text, nothing stored', async () => {
    const acme = h.keys.forOwner('org_acme');
    for (const bad of [ANTHROPIC_KEY, `${OPENAI_KEY}\n`, '', `sk-admin-${'a'.repeat(40)}`]) {
      expect(await codeOf(acme.set('openai', bad))).toBe('INVALID_INPUT');
    }
    expect(await acme.list()).toEqual([]);
    expect(h.audit).toEqual([]);
  });

  it('an unknown provider is UNKNOWN_PROVIDER everywhere', async () => {
    const acme = h.keys.forOwner('org_acme');
    for (const p of [
      acme.set('cohere', OPENAI_KEY),
      acme.enable('cohere'),
      acme.disable('__proto__'),
      acme.test('constructor'),
      acme.delete('cohere'),
      acme.restore('cohere'),
      h.keys.resolve('org_acme', 'cohere'),
    ]) {
      expect(await codeOf(p)).toBe('UNKNOWN_PROVIDER');
    }
  });

  it('disable keeps the key and stops its use; enable brings it back', async () => {
    const acme = h.keys.forOwner('org_acme');
    await acme.set('openai', OPENAI_KEY);
    expect((await acme.resolve('openai')).source).toBe('customer');
    const disabled = await acme.disable('openai');
    expect(disabled.status).toBe('disabled');
    const r = await acme.resolve('openai');
    expect(r).toMatchObject({ source: 'platform', fallbackReason: 'disabled' });
    expect(r.key.expose()).toBe(PLATFORM_OPENAI);
    expect((await acme.enable('openai')).status).toBe('active');
    expect((await acme.resolve('openai')).key.expose()).toBe(OPENAI_KEY);
  });

  it('enable, disable, test and delete of a missing key are PROVIDER_KEY_NOT_FOUND', async () => {
    const acme = h.keys.forOwner('org_acme');
    for (const p of [
      acme.enable('openai'),
      acme.disable('openai'),
      acme.test('openai'),
      acme.delete('openai'),
      acme.restore('openai'),
    ]) {
      expect(await codeOf(p)).toBe('PROVIDER_KEY_NOT_FOUND');
    }
  });
});

describe('delete and restore', () => {
  it('soft-deletes (restorable for 90 days), restores, and purge destroys after retention', async () => {
    const acme = h.keys.forOwner('org_acme');
    const { id } = await acme.set('openai', OPENAI_KEY);
    const deleted = await acme.delete('openai');
    expect(deleted.deletedAt?.getTime()).toBe(T0);
    expect(deleted.restorableUntil?.getTime()).toBe(T0 + 90 * 86_400_000);
    expect(await acme.list()).toEqual([]);
    expect((await acme.list({ includeDeleted: true })).map((k) => k.id)).toEqual([id]);
    expect(await acme.resolve('openai')).toMatchObject({ fallbackReason: 'no_key' });
    const restored = await acme.restore('openai');
    expect(restored).toMatchObject({ id, status: 'active', deletedAt: null });
    expect((await acme.resolve('openai')).source).toBe('customer');

    await acme.delete('openai');
    h.clock.now = T0 + 90 * 86_400_000 + 1;
    expect((await h.vault.purgeExpired()).purged).toBe(1);
    expect(await codeOf(acme.restore('openai'))).toBe('PROVIDER_KEY_NOT_FOUND');
  });

  it('restore while another key was set meanwhile is PROVIDER_KEY_CONFLICT and changes nothing', async () => {
    const acme = h.keys.forOwner('org_acme');
    const old = await acme.set('openai', OPENAI_KEY);
    await acme.delete('openai');
    const fresh = await acme.set('openai', NEW_OPENAI);
    expect(fresh.id).not.toBe(old.id);
    expect(await codeOf(acme.restore('openai'))).toBe('PROVIDER_KEY_CONFLICT');
    expect((await acme.resolve('openai')).key.expose()).toBe(NEW_OPENAI);
  });

  it('an entry of another kind holding the name is PROVIDER_KEY_CONFLICT, never overwritten', async () => {
    await h.vault
      .forOwner('org_acme')
      .put({ kind: 'other', name: 'provider-key:openai', value: 'x' });
    expect(await codeOf(h.keys.forOwner('org_acme').set('openai', OPENAI_KEY))).toBe(
      'PROVIDER_KEY_CONFLICT',
    );
    expect(await codeOf(h.keys.resolve('org_acme', 'openai'))).toBe('PROVIDER_KEY_CONFLICT');
  });
});

describe('owners are kept apart', () => {
  it("another owner's key answers exactly like a missing one", async () => {
    await h.keys.forOwner('org_acme').set('openai', OPENAI_KEY);
    const other = h.keys.forOwner('org_other');
    const never = h.keys.forOwner('org_never');
    for (const op of ['enable', 'disable', 'delete', 'restore', 'test'] as const) {
      const a = await other[op]('openai').catch((e: Error) => e);
      const b = await never[op]('openai').catch((e: Error) => e);
      expect(a).toBeInstanceOf(Error);
      expect((a as Error).message).toBe((b as Error).message);
      expect(isCofferError(a) && a.code).toBe(isCofferError(b) && b.code);
    }
    expect(await other.list()).toEqual([]);
    const r = await h.keys.resolve('org_other', 'openai');
    expect(r).toMatchObject({ source: 'platform', fallbackReason: 'no_key' });
    expect((await h.keys.resolve('org_acme', 'openai')).key.expose()).toBe(OPENAI_KEY);
  });

  it('a ref of one owner never touches another owner', async () => {
    await h.keys.forOwner('org_a').set('openai', OPENAI_KEY);
    await h.keys.forOwner('org_b').set('openai', OPENAI_KEY);
    const ra = await h.keys.resolve('org_a', 'openai');
    await h.keys.reportFailure(ra.ref, { status: 401 });
    expect((await h.keys.forOwner('org_a').list())[0]?.status).toBe('invalid');
    expect((await h.keys.forOwner('org_b').list())[0]?.status).toBe('active');
  });
});

describe('resolve and reportFailure', () => {
  it('an auth failure marks the key invalid with reason and time, emits once, and resolve falls back', async () => {
    const acme = h.keys.forOwner('org_acme');
    await acme.set('openai', OPENAI_KEY);
    const used = await h.keys.resolve('org_acme', 'openai');
    expect(used.source).toBe('customer');
    h.clock.now = T0 + 1000;
    const out = await h.keys.reportFailure(used.ref, { status: 401, headers: {} });
    expect(out).toEqual({
      action: 'marked_invalid',
      classification: { kind: 'auth_failed', reason: 'key_rejected' },
    });
    // A second request that failed with the same key: already invalid, no second event.
    expect((await h.keys.reportFailure(used.ref, { status: 401 })).action).toBe('marked_invalid');
    expect(h.events).toEqual([
      expect.objectContaining({
        type: 'key_invalidated',
        owner: 'org_acme',
        provider: 'openai',
        reason: 'key_rejected',
        trigger: 'upstream',
        version: 1,
      }),
    ]);
    const [row] = await acme.list();
    expect(row?.status).toBe('invalid');
    expect(row?.invalid).toEqual({ reason: 'key_rejected', at: new Date(T0 + 1000) });
    expect(await h.keys.resolve('org_acme', 'openai')).toMatchObject({
      source: 'platform',
      fallbackReason: 'invalid',
    });
    expectNoSecret(h.events, SECRETS);
  });

  it('a burst of 401s for one key makes one write and one event', async () => {
    await h.keys.forOwner('org_acme').set('openai', OPENAI_KEY);
    const used = await h.keys.resolve('org_acme', 'openai');
    await h.keys.flush(); // the last-used write of that resolve
    const updatesBefore = h.audit.filter((e) => e.action === 'update').length;
    const all = await Promise.all(
      Array.from({ length: 50 }, () => h.keys.reportFailure(used.ref, { status: 401 })),
    );
    expect(new Set(all.map((r) => r.action))).toEqual(new Set(['marked_invalid']));
    expect(h.audit.filter((e) => e.action === 'update').length - updatesBefore).toBe(1);
    expect(h.events.filter((e) => e.type === 'key_invalidated')).toHaveLength(1);
  });

  it('a fetch Response works as the failure', async () => {
    await h.keys.forOwner('org_acme').set('openai', OPENAI_KEY);
    const used = await h.keys.resolve('org_acme', 'openai');
    const response = new Response(JSON.stringify({ error: { code: 'invalid_api_key' } }), {
      status: 401,
    });
    expect((await h.keys.reportFailure(used.ref, response)).action).toBe('marked_invalid');
  });

  it('re-enabling or setting a new key clears invalid', async () => {
    const acme = h.keys.forOwner('org_acme');
    await acme.set('openai', OPENAI_KEY);
    await h.keys.reportFailure((await acme.resolve('openai')).ref, {
      kind: 'auth_failed',
      reason: 'key_rejected',
    });
    expect((await acme.enable('openai')).invalid).toBeNull();
    expect((await acme.resolve('openai')).source).toBe('customer');
    await h.keys.reportFailure((await acme.resolve('openai')).ref, { status: 401 });
    const set = await acme.set('openai', NEW_OPENAI);
    expect(set).toMatchObject({ status: 'active', invalid: null, version: 2 });
    expect((await acme.resolve('openai')).key.expose()).toBe(NEW_OPENAI);
  });

  it('a failure reported for a key replaced since it was resolved never marks the new key', async () => {
    const acme = h.keys.forOwner('org_acme');
    await acme.set('openai', OPENAI_KEY);
    const old = await acme.resolve('openai');
    await acme.set('openai', NEW_OPENAI);
    expect((await h.keys.reportFailure(old.ref, { status: 401 })).action).toBe('superseded');
    expect((await acme.list())[0]?.status).toBe('active');
    expect(h.events).toEqual([]);
    // Also when the key was deleted and a new one (version 1 again, another id) set.
    await acme.delete('openai');
    await acme.set('openai', OPENAI_KEY);
    const stale = old.ref;
    expect((await h.keys.reportFailure(stale, { status: 401 })).action).toBe('superseded');
    expect((await acme.list())[0]?.status).toBe('active');
  });

  it('a rate limit falls back until Retry-After, then the customer key is used again, never invalid', async () => {
    const acme = h.keys.forOwner('org_acme');
    await acme.set('openai', OPENAI_KEY);
    const used = await h.keys.resolve('org_acme', 'openai');
    const out = await h.keys.reportFailure(used.ref, {
      status: 429,
      headers: { 'retry-after': '30' },
    });
    expect(out.action).toBe('rate_limited');
    expect(out.until?.getTime()).toBe(T0 + 30_000);
    expect(await h.keys.resolve('org_acme', 'openai')).toMatchObject({
      source: 'platform',
      fallbackReason: 'rate_limited',
    });
    h.clock.now = T0 + 29_999;
    expect((await h.keys.resolve('org_acme', 'openai')).source).toBe('platform');
    h.clock.now = T0 + 30_000;
    expect((await h.keys.resolve('org_acme', 'openai')).source).toBe('customer');
    expect((await acme.list())[0]?.status).toBe('active');
    expect(h.events.map((e) => e.type)).toEqual(['key_rate_limited']);
  });

  it('a rate limit without a wait falls back for rateLimitFallbackMs; a huge wait is capped at an hour', async () => {
    const acme = h.keys.forOwner('org_acme');
    await acme.set('openai', OPENAI_KEY);
    const { ref } = await acme.resolve('openai');
    expect((await h.keys.reportFailure(ref, { status: 429 })).until?.getTime()).toBe(T0 + 60_000);
    expect(
      (
        await h.keys.reportFailure(ref, { kind: 'rate_limited', retryAfterMs: 1e12 })
      ).until?.getTime(),
    ).toBe(T0 + 3_600_000);
  });

  it('a 5xx or other answer changes nothing', async () => {
    const acme = h.keys.forOwner('org_acme');
    await acme.set('openai', OPENAI_KEY);
    const { ref } = await acme.resolve('openai');
    for (const status of [500, 503, 400, 404]) {
      expect((await h.keys.reportFailure(ref, { status })).action).toBe('none');
    }
    expect((await acme.resolve('openai')).source).toBe('customer');
  });

  it('the platform key is never marked; its failures are events', async () => {
    const r = await h.keys.resolve('org_acme', 'openai');
    expect(r.source).toBe('platform');
    expect((await h.keys.reportFailure(r.ref, { status: 401 })).action).toBe('none');
    expect(h.events).toEqual([
      expect.objectContaining({
        type: 'platform_key_failed',
        kind: 'auth_failed',
        reason: 'key_rejected',
      }),
    ]);
  });

  it('no customer key and no platform key is PROVIDER_KEY_UNAVAILABLE with the reason', async () => {
    const e = await h.keys.resolve('org_acme', 'anthropic').catch((x: unknown) => x);
    expect(isCofferError(e, 'PROVIDER_KEY_UNAVAILABLE')).toBe(true);
    expect((e as { details: unknown }).details).toEqual({
      provider: 'anthropic',
      reason: 'no_key',
    });
  });

  it('refuses refs it did not make, and malformed failures', async () => {
    await h.keys.forOwner('org_acme').set('openai', OPENAI_KEY);
    const { ref } = await h.keys.resolve('org_acme', 'openai');
    const forged: ProviderKeyRef = { owner: 'org_acme', provider: 'openai', source: 'customer' };
    const foreign = (await h.another().resolve('org_acme', 'openai')).ref;
    for (const bad of [forged, { ...ref }, null, undefined, 'ref', 42]) {
      expect(await codeOf(h.keys.reportFailure(bad as ProviderKeyRef, { status: 401 }))).toBe(
        'INVALID_INPUT',
      );
    }
    expect(await codeOf(h.keys.reportFailure(foreign, { status: 401 }))).toBe('INVALID_INPUT');
    expect((await h.keys.forOwner('org_acme').list())[0]?.status).toBe('active');
    for (const failure of [
      null,
      'boom',
      { kind: 'auth_failed' },
      { kind: 'auth_failed', reason: 'The key sk-proj-… was rejected' },
      { kind: 'rate_limited', retryAfterMs: -1 },
      { kind: 'rate_limited', retryAfterMs: Number.NaN },
      { kind: 'maybe' },
      { status: 'x' },
      {},
      new Proxy(
        {},
        {
          get() {
            throw new Error(`trap ${OPENAI_KEY}`);
          },
        },
      ),
    ]) {
      expect(await codeOf(h.keys.reportFailure(ref, failure as never))).toBe('INVALID_INPUT');
    }
  });
});

describe('caches', () => {
  it('serves warm resolves from memory: one reveal per fill, refilled after the TTL', async () => {
    const acme = h.keys.forOwner('org_acme');
    await acme.set('openai', OPENAI_KEY);
    for (let i = 0; i < 5; i++) await h.keys.resolve('org_acme', 'openai');
    expect(h.audit.filter((e) => e.action === 'reveal')).toHaveLength(1);
    h.clock.now = T0 + 5_000;
    await h.keys.resolve('org_acme', 'openai');
    expect(h.audit.filter((e) => e.action === 'reveal')).toHaveLength(2);
  });

  it('coalesces concurrent cold resolves into one load', async () => {
    await h.keys.forOwner('org_acme').set('openai', OPENAI_KEY);
    const all = await Promise.all(
      Array.from({ length: 20 }, () => h.keys.resolve('org_acme', 'openai')),
    );
    expect(new Set(all.map((r) => r.ref)).size).toBe(1);
    expect(h.audit.filter((e) => e.action === 'reveal')).toHaveLength(1);
  });

  it('a negative answer is cached; a local set takes effect at once, another instance within the TTL', async () => {
    const second = h.another();
    expect((await h.keys.resolve('org_acme', 'openai')).source).toBe('platform');
    expect((await second.resolve('org_acme', 'openai')).source).toBe('platform');
    await h.keys.forOwner('org_acme').set('openai', OPENAI_KEY);
    expect((await h.keys.resolve('org_acme', 'openai')).source).toBe('customer');
    expect((await second.resolve('org_acme', 'openai')).source).toBe('platform');
    h.clock.now = T0 + 5_000;
    expect((await second.resolve('org_acme', 'openai')).source).toBe('customer');
  });

  it('a resolve that started before a local disable does not refill the cache with the old answer', async () => {
    const acme = h.keys.forOwner('org_acme');
    await acme.set('openai', OPENAI_KEY);
    const inFlight = h.keys.resolve('org_acme', 'openai');
    await acme.disable('openai');
    await inFlight;
    expect((await h.keys.resolve('org_acme', 'openai')).source).toBe('platform');
  });

  it('keeps at most maxCacheEntries answers', async () => {
    const small = h.another({ maxCacheEntries: 2 });
    const first = new Map<string, unknown>();
    for (const owner of ['a', 'b', 'c']) first.set(owner, await small.resolve(owner, 'openai'));
    // A cached answer is the same object; 'a' was evicted (the oldest), so it is answered anew.
    expect(await small.resolve('c', 'openai')).toBe(first.get('c'));
    expect(await small.resolve('b', 'openai')).toBe(first.get('b'));
    expect(await small.resolve('a', 'openai')).not.toBe(first.get('a'));
  });

  it('writes last-used at most once per interval, in the background', async () => {
    const acme = h.keys.forOwner('org_acme');
    await acme.set('openai', OPENAI_KEY);
    await h.keys.resolve('org_acme', 'openai');
    await h.keys.flush();
    expect((await acme.list())[0]?.lastUsedAt?.getTime()).toBe(T0);
    const updates = () => h.audit.filter((e) => e.action === 'update').length;
    const afterFirst = updates();
    for (let i = 1; i < 50; i++) {
      h.clock.now = T0 + i * 100; // within the TTL and the interval
      await h.keys.resolve('org_acme', 'openai');
    }
    await h.keys.flush();
    expect(updates()).toBe(afterFirst);
    h.clock.now = T0 + 60_000;
    await h.keys.resolve('org_acme', 'openai');
    await h.keys.flush();
    expect((await acme.list())[0]?.lastUsedAt?.getTime()).toBe(T0 + 60_000);
    expect(updates()).toBe(afterFirst + 1);
  });
});

describe('hooks and sources that misbehave', () => {
  it('an onEvent that throws or rejects does not fail or undo the marking', async () => {
    for (const onEvent of [
      () => {
        throw new Error(`boom ${OPENAI_KEY}`);
      },
      () => Promise.reject(new Error('later')),
    ]) {
      const x = harness(createMemoryVaultStore(), { onEvent, platformKeys: () => PLATFORM_OPENAI });
      await x.keys.forOwner('o').set('openai', OPENAI_KEY);
      const { ref } = await x.keys.resolve('o', 'openai');
      expect((await x.keys.reportFailure(ref, { status: 401 })).action).toBe('marked_invalid');
      expect((await x.keys.resolve('o', 'openai')).source).toBe('platform');
    }
  });

  it('a platform source that throws is PROVIDER_KEY_UNAVAILABLE now and asked again next time', async () => {
    let calls = 0;
    const x = harness(createMemoryVaultStore(), {
      platformKeys: () => {
        calls++;
        if (calls === 1) throw new Error('secret manager down');
        return redact(PLATFORM_OPENAI);
      },
    });
    expect(await codeOf(x.keys.resolve('o', 'openai'))).toBe('PROVIDER_KEY_UNAVAILABLE');
    expect((await x.keys.resolve('o', 'openai')).key.expose()).toBe(PLATFORM_OPENAI);
  });

  it('platformKeysFromSecrets reads the accessor each time the cache asks', async () => {
    let value = PLATFORM_OPENAI;
    const x = harness(createMemoryVaultStore(), {
      platformKeys: platformKeysFromSecrets({
        openai: { current: () => ({ value: redact(value) }) },
      }),
    });
    expect((await x.keys.resolve('o', 'openai')).key.expose()).toBe(PLATFORM_OPENAI);
    value = NEW_OPENAI;
    x.clock.now = T0 + 5_000;
    expect((await x.keys.resolve('o', 'openai')).key.expose()).toBe(NEW_OPENAI);
    expect(await codeOf(x.keys.resolve('o', 'anthropic'))).toBe('PROVIDER_KEY_UNAVAILABLE');
  });
});

describe('a set interrupted between its two statements', () => {
  it('counts the new key as active and shows the vault preview of it', async () => {
    const acme = h.keys.forOwner('org_acme');
    const first = await acme.set('openai', OPENAI_KEY);
    await h.keys.reportFailure((await acme.resolve('openai')).ref, { status: 401 });
    // What a crash after the rotation and before the status update leaves behind:
    await h.vault.forOwner('org_acme').rotate(first.id, NEW_OPENAI);
    const [row] = await acme.list();
    expect(row).toMatchObject({ status: 'active', invalid: null, version: 2 });
    expect(row?.displayPrefix).toBe(
      (await h.vault.forOwner('org_acme').describe(first.id)).preview,
    );
    h.clock.now = T0 + 5_000;
    expect((await h.keys.resolve('org_acme', 'openai')).key.expose()).toBe(NEW_OPENAI);
  });
});
