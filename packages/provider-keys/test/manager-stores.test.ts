// The races issue 18 names, on the memory store and on real SQLite and PostgreSQL (a fresh
// database per run, dropped afterwards): concurrent first `set`s for one (owner, provider) from
// several app instances leave exactly one key; a `reportFailure` racing a `set` never marks the new
// key invalid; owners stay apart in the SQL the stores run.
import { isCofferError } from '@coffer/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type OpenedStore, openStore, type StoreKind } from './_manager.js';
import { ANTHROPIC_KEY, OPENAI_KEY } from './keys.js';

const PLATFORM = `sk-proj-${'P0'.repeat(30)}plat`;
const keyNo = (i: number): string => `sk-proj-${'K7'.repeat(30)}${String(i).padStart(4, '0')}`;

describe.each<StoreKind>(['memory', 'sqlite', 'postgres'])('on the %s store', (kind) => {
  let opened: OpenedStore;
  beforeAll(async () => {
    opened = await openStore(kind, 'races');
  });
  afterAll(async () => {
    await opened.close();
  });

  it('concurrent first sets from several instances leave exactly one key, holding one of the values', async () => {
    const h = harness(opened.store, { platformKeys: () => PLATFORM });
    const instances = Array.from({ length: 6 }, () => h.another());
    for (let round = 0; round < 5; round++) {
      const owner = `org_set_${round}`;
      const values = instances.map((_, i) => keyNo(round * 10 + i));
      const results = await Promise.all(
        instances.map((keys, i) => keys.forOwner(owner).set('openai', values[i] as string)),
      );
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      const live = await h.vault.forOwner(owner).list({ includeDeleted: true });
      expect(live.items).toHaveLength(1);
      expect(live.items[0]?.version).toBe(6); // one insert, then five rotations of the same entry
      const used = await h.keys.resolve(owner, 'openai');
      expect(used.source).toBe('customer');
      expect(values).toContain(used.key.expose());
      expect((await h.keys.forOwner(owner).list())[0]).toMatchObject({
        status: 'active',
        version: 6,
      });
    }
  });

  it('a reportFailure racing a set never marks the new key invalid', async () => {
    const h = harness(opened.store, { platformKeys: () => PLATFORM });
    const dashboard = h.another();
    let marked = 0;
    let superseded = 0;
    for (let round = 0; round < 12; round++) {
      const owner = `org_race_${round}`;
      await dashboard.forOwner(owner).set('openai', OPENAI_KEY);
      const used = await h.keys.resolve(owner, 'openai');
      const fresh = keyNo(round);
      // Alternate which starts first, so both orders are exercised on every store.
      const [report] =
        round % 2 === 0
          ? await Promise.all([
              h.keys.reportFailure(used.ref, { status: 401 }),
              dashboard.forOwner(owner).set('openai', fresh),
            ])
          : await Promise.all([
              dashboard.forOwner(owner).set('openai', fresh),
              h.keys.reportFailure(used.ref, { status: 401 }),
            ]).then(([set, reported]) => [reported, set] as const);
      if (report.action === 'marked_invalid') marked++;
      else superseded++;
      const [row] = await dashboard.forOwner(owner).list();
      expect(row).toMatchObject({ status: 'active', version: 2, invalid: null });
      h.clock.now += 10_000; // past the cache TTL of the instance that reported
      const next = await h.keys.resolve(owner, 'openai');
      expect(next.source).toBe('customer');
      expect(next.key.expose()).toBe(fresh);
    }
    expect(marked + superseded).toBe(12);
  });

  it('marks the key invalid when nothing races it, and another instance falls back within its TTL', async () => {
    const h = harness(opened.store, { platformKeys: () => PLATFORM });
    const other = h.another();
    await h.keys.forOwner('org_inv').set('anthropic', ANTHROPIC_KEY);
    expect((await other.resolve('org_inv', 'anthropic')).source).toBe('customer');
    const used = await h.keys.resolve('org_inv', 'anthropic');
    expect((await h.keys.reportFailure(used.ref, { status: 401 })).action).toBe('marked_invalid');
    h.clock.now += 5_000;
    expect(await other.resolve('org_inv', 'anthropic')).toMatchObject({
      source: 'platform',
      fallbackReason: 'invalid',
    });
  });

  it("keeps owners apart: another owner's key answers like a missing one", async () => {
    const h = harness(opened.store, { platformKeys: () => PLATFORM });
    await h.keys.forOwner('org_x').set('openai', OPENAI_KEY);
    const foreign = await h.keys
      .forOwner('org_y')
      .disable('openai')
      .catch((e: Error) => e);
    const missing = await h.keys
      .forOwner('org_z')
      .disable('openai')
      .catch((e: Error) => e);
    expect(isCofferError(foreign, 'PROVIDER_KEY_NOT_FOUND')).toBe(true);
    expect((foreign as Error).message).toBe((missing as Error).message);
    expect(await h.keys.forOwner('org_y').list()).toEqual([]);
    expect((await h.keys.resolve('org_y', 'openai')).source).toBe('platform');
    expect((await h.keys.resolve('org_x', 'openai')).source).toBe('customer');
  });
});
