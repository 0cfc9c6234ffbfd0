import { inspect } from 'node:util';
import { isCofferError, Redacted } from '@coffer/core';
import { describe, expect, it } from 'vitest';
import {
  createVault,
  createVaultReader,
  MAX_VALUE_BYTES,
  type VaultAuditEvent,
  type VaultStore,
} from '../src/index.js';
import { setup, TOKEN, WHO } from './_helpers.js';

const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    if (isCofferError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('lifecycle', () => {
  it('put → describe → reveal → rotate → delete → restore → destroy', async () => {
    const { vault, reader, events, now } = setup();
    const { id, version } = await vault.put({
      kind: 'meta-capi-token',
      owner: 'org_42',
      label: 'Pixel 1234',
      metadata: { pixelId: '1234' },
      value: TOKEN,
    });
    expect(id).toMatch(UUID7);
    expect(version).toBe(1);
    expect(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(now.ms);

    const info = await vault.describe(id);
    expect(info).toEqual({
      id,
      kind: 'meta-capi-token',
      owner: 'org_42',
      name: null,
      label: 'Pixel 1234',
      status: null,
      metadata: { pixelId: '1234' },
      preview: 'EAAG…2e41',
      version: 1,
      revision: 1,
      createdAt: new Date(now.ms),
      updatedAt: new Date(now.ms),
      deletedAt: null,
    });

    const revealed = await reader.reveal(id, WHO);
    expect(revealed).toBeInstanceOf(Redacted);
    expect(revealed.expose()).toBe(TOKEN);

    now.ms += 1000;
    expect(await vault.rotate(id, 'EAAGnew-token-0987654321-zyxw', { expectedVersion: 1 })).toEqual(
      {
        id,
        version: 2,
      },
    );
    const rotated = await vault.describe(id);
    expect(rotated.version).toBe(2);
    expect(rotated.updatedAt).toEqual(new Date(now.ms));
    expect(rotated.createdAt).toEqual(info.createdAt);
    expect(rotated.preview).toBe('EAAGn…zyxw');

    const deleted = await vault.delete(id);
    expect(deleted.deletedAt).toEqual(new Date(now.ms));
    expect(await codeOf(reader.reveal(id, WHO))).toBe('DELETED');
    expect((await vault.delete(id)).deletedAt).toEqual(new Date(now.ms));
    await vault.restore(id);
    expect((await reader.reveal(id, WHO)).expose()).toBe('EAAGnew-token-0987654321-zyxw');
    await vault.destroy(id);
    expect(await codeOf(vault.describe(id))).toBe('NOT_FOUND');

    expect(events.map((e) => [e.action, e.version])).toEqual([
      ['put', 1],
      ['reveal', 1],
      ['rotate', 2],
      ['delete', 2],
      ['restore', 2],
      ['reveal', 2],
      ['destroy', 2],
    ]);
  });

  it('rotate without expectedVersion applies on top of the current version', async () => {
    const { vault } = setup();
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-0123456789' });
    await vault.rotate(id, 'value-2-0123456789');
    expect(await vault.rotate(id, 'value-3-0123456789')).toEqual({ id, version: 3 });
    expect(await codeOf(vault.rotate(id, 'value-4-0123456789', { expectedVersion: 2 }))).toBe(
      'VERSION_CONFLICT',
    );
    expect((await vault.describe(id)).version).toBe(3);
  });

  it('restoring a live entry and deleting twice change nothing and emit no extra events', async () => {
    const { vault, events } = setup();
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-0123456789' });
    await vault.restore(id);
    await vault.delete(id);
    await vault.delete(id);
    expect(events.map((e) => e.action)).toEqual(['put', 'delete']);
  });
});

describe('bad input', () => {
  const long = 'x'.repeat(MAX_VALUE_BYTES + 1);
  const id0 = '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3';
  const good = { kind: 'k', owner: 'o', value: 'value-0123456789' };
  const putCases: [string, unknown, string][] = [
    ['no input', undefined, 'INVALID_INPUT'],
    ['input not an object', 'x', 'INVALID_INPUT'],
    ['empty value', { ...good, value: '' }, 'INVALID_INPUT'],
    ['empty bytes', { ...good, value: new Uint8Array() }, 'INVALID_INPUT'],
    ['number value', { ...good, value: 42 }, 'INVALID_INPUT'],
    ['object value', { ...good, value: { a: 1 } }, 'INVALID_INPUT'],
    ['lone surrogate value', { ...good, value: 'abc\uD800def-0123456789' }, 'INVALID_INPUT'],
    ['value over 64 KiB', { ...good, value: long }, 'VALUE_TOO_LARGE'],
    [
      'value over 64 KiB in UTF-8',
      { ...good, value: 'é'.repeat(MAX_VALUE_BYTES / 2 + 1) },
      'VALUE_TOO_LARGE',
    ],
    [
      'bytes over 64 KiB',
      { ...good, value: new Uint8Array(MAX_VALUE_BYTES + 1) },
      'VALUE_TOO_LARGE',
    ],
    ['empty kind', { ...good, kind: '' }, 'INVALID_INPUT'],
    ['uppercase kind', { ...good, kind: 'Meta' }, 'INVALID_INPUT'],
    ['kind with space', { ...good, kind: 'a b' }, 'INVALID_INPUT'],
    ['kind too long', { ...good, kind: 'k'.repeat(65) }, 'INVALID_INPUT'],
    ['kind number', { ...good, kind: 1 }, 'INVALID_INPUT'],
    ['empty owner', { ...good, owner: '' }, 'INVALID_INPUT'],
    ['owner with newline', { ...good, owner: 'a\nb' }, 'INVALID_INPUT'],
    ['owner too long', { ...good, owner: 'o'.repeat(257) }, 'INVALID_INPUT'],
    ['label number', { ...good, label: 5 }, 'INVALID_INPUT'],
    ['empty label', { ...good, label: '' }, 'INVALID_INPUT'],
    ['metadata array', { ...good, metadata: [1] }, 'INVALID_INPUT'],
    ['metadata with a date', { ...good, metadata: { d: new Date() } }, 'INVALID_INPUT'],
    ['metadata with NaN', { ...good, metadata: { n: Number.NaN } }, 'INVALID_INPUT'],
    ['metadata with a function', { ...good, metadata: { f: () => 1 } }, 'INVALID_INPUT'],
    ['metadata too large', { ...good, metadata: { s: 'x'.repeat(9000) } }, 'INVALID_INPUT'],
    ['actor empty', { ...good, actor: '' }, 'INVALID_INPUT'],
  ];
  for (const [name, input, code] of putCases) {
    it(`put: ${name} → ${code}, nothing stored`, async () => {
      const { vault, store, events } = setup();
      expect(await codeOf(vault.put(input as never))).toBe(code);
      expect(await store.listEntries({ owner: 'o', limit: 10, includeDeleted: true })).toEqual([]);
      expect(events).toEqual([]);
    });
  }

  it('accepts a value of exactly 64 KiB and unicode everywhere', async () => {
    const { vault, reader } = setup();
    const value = `🔑${'v'.repeat(MAX_VALUE_BYTES - 4)}`;
    const { id } = await vault.put({ kind: 'k', owner: 'org-ü', label: 'ラベル', value });
    expect((await reader.reveal(id, WHO)).expose()).toBe(value);
  });

  const idCases: [string, unknown][] = [
    ['empty', ''],
    ['number', 7],
    ['uppercase', id0.toUpperCase()],
    ['truncated', id0.slice(0, 35)],
    ['sql', "' OR 1=1 --"],
  ];
  for (const [name, id] of idCases) {
    it(`malformed id (${name}) → INVALID_INPUT everywhere`, async () => {
      const { vault, reader } = setup();
      for (const p of [
        vault.describe(id as string),
        vault.rotate(id as string, 'value-0123456789'),
        vault.delete(id as string),
        vault.restore(id as string),
        vault.destroy(id as string),
        reader.reveal(id as string, WHO),
        reader.revealVersions(id as string, WHO),
      ]) {
        expect(await codeOf(p)).toBe('INVALID_INPUT');
      }
    });
  }

  it('unknown ids → NOT_FOUND; bad versions, actors, cursors and limits → INVALID_INPUT', async () => {
    const { vault, reader } = setup();
    expect(await codeOf(vault.rotate(id0, 'value-0123456789'))).toBe('NOT_FOUND');
    expect(await codeOf(vault.delete(id0))).toBe('NOT_FOUND');
    expect(await codeOf(vault.restore(id0))).toBe('NOT_FOUND');
    expect(await codeOf(vault.destroy(id0))).toBe('NOT_FOUND');
    expect(await codeOf(reader.reveal(id0, WHO))).toBe('NOT_FOUND');
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-0123456789' });
    expect(await codeOf(reader.reveal(id, { ...WHO, version: 2 }))).toBe('NOT_FOUND');
    for (const version of [0, -1, 1.5, '1', Number.NaN]) {
      expect(await codeOf(reader.reveal(id, { ...WHO, version: version as number }))).toBe(
        'INVALID_INPUT',
      );
      expect(
        await codeOf(vault.rotate(id, 'value-0123456789', { expectedVersion: version as number })),
      ).toBe('INVALID_INPUT');
    }
    expect(await codeOf(reader.reveal(id, { actor: '', purpose: 'p' }))).toBe('INVALID_INPUT');
    expect(await codeOf(reader.reveal(id, { actor: 'a' } as never))).toBe('INVALID_INPUT');
    expect(await codeOf(reader.reveal(id, undefined as never))).toBe('INVALID_INPUT');
    expect(await codeOf(vault.list({ owner: 'o', cursor: 'page2' }))).toBe('INVALID_INPUT');
    expect(await codeOf(vault.list({ owner: 'o', limit: 0 }))).toBe('INVALID_INPUT');
    expect(await codeOf(vault.list({ owner: 'o', limit: 1001 }))).toBe('INVALID_INPUT');
    expect(await codeOf(vault.list({ owner: '' }))).toBe('INVALID_INPUT');
    expect(await codeOf(vault.list(undefined as never))).toBe('INVALID_INPUT');
    expect(await codeOf(vault.rotate(id, ''))).toBe('INVALID_INPUT');
    for (const options of ['x', { actor: '' }, { actor: 7 }, { actor: 'a\u0000b' }]) {
      expect(await codeOf(vault.delete(id, options as never))).toBe('INVALID_INPUT');
      expect(await codeOf(vault.restore(id, options as never))).toBe('INVALID_INPUT');
      expect(await codeOf(vault.destroy(id, options as never))).toBe('INVALID_INPUT');
    }
    expect((await vault.describe(id)).version).toBe(1);
    expect((await vault.describe(id)).deletedAt).toBeNull();
  });

  it('createVault and createVaultReader check their options', () => {
    const { store, envelope } = setup();
    const bad: unknown[] = [
      undefined,
      {},
      { store },
      { envelope },
      { store: {}, envelope },
      { store, envelope, maxVersions: -1 },
      { store, envelope, maxVersions: 1.5 },
      { store, envelope, retentionMs: -1 },
      { store, envelope, clock: 5 },
      { store, envelope, audit: {} },
      { store, envelope, audit: { emit: 'log' } },
    ];
    for (const options of bad) {
      expect(() => setupVault(options)).toThrowError(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    }
  });

  it('a value under 12 characters previews as … and bytes preview as …', async () => {
    const { vault } = setup();
    const a = await vault.put({ kind: 'k', owner: 'o', value: 'short-pass' });
    const b = await vault.put({ kind: 'k', owner: 'o', value: new Uint8Array([1, 2, 3]) });
    expect((await vault.describe(a.id)).preview).toBe('…');
    expect((await vault.describe(b.id)).preview).toBe('…');
  });
});

it('createVault checks previews and provider', () => {
  const { store, envelope } = setup();
  for (const extra of [
    { previews: [] },
    { previews: { k: 'sk-…' } },
    { previews: { 'Bad Kind': () => '…' } },
    { provider: {} },
    { provider: { primaryKekId: () => '1' } },
  ]) {
    expect(() => createVault({ store, envelope, ...(extra as object) })).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  }
});

function setupVault(options: unknown): void {
  createVault(options as never);
  createVaultReader(options as never);
}

describe('audit', () => {
  it('events carry ids, owner, kind, version, actor, purpose and time — never values', async () => {
    const { vault, reader, events, now } = setup();
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: TOKEN, actor: 'admin-ui' });
    await reader.reveal(id, WHO);
    expect(events).toEqual([
      {
        action: 'put',
        id,
        owner: 'o',
        kind: 'k',
        version: 1,
        actor: 'admin-ui',
        at: new Date(now.ms),
      },
      {
        action: 'reveal',
        id,
        owner: 'o',
        kind: 'k',
        version: 1,
        actor: WHO.actor,
        purpose: WHO.purpose,
        at: new Date(now.ms),
      },
    ]);
    expect(JSON.stringify(events)).not.toContain(TOKEN.slice(4, 20));
  });

  it('a failing sink refuses the reveal (sync throw and async rejection)', async () => {
    for (const emit of [
      () => {
        throw new Error(`sink down ${TOKEN}`);
      },
      async () => Promise.reject(new Error('sink down')),
    ]) {
      const { vault, reader } = setup({}, { audit: { emit } });
      const { id } = await vault.put({ kind: 'k', owner: 'o', value: TOKEN });
      const error = await reader.reveal(id, WHO).catch((e: unknown) => e);
      expect(isCofferError(error, 'AUDIT_FAILED')).toBe(true);
      expect((error as Error).cause).toBeUndefined();
      expect(JSON.stringify(error)).not.toContain(TOKEN);
      expect(inspect(error)).not.toContain(TOKEN);
    }
  });

  it('failOnAuditError: false reveals even when the sink fails', async () => {
    const { vault, reader } = setup(
      {},
      {
        audit: {
          emit: () => {
            throw new Error('down');
          },
        },
        failOnAuditError: false,
      },
    );
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: TOKEN });
    expect((await reader.reveal(id, WHO)).expose()).toBe(TOKEN);
  });

  it('a failing sink on a write reports AUDIT_FAILED with committed: true (the write happened)', async () => {
    const events: VaultAuditEvent[] = [];
    let fail = false;
    const { vault } = setup({
      audit: {
        emit: async (e) => {
          if (fail) throw new Error('down');
          events.push(e);
        },
      },
    });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: TOKEN });
    fail = true;
    const error = await vault.rotate(id, `${TOKEN}-2`).catch((e: unknown) => e);
    expect(isCofferError(error, 'AUDIT_FAILED')).toBe(true);
    expect((error as { details: unknown }).details).toEqual({
      action: 'rotate',
      committed: true,
      id,
      version: 2,
    });
    expect((error as { retryable: boolean }).retryable).toBe(false);
    expect((await vault.describe(id)).version).toBe(2);
  });

  it('a put whose audit event fails still tells the caller its new id', async () => {
    const { vault, reader } = setup({
      audit: {
        emit: () => {
          throw new Error('down');
        },
      },
    });
    const error = await vault.put({ kind: 'k', owner: 'o', value: TOKEN }).catch((e: unknown) => e);
    expect(isCofferError(error, 'AUDIT_FAILED')).toBe(true);
    const details = (error as { details: { id: string; version: number; committed: boolean } })
      .details;
    expect(details).toMatchObject({ action: 'put', committed: true, version: 1 });
    expect((await reader.reveal(details.id, WHO)).expose()).toBe(TOKEN);
    expect(inspect(error)).not.toContain(TOKEN);
  });

  it('a refused reveal is retryable; the error says nothing was committed', async () => {
    const { vault, reader } = setup(
      {},
      {
        audit: {
          emit: () => {
            throw new Error('down');
          },
        },
      },
    );
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: TOKEN });
    const error = await reader.reveal(id, WHO).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'AUDIT_FAILED',
      retryable: true,
      details: { action: 'reveal', committed: false },
    });
  });

  it('delete, restore and destroy record the actor when given', async () => {
    const { vault, events } = setup();
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: TOKEN });
    await vault.delete(id, { actor: 'user_7' });
    await vault.restore(id, { actor: 'user_8' });
    await vault.destroy(id, { actor: 'support' });
    expect(events.map((e) => [e.action, e.actor])).toEqual([
      ['put', undefined],
      ['delete', 'user_7'],
      ['restore', 'user_8'],
      ['destroy', 'support'],
    ]);
    expect(events.slice(1).every((e) => Object.hasOwn(e, 'actor'))).toBe(true);
  });

  it('revealVersions emits one event per version, newest first', async () => {
    const { vault, reader, events } = setup({ maxVersions: 2 });
    const { id } = await vault.put({
      kind: 'webhook-secret',
      owner: 'o',
      value: 'whsec_old_0123456789',
    });
    await vault.rotate(id, 'whsec_mid_0123456789');
    await vault.rotate(id, 'whsec_new_0123456789');
    events.length = 0;
    const versions = await reader.revealVersions(id, WHO);
    expect(versions.map((v) => [v.version, v.value.expose()])).toEqual([
      [3, 'whsec_new_0123456789'],
      [2, 'whsec_mid_0123456789'],
      [1, 'whsec_old_0123456789'],
    ]);
    expect(events.map((e) => [e.action, e.version])).toEqual([
      ['reveal', 3],
      ['reveal', 2],
      ['reveal', 1],
    ]);
  });

  it('purgeExpired emits purge events', async () => {
    const { vault, events, now } = setup({ retentionMs: 1000 });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: TOKEN });
    await vault.delete(id);
    now.ms += 1001;
    expect(await vault.purgeExpired({ batchSize: 1 })).toEqual({ purged: 1 });
    expect(events.at(-1)).toMatchObject({ action: 'purge', id, version: 1 });
  });
});

