// Tenant-scoped facades: another owner's id answers exactly as a missing id (error class, code,
// message, details, the store calls made) and changes nothing; lists hold only the owner's entries;
// audit events carry the owner. Malformed owners are refused before any store call.
import { isCofferError } from '@coffer/core';
import type { Envelope } from '@coffer/envelope';
import { describe, expect, it } from 'vitest';
import {
  createVault,
  createVaultReader,
  type ScopedVault,
  type ScopedVaultReader,
  VaultNotFoundError,
  type VaultStore,
} from '../src/index.js';
import { setup, TOKEN, WHO } from './_helpers.js';

/** A store that records every call (method and arguments), forwarding to `inner`. */
function recording(inner: VaultStore): { store: VaultStore; calls: string[] } {
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

interface Outcome {
  error: { name: string; code: string; message: string; status: unknown; details: unknown };
  calls: string[];
}

async function outcome(calls: string[], run: () => Promise<unknown>): Promise<Outcome> {
  calls.length = 0;
  try {
    await run();
  } catch (error) {
    if (!isCofferError(error)) throw error;
    return {
      error: {
        name: error.constructor.name,
        code: error.code,
        message: error.message,
        status: error.status,
        details: error.details,
      },
      calls: [...calls],
    };
  }
  throw new Error('expected a rejection');
}

type ByIdCall = (v: ScopedVault, r: ScopedVaultReader, id: string) => Promise<unknown>;

const byIdCalls: Record<string, ByIdCall> = {
  describe: (v, _r, id) => v.describe(id),
  rotate: (v, _r, id) => v.rotate(id, 'another-value-0123456789'),
  'rotate with expectedVersion': (v, _r, id) =>
    v.rotate(id, 'another-value-0123456789', { expectedVersion: 1 }),
  update: (v, _r, id) => v.update(id, { status: 'disabled' }),
  'update with expectedRevision and expectedVersion': (v, _r, id) =>
    v.update(id, { metadata: { a: 1 } }, { expectedRevision: 1, expectedVersion: 1 }),
  delete: (v, _r, id) => v.delete(id),
  restore: (v, _r, id) => v.restore(id),
  destroy: (v, _r, id) => v.destroy(id),
  reveal: (_v, r, id) => r.reveal(id, WHO),
  'reveal of a version': (_v, r, id) => r.reveal(id, { ...WHO, version: 1 }),
  revealBytes: (_v, r, id) => r.revealBytes(id, WHO),
  revealVersions: (_v, r, id) => r.revealVersions(id, WHO),
};

describe('forOwner: another owner’s id is a missing id', () => {
  for (const [name, call] of Object.entries(byIdCalls)) {
    it(`${name}: same error, same store calls as for an id that does not exist; nothing changes`, async () => {
      const { store: memory, vault, envelope, events } = setup();
      const { store, calls } = recording(memory);
      const scopedVault = (owner: string) =>
        // A vault over the recording store, sharing the memory store and the clock.
        setupVault(store, envelope).forOwner(owner);
      const reader = createVaultReader({ store, envelope, audit: 'unaudited' });
      const theirs = await vault.put({
        kind: 'k',
        owner: 'org_b',
        name: 'their-key',
        status: 'active',
        value: TOKEN,
      });
      const before = await memory.getEntry(theirs.id);
      const rowsBefore = await memory.listVersions(theirs.id);
      const eventsBefore = events.length;

      const foreign = await outcome(calls, () =>
        call(scopedVault('org_a'), reader.forOwner('org_a'), theirs.id),
      );
      // Nothing of theirs changed.
      expect(await memory.getEntry(theirs.id)).toEqual(before);
      expect(await memory.listVersions(theirs.id)).toEqual(rowsBefore);
      expect(events.length).toBe(eventsBefore);

      // The same id once it no longer exists anywhere.
      await vault.destroy(theirs.id);
      const missing = await outcome(calls, () =>
        call(scopedVault('org_a'), reader.forOwner('org_a'), theirs.id),
      );
      expect(foreign).toEqual(missing);
      expect(foreign.error.code).toBe('NOT_FOUND');
      expect(foreign.error.name).toBe('VaultNotFoundError');
      expect(foreign.calls.length).toBeGreaterThan(0);
    });
  }

  it('the owner’s own calls succeed through the same facades', async () => {
    const { store, vault, envelope } = setup();
    const mine = vault.forOwner('org_a');
    const reader = createVaultReader({ store, envelope, audit: 'unaudited' }).forOwner('org_a');
    const { id } = await mine.put({ kind: 'k', value: TOKEN });
    expect((await mine.describe(id)).owner).toBe('org_a');
    expect((await reader.reveal(id, WHO)).expose()).toBe(TOKEN);
    expect(await mine.rotate(id, `${TOKEN}-2`, { expectedVersion: 1 })).toEqual({ id, version: 2 });
    expect((await mine.update(id, { status: 'disabled' })).status).toBe('disabled');
    expect((await reader.revealVersions(id, WHO)).map((v) => v.version)).toEqual([2, 1]);
    expect((await mine.delete(id)).deletedAt).toBeInstanceOf(Date);
    expect((await mine.restore(id)).deletedAt).toBeNull();
    await mine.destroy(id);
    await expect(mine.describe(id)).rejects.toBeInstanceOf(VaultNotFoundError);
  });

  it('owner-scoped store calls carry the owner: the check is in the query, not after it', async () => {
    const { store: memory, envelope } = setup();
    const { store, calls } = recording(memory);
    const owners: unknown[] = [];
    const spying = new Proxy(store, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          owners.push(JSON.stringify(args.filter((a) => typeof a === 'object' && a !== null)));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const mine = setupVault(spying, envelope).forOwner('org_a');
    const { id } = await mine.put({ kind: 'k', value: TOKEN });
    owners.length = 0;
    calls.length = 0;
    await mine.describe(id);
    await mine.rotate(id, `${TOKEN}-2`);
    await mine.update(id, { label: 'x' });
    await mine.delete(id);
    await mine.restore(id);
    const reader = createVaultReader({ store: spying, envelope, audit: 'unaudited' });
    await reader.forOwner('org_a').reveal(id, WHO);
    await reader.forOwner('org_a').revealVersions(id, WHO);
    await mine.destroy(id);
    expect(calls.length).toBe(owners.length);
    // Every by-id call names the owner.
    for (const seen of owners) expect(String(seen)).toContain('"owner":"org_a"');
  });

  it('a store that ignores the owner condition still never reaches another owner’s entry', async () => {
    const { store: memory, vault, envelope } = setup();
    // A store written before owner conditions: it drops the scope argument.
    const ignoring: VaultStore = {
      ...memory,
      getEntry: (id) => memory.getEntry(id),
      getVersion: (id, v) => memory.getVersion(id, v),
      listVersions: (id) => memory.listVersions(id),
      getEntryWithVersion: (id, v) => memory.getEntryWithVersion(id, v),
      markDeleted: (id, at) => memory.markDeleted(id, at),
      markRestored: (id) => memory.markRestored(id),
      destroyEntry: (id, o) =>
        memory.destroyEntry(
          id,
          o?.deletedBefore === undefined ? {} : { deletedBefore: o.deletedBefore },
        ),
      rotate: ({ owner: _, ...input }) => memory.rotate(input),
    };
    const theirs = await vault.put({ kind: 'k', owner: 'org_b', value: TOKEN });
    const mine = setupVault(ignoring, envelope).forOwner('org_a');
    const reader = createVaultReader({ store: ignoring, envelope, audit: 'unaudited' });
    for (const call of Object.values(byIdCalls)) {
      await expect(call(mine, reader.forOwner('org_a'), theirs.id)).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    }
    expect((await vault.describe(theirs.id)).version).toBe(1);
    expect((await vault.describe(theirs.id)).deletedAt).toBeNull();
  });
});

describe('forOwner: lists and audit', () => {
  it('a store whose owner comparison is looser than exact still lists only the owner’s entries', async () => {
    const { store: memory, vault, envelope } = setup();
    // A store on a case-insensitive, space-padding collation (MySQL's utf8mb4_general_ci): it
    // answers 'org_a' with the entries of 'ORG_A' and 'org_a ' too.
    const loose: VaultStore = {
      ...memory,
      listEntries: async (query) => {
        const rows = [];
        for (const owner of [query.owner, query.owner.toUpperCase(), `${query.owner} `]) {
          rows.push(...(await memory.listEntries({ ...query, owner })));
        }
        return rows.sort((x, y) => (x.id < y.id ? -1 : 1)).slice(0, query.limit);
      },
    };
    const mine: string[] = [];
    for (let i = 0; i < 3; i++) {
      mine.push((await vault.put({ kind: 'k', owner: 'org_a', value: `${TOKEN}-a${i}` })).id);
      await vault.put({ kind: 'k', owner: 'ORG_A', value: `${TOKEN}-upper${i}` });
      await vault.put({ kind: 'k', owner: 'org_a ', value: `${TOKEN}-space${i}` });
    }
    const scoped = setupVault(loose, envelope).forOwner('org_a');
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await scoped.list({ limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      for (const e of page.items) expect(e.owner).toBe('org_a');
      seen.push(...page.items.map((e) => e.id));
      if (page.nextCursor === null) break;
      expect(mine).toContain(page.nextCursor);
      cursor = page.nextCursor;
    }
    expect(seen.every((id) => mine.includes(id))).toBe(true);
    expect((await scoped.list()).items.map((e) => e.id)).toEqual([...mine].sort());
    const unscoped = setupVault(loose, envelope);
    expect((await unscoped.list({ owner: 'org_a' })).items.map((e) => e.owner)).toEqual([
      'org_a',
      'org_a',
      'org_a',
    ]);
  });

  it('list holds only the owner’s entries; owner cannot be overridden', async () => {
    const { vault } = setup();
    const a = vault.forOwner('org_a');
    const b = vault.forOwner('org_b');
    const mine = [];
    for (let i = 0; i < 5; i++) {
      mine.push((await a.put({ kind: i % 2 ? 'x' : 'y', value: `${TOKEN}-${i}` })).id);
      await b.put({ kind: 'x', value: `${TOKEN}-b${i}` });
    }
    const page = await a.list({ limit: 3 });
    expect(page.items.map((e) => e.owner)).toEqual(['org_a', 'org_a', 'org_a']);
    const rest = await a.list({ cursor: page.nextCursor ?? '' });
    expect([...page.items, ...rest.items].map((e) => e.id)).toEqual(mine.sort());
    expect((await a.list({ kind: 'x' })).items.every((e) => e.kind === 'x')).toBe(true);
    expect((await a.list()).items).toHaveLength(5);
    // Untyped callers cannot smuggle another owner in.
    const sneaky = { owner: 'org_b' } as unknown as Parameters<typeof a.list>[0];
    await expect(a.list(sneaky)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const sneakyPut = { kind: 'k', owner: 'org_b', value: TOKEN } as unknown as Parameters<
      typeof a.put
    >[0];
    await expect(a.put(sneakyPut)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect((await b.list()).items).toHaveLength(5);
    // Giving the scope's own owner is harmless.
    const same = { kind: 'k', owner: 'org_a', value: TOKEN } as unknown as Parameters<
      typeof a.put
    >[0];
    expect((await a.put(same)).version).toBe(1);
  });

  it('audit events from scoped calls carry the owner (and the name, when there is one)', async () => {
    const { vault, reader, events } = setup();
    const a = vault.forOwner('org_a');
    const { id } = await a.put({ kind: 'k', name: 'hook', value: TOKEN, actor: 'u1' });
    await a.rotate(id, `${TOKEN}-2`);
    await a.update(id, { status: 'paused', label: 'L' }, { actor: 'u2' });
    await reader.forOwner('org_a').reveal(id, WHO);
    await reader.forOwner('org_a').revealByName('hook', WHO);
    await a.delete(id);
    await a.restore(id);
    await a.destroy(id);
    expect(events.map((e) => [e.action, e.owner, e.name])).toEqual(
      ['put', 'rotate', 'update', 'reveal', 'reveal', 'delete', 'restore', 'destroy'].map((x) => [
        x,
        'org_a',
        'hook',
      ]),
    );
    const update = events.find((e) => e.action === 'update');
    expect(update).toMatchObject({
      revision: 2,
      fields: ['label', 'status'],
      version: 2,
      actor: 'u2',
    });
    expect(JSON.stringify(update)).not.toContain('paused');
  });
});

describe('forOwner: bad owners', () => {
  const bad: Array<[string, unknown]> = [
    ['empty', ''],
    ['257 characters', 'o'.repeat(257)],
    ['a control character', 'org\n1'],
    ['NUL', 'org\u00001'],
    ['a lone surrogate', 'org\ud800'],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['an object', { owner: 'x' }],
  ];
  for (const [label, owner] of bad) {
    it(`${label} → INVALID_INPUT, before any store call`, () => {
      const { store: memory, envelope } = setup();
      const { store, calls } = recording(memory);
      const vault = setupVault(store, envelope);
      const reader = createVaultReader({ store, envelope, audit: 'unaudited' });
      expect(() => vault.forOwner(owner as string)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', details: { parameter: 'owner' } }),
      );
      expect(() => reader.forOwner(owner as string)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
      expect(calls).toEqual([]);
    });
  }

  it('accepts the owners put accepts: unicode, 256 characters, trailing spaces', async () => {
    const { vault } = setup();
    for (const owner of ['org_🦊', `${'o'.repeat(255)}x`, 'org_1 ', 'שלום']) {
      const scoped = vault.forOwner(owner);
      const { id } = await scoped.put({ kind: 'k', value: TOKEN });
      expect((await scoped.describe(id)).owner).toBe(owner);
    }
    await expect(vault.forOwner('org_1').list()).resolves.toEqual({ items: [], nextCursor: null });
  });
});

function setupVault(store: VaultStore, envelope: Envelope) {
  return createVault({ store, envelope, clock: () => 1_750_000_000_000 });
}
