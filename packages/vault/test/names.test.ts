// Named entries: a name is unique among an owner's live entries (NAME_TAKEN on put and restore,
// nothing written), free again once its entry is deleted, looked up in one store call, and
// validated; a store without names refuses them with STORE_UNSUPPORTED instead of dropping them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createVault,
  createVaultReader,
  VaultNameTakenError,
  VaultNotFoundError,
  type VaultStore,
} from '../src/index.js';
import { setup, TOKEN, WHO } from './_helpers.js';

function counting(inner: VaultStore): { store: VaultStore; calls: string[] } {
  const calls: string[] = [];
  const store = new Proxy(inner, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

describe('names are unique among an owner’s live entries', () => {
  it('a taken name is NAME_TAKEN on put: nothing stored, nothing audited', async () => {
    const { vault, store, events } = setup();
    const acme = vault.forOwner('org_acme');
    const first = await acme.put({ kind: 'provider-key', name: 'openai', value: TOKEN });
    const dumpBefore = await store.rawDump();
    const eventsBefore = events.length;
    const error = await acme
      .put({ kind: 'provider-key', name: 'openai', value: `${TOKEN}-2` })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultNameTakenError);
    expect(error).toMatchObject({ code: 'NAME_TAKEN', status: 409, details: { name: 'openai' } });
    expect(String((error as Error).message)).not.toContain(TOKEN);
    expect(await store.rawDump()).toEqual(dumpBefore);
    expect(events.length).toBe(eventsBefore);
    expect((await acme.list()).items.map((e) => e.id)).toEqual([first.id]);
    // The unscoped put is held to the same rule.
    await expect(
      vault.put({ kind: 'k', owner: 'org_acme', name: 'openai', value: TOKEN }),
    ).rejects.toMatchObject({ code: 'NAME_TAKEN' });
  });

  it('names are per owner, case-sensitive, and a kind does not matter', async () => {
    const { vault } = setup();
    await vault.forOwner('org_a').put({ kind: 'a', name: 'openai', value: TOKEN });
    await vault.forOwner('org_b').put({ kind: 'a', name: 'openai', value: TOKEN });
    await vault.forOwner('org_a').put({ kind: 'a', name: 'OpenAI', value: TOKEN });
    await expect(
      vault.forOwner('org_a').put({ kind: 'b', name: 'openai', value: TOKEN }),
    ).rejects.toMatchObject({ code: 'NAME_TAKEN' });
    // Entries without a name never collide.
    await vault.forOwner('org_a').put({ kind: 'a', value: TOKEN });
    await vault.forOwner('org_a').put({ kind: 'a', name: null, value: TOKEN });
    expect((await vault.forOwner('org_a').list()).items).toHaveLength(4);
  });

  it('deleting frees the name; restoring the old entry while it is taken is NAME_TAKEN and changes nothing', async () => {
    const { vault, events } = setup();
    const acme = vault.forOwner('org_acme');
    const old = await acme.put({ kind: 'k', name: 'stripe', value: TOKEN });
    await acme.delete(old.id);
    expect(await acme.findByName('stripe')).toBeUndefined();
    const replacement = await acme.put({ kind: 'k', name: 'stripe', value: `${TOKEN}-new` });
    expect((await acme.findByName('stripe'))?.id).toBe(replacement.id);
    const eventsBefore = events.length;
    await expect(acme.restore(old.id)).rejects.toMatchObject({
      code: 'NAME_TAKEN',
      details: { name: 'stripe' },
    });
    expect(events.length).toBe(eventsBefore);
    expect((await acme.describe(old.id)).deletedAt).toBeInstanceOf(Date);
    expect((await acme.findByName('stripe'))?.id).toBe(replacement.id);
    // Once the replacement is deleted, the old one can come back, and holds the name again.
    await acme.delete(replacement.id);
    expect((await acme.restore(old.id)).deletedAt).toBeNull();
    expect((await acme.findByName('stripe'))?.id).toBe(old.id);
    await expect(acme.restore(replacement.id)).rejects.toMatchObject({ code: 'NAME_TAKEN' });
    // Several deleted entries may share a name.
    await acme.delete(old.id);
    expect((await acme.list({ includeDeleted: true })).items.map((e) => e.name)).toEqual([
      'stripe',
      'stripe',
    ]);
  });

  it('destroying a live named entry frees its name; purging a deleted one leaves the live holder alone', async () => {
    const { vault, now } = setup({ retentionMs: 1000 });
    const acme = vault.forOwner('org_acme');
    const a = await acme.put({ kind: 'k', name: 'n', value: TOKEN });
    await acme.destroy(a.id);
    const b = await acme.put({ kind: 'k', name: 'n', value: TOKEN });
    await acme.delete(b.id);
    const c = await acme.put({ kind: 'k', name: 'n', value: TOKEN });
    now.ms += 5000;
    expect(await vault.purgeExpired()).toEqual({ purged: 1 });
    expect((await acme.findByName('n'))?.id).toBe(c.id);
  });

  it('of concurrent puts of one name exactly one is stored', async () => {
    const { vault } = setup();
    const acme = vault.forOwner('org_acme');
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        acme.put({ kind: 'k', name: 'race', value: `${TOKEN}-${i}` }),
      ),
    );
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    for (const s of settled) {
      if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'NAME_TAKEN' });
    }
    expect((await acme.list()).items).toHaveLength(1);
  });
});