describe('nothing on the public face holds plaintext', () => {
  it('describe, list, results, JSON and inspect never contain the value', async () => {
    const { vault } = setup();
    const { id } = await vault.put({ kind: 'k', owner: 'o', label: 'l', value: TOKEN });
    const ref = await vault.rotate(id, `${TOKEN}-rotated`);
    const outputs: unknown[] = [
      ref,
      await vault.describe(id),
      await vault.list({ owner: 'o' }),
      await vault.delete(id),
      await vault.restore(id),
    ];
    for (const out of outputs) {
      expect(JSON.stringify(out)).not.toContain(TOKEN.slice(4, 12));
      expect(inspect(out, { depth: 10 })).not.toContain(TOKEN.slice(4, 12));
    }
  });

  it('a Redacted reveal prints as [REDACTED]', async () => {
    const { vault, reader } = setup();
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: TOKEN });
    const secret = await reader.reveal(id, WHO);
    expect(String(secret)).toBe('[REDACTED]');
    expect(JSON.stringify({ secret })).not.toContain(TOKEN);
    expect(inspect(secret)).not.toContain(TOKEN);
  });

  it('errors never carry the value', async () => {
    const { vault } = setup();
    const errors = [
      await vault.put({ kind: 'K!', owner: 'o', value: TOKEN }).catch((e: unknown) => e),
      await vault
        .put({ kind: 'k', owner: 'o', value: TOKEN.repeat(3000) })
        .catch((e: unknown) => e),
      await vault.put({ kind: 'k', owner: '', value: TOKEN }).catch((e: unknown) => e),
    ];
    for (const error of errors) {
      expect(isCofferError(error)).toBe(true);
      expect(JSON.stringify(error)).not.toContain(TOKEN.slice(4, 12));
      expect(inspect(error)).not.toContain(TOKEN.slice(4, 12));
      expect(String((error as Error).message)).not.toContain(TOKEN.slice(4, 12));
    }
  });
});

