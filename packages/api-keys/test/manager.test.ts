import { describe, expect, it } from 'vitest';
import { createApiKeyManager, createMemoryApiKeyStore, isWellFormedApiKey } from '../src/index.js';
import { harness } from './helpers.js';

const code = (c: string) => expect.objectContaining({ code: c });

describe('manager', () => {
  it('mint returns the key once, redacted, with its id, start and the stored hash; never the key again', async () => {
    const h = harness();
    const m = await h.manager.mint({
      organizationId: 'org_1',
      env: 'live',
      name: 'acme prod',
      scopes: ['events:read', 'events:read'],
      expiresAt: new Date(h.now.ms + 1000),
    });
    expect(String(m.key)).toBe('[REDACTED]');
    expect(JSON.stringify(m)).not.toContain(m.key.expose());
    expect(isWellFormedApiKey(m.key.expose())).toBe(true);
    expect(m.key.expose().startsWith(`${m.start}_`)).toBe(true);
    expect(m.start).toBe(`lp_live_${m.keyId}`);
    expect(m.secretHash).toMatch(/^\$2b\$04\$/);
    expect(m.info).toMatchObject({ status: 'active', scopes: ['events:read'], name: 'acme prod' });
    const stored = await h.store.getKey(m.keyId);
    expect(stored?.secretHash).toBe(m.secretHash);
    const info = await h.manager.get(m.keyId);
    expect(JSON.stringify(info)).not.toContain(m.secretHash);
    expect(JSON.stringify(info)).not.toContain(m.key.expose().slice(-43));
  });

  it('lists an organization page by page, with previews and statuses', async () => {
    const h = harness();
    const minted = [];
    for (let i = 0; i < 5; i++)
      minted.push(await h.manager.mint({ organizationId: 'org_l', env: 'test', name: `k${i}` }));
    await h.manager.mint({ organizationId: 'org_other', env: 'test', name: 'x' });
    await h.manager.revoke(minted[1]?.keyId ?? '');
    await h.manager.kill(minted[2]?.keyId ?? '');
    const first = await h.manager.list('org_l', { limit: 3 });
    expect(first.keys).toHaveLength(3);
    expect(first.next).toBe(first.keys[2]?.keyId);
    const second = await h.manager.list('org_l', { limit: 3, after: first.next ?? '' });
    expect(second.keys).toHaveLength(2);
    expect(second.next).toBeNull();
    const all = [...first.keys, ...second.keys];
    expect(all.map((k) => k.keyId)).toEqual(minted.map((m) => m.keyId).sort());
    const byId = new Map(all.map((k) => [k.keyId, k]));
    expect(byId.get(minted[1]?.keyId ?? '')?.status).toBe('revoked');
    expect(byId.get(minted[2]?.keyId ?? '')?.status).toBe('killed');
    expect(byId.get(minted[0]?.keyId ?? '')?.start).toBe(minted[0]?.start);
  });

  it('revoke is permanent and idempotent; kill, unkill and rotate refuse a revoked key', async () => {
    const h = harness();
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const revoked = await h.manager.revoke(m.keyId);
    expect(revoked.revokedAt?.getTime()).toBe(h.now.ms);
    h.now.ms += 5;
    expect((await h.manager.revoke(m.keyId)).revokedAt?.getTime()).toBe(h.now.ms - 5);
    await expect(h.manager.kill(m.keyId)).rejects.toEqual(code('KEY_REVOKED'));
    await expect(h.manager.unkill(m.keyId)).rejects.toEqual(code('KEY_REVOKED'));
    await expect(h.manager.rotate(m.keyId)).rejects.toEqual(code('KEY_REVOKED'));
    expect(await h.store.getKey(m.keyId)).not.toBeNull();
  });

  it('unknown and malformed key ids', async () => {
    const h = harness();
    await expect(h.manager.get('0000000000000000')).rejects.toEqual(code('NOT_FOUND'));
    for (const bad of ['', 'short', '0000000000000000x', '000000000000000o', 42]) {
      await expect(h.manager.get(bad as string)).rejects.toEqual(code('INVALID_INPUT'));
    }
  });

  it.each([
    ['no organization', { organizationId: '', env: 'live', name: 'n' }],
    ['bad env', { organizationId: 'o', env: 'prod', name: 'n' }],
    ['empty name', { organizationId: 'o', env: 'live', name: '' }],
    ['huge name', { organizationId: 'o', env: 'live', name: 'x'.repeat(201) }],
    ['scopes not an array', { organizationId: 'o', env: 'live', name: 'n', scopes: 'events:read' }],
    [
      'scope with a space',
      { organizationId: 'o', env: 'live', name: 'n', scopes: ['events read'] },
    ],
    ['scope emoji', { organizationId: 'o', env: 'live', name: 'n', scopes: ['🔑'] }],
    ['expiry not a date', { organizationId: 'o', env: 'live', name: 'n', expiresAt: '2030-01-01' }],
    ['invalid date', { organizationId: 'o', env: 'live', name: 'n', expiresAt: new Date('nope') }],
    ['null input', null],
  ])('mint refuses %s with INVALID_INPUT and stores nothing', async (_, input) => {
    const store = createMemoryApiKeyStore();
    const h = harness({}, store);
    await expect(h.manager.mint(input as never)).rejects.toEqual(code('INVALID_INPUT'));
    expect(store.size).toBe(0);
  });

  it.each([
    ['negative', -1],
    ['fractional', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a string', '60000'],
    ['over a year', 365 * 24 * 60 * 60 * 1000 + 1],
    ['MAX_SAFE_INTEGER', Number.MAX_SAFE_INTEGER],
  ])('rotate refuses a grace period that is %s and leaves the key as it was', async (_, grace) => {
    const h = harness();
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const before = await h.store.getKey(m.keyId);
    await expect(h.manager.rotate(m.keyId, { gracePeriodMs: grace as number })).rejects.toEqual(
      code('INVALID_INPUT'),
    );
    expect(await h.store.getKey(m.keyId)).toEqual(before);
  });

  it('rotate takes a grace period of exactly a year', async () => {
    const h = harness();
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const year = 365 * 24 * 60 * 60 * 1000;
    await h.manager.rotate(m.keyId, { gracePeriodMs: year });
    expect((await h.store.getKey(m.keyId))?.previousSecretExpiresAt).toBe(h.now.ms + year);
  });

  it('concurrent admins: every change lands once (check-and-set)', async () => {
    const h = harness();
    const m = await h.manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    const rotations = await Promise.all(Array.from({ length: 5 }, () => h.manager.rotate(m.keyId)));
    const record = await h.store.getKey(m.keyId);
    expect(record?.revision).toBe(6);
    // Exactly the last stored secret verifies.
    const ok = await Promise.all(
      rotations.map((r) =>
        h.verifier.verify(r.key.expose()).then(
          () => true,
          () => false,
        ),
      ),
    );
    expect(ok.filter(Boolean)).toHaveLength(1);
  });

  it('importKey stores an existing hash that then verifies; a clashing id is refused', async () => {
    const h = harness();
    const source = harness();
    const original = await source.manager.mint({
      organizationId: 'o',
      env: 'live',
      name: 'legacy',
    });
    const info = await h.manager.importKey({
      keyId: original.keyId,
      organizationId: 'o',
      env: 'live',
      name: 'legacy',
      secretHash: original.secretHash,
      createdAt: new Date(1_600_000_000_000),
    });
    expect(info.createdAt.getTime()).toBe(1_600_000_000_000);
    expect((await h.verifier.verify(original.key.expose())).name).toBe('legacy');
    await expect(
      h.manager.importKey({
        keyId: original.keyId,
        organizationId: 'o',
        env: 'live',
        name: 'x',
        secretHash: 'h',
      }),
    ).rejects.toEqual(code('INVALID_INPUT'));
  });

  it('onChange hears every change; a throwing listener does not fail the change', async () => {
    const store = createMemoryApiKeyStore();
    const h = harness({}, store);
    const heard: string[] = [];
    const manager = createApiKeyManager({
      store,
      hasher: h.hasher,
      onChange: (c) => {
        heard.push(c.type);
        throw new Error('listener bug');
      },
    });
    const m = await manager.mint({ organizationId: 'o', env: 'live', name: 'n' });
    await manager.kill(m.keyId);
    await manager.unkill(m.keyId);
    await manager.rotate(m.keyId);
    await manager.setOrganizationKillSwitch('o', true);
    await manager.setGlobalKillSwitch(true);
    expect(await manager.isKillSwitchOn()).toBe(true);
    expect(await manager.isKillSwitchOn('o')).toBe(true);
    await manager.revoke(m.keyId);
    expect(heard).toEqual([
      'minted',
      'killed',
      'unkilled',
      'rotated',
      'organization-killed',
      'global-killed',
      'revoked',
    ]);
  });
});
