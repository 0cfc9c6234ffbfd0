// The manager's audit trail, update and metadata through the public API on the memory store:
// who is recorded (and when the manager insists on knowing), what onChange carries, update's
// check-and-set, hostile cursors, and that neither entries nor errors carry secret material.
import { toBase64Url, utf8Encode } from '@coffer/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  API_KEY_METADATA_MAX_BYTES,
  type ApiKeyChange,
  type ApiKeyStore,
  createApiKeyManager,
  createBcryptHasher,
  createMemoryApiKeyStore,
  UNATTRIBUTED_ACTOR,
} from '../src/index.js';

const hasher = createBcryptHasher({ cost: 4, threads: 0 });
afterAll(() => hasher.close());

function setup(options: { requireActor?: boolean; store?: ApiKeyStore } = {}) {
  const store = options.store ?? createMemoryApiKeyStore();
  const heard: ApiKeyChange[] = [];
  let now = 1_750_000_000_000;
  const manager = createApiKeyManager({
    store,
    hasher,
    clock: () => now,
    onChange: (c) => heard.push(c),
    ...(options.requireActor === undefined ? {} : { requireActor: options.requireActor }),
  });
  return { store, manager, heard, tick: (ms = 1) => (now += ms) };
}

describe('who and why', () => {
  it('a change without an actor is recorded as unattributed; with requireActor it is refused before any write', async () => {
    const { manager } = setup();
    const m = await manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const [entry] = (await manager.audit({ keyId: m.keyId })).entries;
    expect(entry).toMatchObject({ type: 'minted', actor: UNATTRIBUTED_ACTOR, reason: null });

    const strict = setup({ requireActor: true });
    await expect(
      strict.manager.mint({ organizationId: 'o', env: 'live', name: 'n' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { parameter: 'actor' } });
    expect((strict.store as ReturnType<typeof createMemoryApiKeyStore>).size).toBe(0);
    const ok = await strict.manager.mint(
      { organizationId: 'o', env: 'live', name: 'n' },
      { actor: 'a' },
    );
    for (const call of [
      () => strict.manager.kill(ok.keyId),
      () => strict.manager.revoke(ok.keyId, {}),
      () => strict.manager.update(ok.keyId, { name: 'x' }),
      () => strict.manager.setGlobalKillSwitch(true),
      () => strict.manager.forOrganization('o').setKillSwitch(true),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    expect((await strict.manager.get(ok.keyId)).revision).toBe(1);
    expect(await strict.manager.isKillSwitchOn()).toBe(false);
    expect((await strict.manager.audit()).entries).toHaveLength(1);
  });

  it('onChange carries the stored entry: id, time, actor, reason, request id', async () => {
    const { manager, heard, tick } = setup();
    const m = await manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    tick();
    await manager.kill(m.keyId, { actor: 'ops', reason: 'INC-1', requestId: 'req_9' });
    const [entry] = (await manager.audit({ keyId: m.keyId, limit: 1 })).entries;
    expect(heard.at(-1)).toEqual({
      type: 'killed',
      keyId: m.keyId,
      organizationId: 'o',
      auditId: entry?.id,
      at: entry?.at,
      actor: 'ops',
      reason: 'INC-1',
      requestId: 'req_9',
    });
    await manager.setGlobalKillSwitch(true, { actor: 'ops' });
    expect(heard.at(-1)).not.toHaveProperty('keyId');
    expect(heard.at(-1)).not.toHaveProperty('organizationId');
  });

  it('a change that fails in the store is neither recorded nor announced', async () => {
    const inner = createMemoryApiKeyStore();
    let fail = false;
    const store: ApiKeyStore = {
      ...inner,
      getKey: (k, o) => inner.getKey(k, o),
      listKeys: (q) => inner.listKeys(q),
      getKillSwitch: (t) => inner.getKillSwitch(t),
      touchKey: (k, at) => inner.touchKey(k, at),
      listAudit: (q) => inner.listAudit(q),
      insertKey: (r, o) => inner.insertKey(r, o),
      updateKey: async (k, rev, c, o) => {
        if (fail) throw new Error('database is down');
        return inner.updateKey(k, rev, c, o);
      },
      setKillSwitch: async (t, killed, at, o) => {
        if (fail) throw new Error('database is down');
        return inner.setKillSwitch(t, killed, at, o);
      },
    };
    const { manager, heard } = setup({ store });
    const m = await manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    fail = true;
    await expect(manager.kill(m.keyId, { actor: 'a' })).rejects.toThrow('database is down');
    await expect(manager.setGlobalKillSwitch(true, { actor: 'a' })).rejects.toThrow();
    expect(heard.map((c) => c.type)).toEqual(['minted']);
    expect((await manager.audit()).entries.map((e) => e.type)).toEqual(['minted']);
  });

  it('idempotent no-ops (kill of a killed key, revoke of a revoked one) record nothing', async () => {
    const { manager } = setup();
    const m = await manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    await manager.kill(m.keyId);
    await manager.kill(m.keyId);
    await manager.revoke(m.keyId);
    await manager.revoke(m.keyId);
    expect((await manager.audit({ keyId: m.keyId })).entries.map((e) => e.type)).toEqual([
      'revoked',
      'killed',
      'minted',
    ]);
  });

  it('entries and announcements never hold the key, its secret or its hash', async () => {
    const { manager, heard, store } = setup();
    const m = await manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const r = await manager.rotate(m.keyId, { gracePeriodMs: 1000, actor: 'a' });
    const text = JSON.stringify([heard, (await manager.audit()).entries]);
    for (const secret of [m.key.expose(), r.key.expose(), m.secretHash, r.secretHash]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(-20));
    }
    expect((await store.getKey(m.keyId))?.secretHash).toBe(r.secretHash);
  });

  it('audit ids are unique and sort in the order made, also within one millisecond', async () => {
    const { manager } = setup();
    const m = await manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    for (let i = 0; i < 50; i++) await manager.update(m.keyId, { name: `n${i}` });
    const entries = (await manager.audit({ keyId: m.keyId, limit: 100 })).entries;
    expect(entries).toHaveLength(51);
    const ids = entries.map((e) => e.id);
    expect(new Set(ids).size).toBe(51);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(ids.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id))).toBe(true);
  });
});