describe('bytes', () => {
  it('reveal refuses bytes that are not UTF-8 (INVALID_ENCODING); revealBytes returns them', async () => {
    const { vault, reader } = setup();
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x80]);
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: bytes });
    expect(await codeOf(reader.reveal(id, WHO))).toBe('INVALID_ENCODING');
    expect((await reader.revealBytes(id, WHO)).expose()).toEqual(bytes);
  });

  it('a throwing preview function is refused without its error, nothing stored', async () => {
    const { vault, store } = setup({
      previews: {
        k: (v) => {
          throw new Error(`cannot preview ${v}`);
        },
      },
    });
    const error = await vault.put({ kind: 'k', owner: 'o', value: TOKEN }).catch((e: unknown) => e);
    expect(isCofferError(error, 'INVALID_INPUT')).toBe(true);
    expect(inspect(error)).not.toContain(TOKEN);
    expect(await store.listEntries({ owner: 'o', limit: 5 })).toEqual([]);
  });
});

describe('contention', () => {
  it('rotations beyond the retry budget fail with VERSION_CONFLICT; the winners have distinct versions', async () => {
    const { vault, store } = setup({ maxVersions: 100 });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-0123456789' });
    const settled = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => vault.rotate(id, `value-race-${i}-0123456789`)),
    );
    const versions = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.version] : []));
    const failed = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
    expect(versions.length + failed.length).toBe(40);
    expect(versions.length).toBeGreaterThanOrEqual(16);
    expect([...versions].sort((a, b) => a - b)).toEqual(
      Array.from({ length: versions.length }, (_, i) => i + 2),
    );
    for (const error of failed) {
      expect(isCofferError(error, 'VERSION_CONFLICT')).toBe(true);
      const details = (error as { details: { expectedVersion: number; currentVersion: number } })
        .details;
      expect(details.expectedVersion).toBeLessThan(details.currentVersion);
    }
    expect((await store.listVersions(id)).length).toBe(versions.length + 1);
  });
});