describe('lookups by name', () => {
  it('findByName: metadata only, one store call; undefined for another owner or a deleted entry', async () => {
    const { store: memory, vault, envelope } = setup();
    const { store, calls } = counting(memory);
    const scoped = createVault({ store, envelope }).forOwner('org_acme');
    const { id } = await vault.put({
      kind: 'provider-key',
      owner: 'org_acme',
      name: 'openai',
      status: 'active',
      label: 'OpenAI',
      metadata: { lastValidated: 1 },
      value: TOKEN,
    });
    calls.length = 0;
    const found = await scoped.findByName('openai');
    expect(calls).toEqual(['getEntryByName']);
    expect(found).toMatchObject({ id, name: 'openai', status: 'active', revision: 1, version: 1 });
    expect(JSON.stringify(found)).not.toContain(TOKEN);
    expect(await createVault({ store, envelope }).forOwner('org_b').findByName('openai')).toBe(
      undefined,
    );
    expect(await scoped.findByName('anthropic')).toBeUndefined();
    await vault.delete(id);
    expect(await scoped.findByName('openai')).toBeUndefined();
  });

  it('revealByName: value, version and metadata in one store call; audited', async () => {
    const { store: memory, vault, envelope, events } = setup({ maxVersions: 2 });
    const { store, calls } = counting(memory);
    const audit = { emit: (e: (typeof events)[number]) => void events.push(e) };
    const reader = createVaultReader({ store, envelope, audit }).forOwner('org_acme');
    const { id } = await vault
      .forOwner('org_acme')
      .put({ kind: 'provider-key', name: 'openai', status: 'active', value: TOKEN });
    await vault.rotate(id, `${TOKEN}-v2`);
    calls.length = 0;
    events.length = 0;
    const current = await reader.revealByName('openai', WHO);
    expect(calls).toEqual(['getEntryWithVersionByName']);
    expect(current.version).toBe(2);
    expect(current.value.expose()).toBe(`${TOKEN}-v2`);
    expect(current.entry).toMatchObject({ id, status: 'active', version: 2, owner: 'org_acme' });
    expect(JSON.stringify(current)).not.toContain(TOKEN);
    const first = await reader.revealByName('openai', { ...WHO, version: 1 });
    expect([first.version, first.value.expose()]).toEqual([1, TOKEN]);
    expect(events.map((e) => [e.action, e.owner, e.name, e.version])).toEqual([
      ['reveal', 'org_acme', 'openai', 2],
      ['reveal', 'org_acme', 'openai', 1],
    ]);
    await expect(reader.revealByName('openai', { ...WHO, version: 9 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      details: { id, version: 9 },
    });
  });

  it('revealByName of a name another owner holds is exactly a missing name', async () => {
    const { store: memory, vault, envelope } = setup();
    const { store, calls } = counting(memory);
    const reader = createVaultReader({ store, envelope, audit: 'unaudited' });
    const theirs = await vault.forOwner('org_b').put({ kind: 'k', name: 'openai', value: TOKEN });
    const attempt = async () => {
      calls.length = 0;
      const error = await reader
        .forOwner('org_a')
        .revealByName('openai', WHO)
        .catch((e: unknown) => e);
      return { error, message: (error as Error).message, calls: [...calls] };
    };
    const foreign = await attempt();
    await vault.destroy(theirs.id);
    const missing = await attempt();
    expect(foreign).toEqual(missing);
    expect(foreign.error).toBeInstanceOf(VaultNotFoundError);
    expect(foreign.error).toMatchObject({ code: 'NOT_FOUND', details: { name: 'openai' } });
  });

  it('revealVersionsByName: every retained version, newest first, with the entry', async () => {
    const { vault, reader } = setup({ maxVersions: 3 });
    const scoped = vault.forOwner('org_acme');
    const { id } = await scoped.put({ kind: 'webhook-secret', name: 'CS0ABC', value: 'whsec_v1' });
    await scoped.rotate(id, 'whsec_v2');
    await scoped.rotate(id, 'whsec_v3');
    const read = await reader.forOwner('org_acme').revealVersionsByName('CS0ABC', WHO);
    expect(read.entry.id).toBe(id);
    expect(read.versions.map((v) => [v.version, v.value.expose()])).toEqual([
      [3, 'whsec_v3'],
      [2, 'whsec_v2'],
      [1, 'whsec_v1'],
    ]);
    await expect(
      reader.forOwner('org_other').revealVersionsByName('CS0ABC', WHO),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', details: { name: 'CS0ABC' } });
    await scoped.delete(id);
    await expect(
      reader.forOwner('org_acme').revealVersionsByName('CS0ABC', WHO),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('without getEntryWithVersionByName, revealByName reads the entry by name, then its version', async () => {
    const { store: memory, vault, envelope } = setup();
    const { getEntryWithVersionByName: _, ...required } = memory;
    const { store, calls } = counting(required);
    const reader = createVaultReader({ store, envelope, audit: 'unaudited' });
    await vault.forOwner('o').put({ kind: 'k', name: 'n', value: TOKEN });
    calls.length = 0;
    expect((await reader.forOwner('o').revealByName('n', WHO)).value.expose()).toBe(TOKEN);
    expect(calls).toEqual(['getEntryByName', 'getVersion']);
  });
});

describe('bad names and statuses', () => {
  const badNames: Array<[string, unknown]> = [
    ['empty', ''],
    ['129 characters', 'n'.repeat(129)],
    ['a space', 'open ai'],
    ['a leading dash', '-openai'],
    ['a leading dot', '.env'],
    ['a slash', 'a/b'],
    ['NUL', 'a\u0000'],
    ['a newline', 'a\n'],
    ['non-ASCII', 'ключ'],
    ['a fullwidth letter', 'ｏpenai'],
    ['a number', 7],
    ['an object', { name: 'x' }],
  ];
  for (const [label, name] of badNames) {
    it(`name: ${label} → INVALID_INPUT everywhere, nothing stored`, async () => {
      const { vault, reader, store } = setup();
      const scoped = vault.forOwner('o');
      await expect(
        scoped.put({ kind: 'k', name: name as string, value: TOKEN }),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { parameter: 'name' } });
      await expect(scoped.findByName(name as string)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
      await expect(reader.forOwner('o').revealByName(name as string, WHO)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
      await expect(
        reader.forOwner('o').revealVersionsByName(name as string, WHO),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      expect((await store.rawDump()).length).toBe(0);
    });
  }

  const badStatuses: Array<[string, unknown]> = [
    ['empty', ''],
    ['33 characters', 's'.repeat(33)],
    ['upper case', 'Active'],
    ['a space', 'not active'],
    ['a control character', 'active\t'],
    ['a number', 1],
    ['true', true],
  ];
  for (const [label, status] of badStatuses) {
    it(`status: ${label} → INVALID_INPUT on put and update, nothing changed`, async () => {
      const { vault, store } = setup();
      await expect(
        vault.put({ kind: 'k', owner: 'o', status: status as string, value: TOKEN }),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { parameter: 'status' } });
      expect((await store.rawDump()).length).toBe(0);
      const { id } = await vault.put({ kind: 'k', owner: 'o', status: 'active', value: TOKEN });
      await expect(vault.update(id, { status: status as string })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        details: { parameter: 'status' },
      });
      expect(await vault.describe(id)).toMatchObject({ status: 'active', revision: 1 });
    });
  }

  it('the longest names and statuses are kept as given', async () => {
    const { vault } = setup();
    const name = `A${'z.9_:-'.repeat(21)}b`;
    expect(name).toHaveLength(128);
    const { id } = await vault.put({
      kind: 'k',
      owner: 'o',
      name,
      status: `s${'x'.repeat(31)}`,
      value: TOKEN,
    });
    expect(await vault.describe(id)).toMatchObject({ name, status: `s${'x'.repeat(31)}` });
    expect((await vault.forOwner('o').findByName(name))?.id).toBe(id);
  });

  it('property: any string is either accepted unchanged as a name or refused with INVALID_INPUT', async () => {
    const { vault } = setup();
    const scoped = vault.forOwner('o');
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 140 }), async (name) => {
        const result = await scoped.findByName(name).then(
          () => 'ok',
          (e: unknown) => (e as { code?: string }).code,
        );
        const safe = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(name) && name.length <= 128;
        expect(result).toBe(safe ? 'ok' : 'INVALID_INPUT');
      }),
    );
  });
});

describe('a store without names (written before them)', () => {
  function legacy(): ReturnType<typeof setup> & { old: VaultStore } {
    const s = setup();
    const { updateEntry: _u, getEntryByName: _g, getEntryWithVersionByName: _w, ...rest } = s.store;
    // What such a store returns: records without name, status and revision.
    const old = {
      ...rest,
      getEntry: async (id: string) => {
        const e = await s.store.getEntry(id);
        if (e === undefined) return undefined;
        const { name: _n, status: _s, revision: _r, ...kept } = e;
        return kept;
      },
    } as unknown as VaultStore;
    return { ...s, old };
  }

  it('keeps working for everything else; names, statuses and updates are STORE_UNSUPPORTED with nothing written', async () => {
    const { old, envelope } = legacy();
    const vault = createVault({ store: old, envelope });
    const reader = createVaultReader({ store: old, envelope, audit: 'unaudited' });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: TOKEN });
    await vault.rotate(id, `${TOKEN}-2`);
    expect(await vault.describe(id)).toMatchObject({ name: null, status: null, revision: 1 });
    expect((await reader.forOwner('o').reveal(id, WHO)).expose()).toBe(`${TOKEN}-2`);
    const unsupported = { code: 'STORE_UNSUPPORTED', status: 501 };
    await expect(
      vault.put({ kind: 'k', owner: 'o', name: 'n', value: TOKEN }),
    ).rejects.toMatchObject({ ...unsupported, details: { method: 'getEntryByName' } });
    await expect(
      vault.put({ kind: 'k', owner: 'o', status: 'active', value: TOKEN }),
    ).rejects.toMatchObject({ ...unsupported, details: { method: 'updateEntry' } });
    await expect(vault.update(id, { status: 'x' })).rejects.toMatchObject(unsupported);
    await expect(vault.forOwner('o').findByName('n')).rejects.toMatchObject(unsupported);
    await expect(reader.forOwner('o').revealByName('n', WHO)).rejects.toMatchObject(unsupported);
    await expect(reader.forOwner('o').revealVersionsByName('n', WHO)).rejects.toMatchObject(
      unsupported,
    );
    expect((await vault.list({ owner: 'o' })).items.map((e) => e.id)).toEqual([id]);
  });
});