describe('update', () => {
  it('changes only what is given, bumps the revision, and honours expectedRevision', async () => {
    const { manager } = setup();
    const m = await manager.mint({
      organizationId: 'o',
      env: 'live',
      name: 'n',
      scopes: ['a:b'],
      metadata: { vaultId: 'v1' },
    });
    expect(m.info.metadata).toEqual({ vaultId: 'v1' });
    expect(m.info.revision).toBe(1);
    const later = new Date(Date.now() + 86_400_000);
    const info = await manager.update(m.keyId, {
      scopes: ['c:d', 'c:d'],
      tier: 'partner',
      expiresAt: later,
    });
    expect(info).toMatchObject({
      name: 'n',
      scopes: ['c:d'],
      tier: 'partner',
      expiresAt: later,
      metadata: { vaultId: 'v1' },
      revision: 2,
    });
    await expect(
      manager.update(m.keyId, { name: 'stale' }, { expectedRevision: 1 }),
    ).rejects.toMatchObject({ code: 'API_KEY_CONFLICT' });
    expect((await manager.get(m.keyId)).name).toBe('n');
    const cleared = await manager.update(m.keyId, { expiresAt: null }, { expectedRevision: 2 });
    expect(cleared.expiresAt).toBeNull();
    expect((await manager.audit({ keyId: m.keyId })).entries.map((e) => e.type)).toEqual([
      'updated',
      'updated',
      'minted',
    ]);
  });

  it('refuses an empty or malformed change, a revoked key, and a bad expectedRevision', async () => {
    const { manager } = setup();
    const m = await manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const bad: Array<[unknown, string]> = [
      [{}, 'changes'],
      [null, 'changes'],
      ['name', 'changes'],
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(201) }, 'name'],
      [{ scopes: ['bad scope'] }, 'scopes'],
      [{ scopes: 'a:b' }, 'scopes'],
      [{ tier: 'gold' }, 'tier'],
      [{ expiresAt: new Date(Number.NaN) }, 'expiresAt'],
      [{ expiresAt: 123 }, 'expiresAt'],
      [{ metadata: [] }, 'metadata'],
    ];
    for (const [changes, parameter] of bad) {
      await expect(manager.update(m.keyId, changes as never)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        details: { parameter },
      });
    }
    for (const expectedRevision of [0, -1, 1.5, Number.NaN, '1']) {
      await expect(
        manager.update(m.keyId, { name: 'x' }, { expectedRevision: expectedRevision as number }),
      ).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        details: { parameter: 'expectedRevision' },
      });
    }
    await expect(manager.update('not-a-key-id', { name: 'x' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await manager.revoke(m.keyId);
    await expect(manager.update(m.keyId, { name: 'x' })).rejects.toMatchObject({
      code: 'KEY_REVOKED',
    });
    expect((await manager.audit({ keyId: m.keyId })).entries.map((e) => e.type)).toEqual([
      'revoked',
      'minted',
    ]);
  });

  it('metadata handed out is a copy: changing it changes nothing stored', async () => {
    const { manager } = setup();
    const input = { nested: { n: 1 } };
    const m = await manager.mint({ organizationId: 'o', env: 'live', name: 'n', metadata: input });
    input.nested.n = 2;
    (m.info.metadata.nested as { n: number }).n = 3;
    expect((await manager.get(m.keyId)).metadata).toEqual({ nested: { n: 1 } });
  });

  it('metadata errors say what is wrong without echoing the value', async () => {
    const { manager } = setup();
    const secret = 'sk_live_do_not_echo_0123456789';
    const m = await manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const cases = [
      { s: secret, pad: 'x'.repeat(API_KEY_METADATA_MAX_BYTES) },
      { s: `${secret}\u0000` },
      { s: secret, n: Number.NaN },
    ];
    for (const metadata of cases) {
      const error = await manager.update(m.keyId, { metadata }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'INVALID_INPUT', details: { parameter: 'metadata' } });
      expect(JSON.stringify(error)).not.toContain(secret);
      expect(String((error as Error).message)).not.toContain(secret);
    }
  });
});

