// Tiers on keys: the default, custom tier sets on the manager, refusals at mint and import (before
// anything is hashed or stored), and the verified key exposing the tier.
import { describe, expect, it } from 'vitest';
import { createApiKeyManager, createMemoryApiKeyStore } from '../src/index.js';
import { harness } from './helpers.js';

describe('API key tiers', () => {
  it('mint and import default to standard and accept every configured tier', async () => {
    const h = harness();
    const manager = createApiKeyManager({
      store: h.store,
      hasher: h.hasher,
      tiers: ['standard', 'enterprise', 'internal.v2'],
    });
    const plain = await manager.mint({ organizationId: 'o', env: 'live', name: 'a' });
    const custom = await manager.mint({
      organizationId: 'o',
      env: 'live',
      name: 'b',
      tier: 'internal.v2',
    });
    const imported = await manager.importKey({
      organizationId: 'o',
      env: 'live',
      name: 'c',
      keyId: '0000000000000001',
      secretHash: plain.secretHash,
      tier: 'enterprise',
    });
    expect([plain.info.tier, custom.info.tier, imported.tier]).toEqual([
      'standard',
      'internal.v2',
      'enterprise',
    ]);
    expect((await h.verifier.verify(custom.key.expose())).tier).toBe('internal.v2');
    expect((await manager.get(custom.keyId)).tier).toBe('internal.v2');
    await h.hasher.close();
  });

  const hostile: Array<[string, unknown]> = [
    ['unknown', 'gold'],
    ['case differs', 'Partner'],
    ['empty', ''],
    ['number', 1],
    ['null', null],
    ['object', { toString: () => 'partner' }],
    ['huge', 'p'.repeat(10_000)],
  ];
  for (const [label, tier] of hostile) {
    it(`refuses a ${label} tier at mint and import with INVALID_INPUT, storing nothing`, async () => {
      const store = createMemoryApiKeyStore();
      const h = harness({}, store);
      let hashed = 0;
      const manager = createApiKeyManager({
        store,
        hasher: {
          ...h.hasher,
          hash: (key) => {
            hashed += 1;
            return h.hasher.hash(key);
          },
          verify: (key, hash) => h.hasher.verify(key, hash),
          dummyHash: () => h.hasher.dummyHash(),
          close: () => h.hasher.close(),
        },
      });
      const input = { organizationId: 'o', env: 'live' as const, name: 'n', tier } as {
        organizationId: string;
        env: 'live';
        name: string;
        tier: string;
      };
      await expect(manager.mint(input)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        details: { parameter: 'tier' },
      });
      await expect(
        manager.importKey({ ...input, keyId: '0000000000000002', secretHash: 'x' }),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { parameter: 'tier' } });
      expect(hashed).toBe(0);
      expect(store.size).toBe(0);
      await h.hasher.close();
    });
  }

  it('refuses malformed tier sets when the manager is made', () => {
    const store = createMemoryApiKeyStore();
    const h = harness({}, store);
    for (const tiers of [
      [],
      ['pilot', 'partner'], // no standard
      ['standard', ''],
      ['standard', 'has space'],
      ['standard', 'x'.repeat(65)],
      'standard',
      [1],
    ]) {
      expect(() =>
        createApiKeyManager({ store, hasher: h.hasher, tiers: tiers as readonly string[] }),
      ).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', details: { parameter: 'tiers' } }),
      );
    }
  });
});