describe('ids', () => {
  it('are unique UUIDv7s whose order follows the clock', async () => {
    const { vault, now } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 600; i++) {
      now.ms += 1;
      ids.push((await vault.put({ kind: 'k', owner: 'o', value: 'value-0123456789' })).id);
    }
    expect(new Set(ids).size).toBe(600);
    expect(ids.every((id) => UUID7.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('list', () => {
  it('nextCursor is null on the last page, even when it is full', async () => {
    const { vault } = setup();
    for (let i = 0; i < 4; i++)
      await vault.put({ kind: 'k', owner: 'o', value: `value-${i}-0123456789` });
    expect((await vault.list({ owner: 'o', limit: 4 })).nextCursor).toBeNull();
    const first = await vault.list({ owner: 'o', limit: 3 });
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).toBe(first.items[2]?.id);
    const second = await vault.list({ owner: 'o', limit: 3, cursor: first.nextCursor ?? '' });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    expect(await vault.list({ owner: 'nobody' })).toEqual({ items: [], nextCursor: null });
  });
});

describe('reveal reads the entry and its version together', () => {
  it("uses the store's getEntryWithVersion (one read) when it has one", async () => {
    const { store, vault, envelope } = setup();
    const calls: string[] = [];
    const counted: VaultStore = {
      ...store,
      getEntry: (id) => {
        calls.push('getEntry');
        return store.getEntry(id);
      },
      getVersion: (id, v) => {
        calls.push('getVersion');
        return store.getVersion(id, v);
      },
      getEntryWithVersion: (id, v) => {
        calls.push('getEntryWithVersion');
        return store.getEntryWithVersion(id, v);
      },
    };
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: TOKEN });
    await vault.rotate(id, `${TOKEN}-2`);
    const reader = createVaultReader({ store: counted, envelope, audit: 'unaudited' });
    expect((await reader.reveal(id, WHO)).expose()).toBe(`${TOKEN}-2`);
    expect((await reader.reveal(id, { ...WHO, version: 1 })).expose()).toBe(TOKEN);
    expect(calls).toEqual(['getEntryWithVersion', 'getEntryWithVersion']);
  });

  it('without it, a current version missing twice is missing: NOT_FOUND after two reads, no loop', async () => {
    const { store, vault, envelope } = setup();
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: TOKEN });
    let entryReads = 0;
    const { getEntryWithVersion: _, ...required } = store;
    const broken: VaultStore = {
      ...required,
      getEntry: (entryId) => {
        entryReads++;
        return store.getEntry(entryId);
      },
      getVersion: async () => undefined,
    };
    const reader = createVaultReader({ store: broken, envelope, audit: 'unaudited' });
    await expect(reader.reveal(id, WHO)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(entryReads).toBe(2);
  });

  it('without it, reads the entry again when a rotation pruned the current version in between', async () => {
    const { store, vault, envelope } = setup({ maxVersions: 0 });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: TOKEN });
    let raced = false;
    const { getEntryWithVersion: _, ...required } = store;
    const racing: VaultStore = {
      ...required,
      // The first read of the entry is followed by a rotation that prunes version 1.
      getEntry: async (entryId) => {
        const entry = await store.getEntry(entryId);
        if (!raced) {
          raced = true;
          await vault.rotate(id, `${TOKEN}-2`);
        }
        return entry;
      },
    };
    const reader = createVaultReader({ store: racing, envelope, audit: 'unaudited' });
    expect((await reader.reveal(id, WHO)).expose()).toBe(`${TOKEN}-2`);
    expect(raced).toBe(true);
    await expect(reader.reveal(id, { ...WHO, version: 1 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