describe('audit pages', () => {
  it('any string that is not a cursor this package returned is INVALID_INPUT, never a crash', async () => {
    const { manager } = setup();
    const hostile: unknown[] = [
      '',
      'x',
      '!!!',
      'a'.repeat(101),
      toBase64Url(utf8Encode('a1.-1.01J00000000000000000000000')),
      toBase64Url(utf8Encode('a1.1.short')),
      toBase64Url(utf8Encode('a1.99999999999999999.01J00000000000000000000000')),
      toBase64Url(utf8Encode('a2.1.01J00000000000000000000000')),
      toBase64Url(Uint8Array.of(0xff, 0xfe)),
      42,
      null,
      {},
    ];
    for (const after of hostile) {
      await expect(manager.audit({ after: after as string })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        details: { parameter: 'after' },
      });
    }
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 120 }), async (after) => {
        const outcome = await manager.audit({ after }).then(
          () => 'ok',
          (e: { code?: string }) => e.code,
        );
        expect(['ok', 'INVALID_INPUT']).toContain(outcome);
      }),
      { numRuns: 300 },
    );
  });

  it('bad filters and limits are INVALID_INPUT', async () => {
    const { manager } = setup();
    for (const options of [
      { keyId: 'nope' },
      { organizationId: '' },
      { organizationId: 'x'.repeat(201) },
      { limit: 0 },
      { limit: 1001 },
      { limit: 1.5 },
    ]) {
      await expect(manager.audit(options)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    expect(() => manager.forOrganization('')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
