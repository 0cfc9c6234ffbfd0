// update(): clear-text status, label and metadata set by check-and-set (revision, optionally
// version), validated like put's, audited; concurrent updates have one winner; an update pinned to
// a version never lands on a newer one.
import { describe, expect, it } from 'vitest';
import {
  createVault,
  RevisionConflictError,
  type VaultStore,
  VersionConflictError,
} from '../src/index.js';
import { setup, TOKEN } from './_helpers.js';

describe('update', () => {
  it('sets status, label and metadata, bumps the revision, leaves value, version and name alone', async () => {
    const { vault, reader, events } = setup();
    const { id } = await vault.put({
      kind: 'provider-key',
      owner: 'org_1',
      name: 'openai',
      status: 'active',
      label: 'OpenAI',
      metadata: { validated: 1 },
      value: TOKEN,
    });
    const updated = await vault.update(
      id,
      { status: 'invalid', metadata: { reason: 'key_rejected', at: 2 } },
      { actor: 'provider-keys' },
    );
    expect(updated).toMatchObject({
      id,
      status: 'invalid',
      label: 'OpenAI',
      name: 'openai',
      metadata: { reason: 'key_rejected', at: 2 },
      revision: 2,
      version: 1,
    });
    expect(await vault.describe(id)).toEqual(updated);
    expect((await vault.update(id, { label: null, status: null })).revision).toBe(3);
    expect(await vault.describe(id)).toMatchObject({ label: null, status: null, revision: 3 });
    expect((await reader.reveal(id, { actor: 'a', purpose: 'p' })).expose()).toBe(TOKEN);
    expect(events.filter((e) => e.action === 'update')).toEqual([
      expect.objectContaining({
        owner: 'org_1',
        name: 'openai',
        version: 1,
        revision: 2,
        fields: ['metadata', 'status'],
        actor: 'provider-keys',
      }),
      expect.objectContaining({ revision: 3, fields: ['label', 'status'] }),
    ]);
    // A rotation changes the version, not the revision.
    await vault.rotate(id, `${TOKEN}-2`);
    expect(await vault.describe(id)).toMatchObject({ version: 2, revision: 3 });
  });

  it('expectedRevision and expectedVersion are check-and-set: a stale one conflicts and changes nothing', async () => {
    const { vault } = setup();
    const { id } = await vault.put({ kind: 'k', owner: 'o', status: 'active', value: TOKEN });
    await vault.update(id, { status: 'disabled' }, { expectedRevision: 1 });
    const stale = await vault
      .update(id, { status: 'active' }, { expectedRevision: 1 })
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(RevisionConflictError);
    expect(stale).toMatchObject({
      code: 'REVISION_CONFLICT',
      status: 409,
      details: { id, expectedRevision: 1, currentRevision: 2 },
    });
    await vault.rotate(id, `${TOKEN}-2`);
    const old = await vault
      .update(id, { status: 'invalid' }, { expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(old).toBeInstanceOf(VersionConflictError);
    expect(old).toMatchObject({ details: { id, expectedVersion: 1, currentVersion: 2 } });
    expect(await vault.describe(id)).toMatchObject({ status: 'disabled', revision: 2 });
    expect(
      (await vault.update(id, { status: 'invalid' }, { expectedVersion: 2, expectedRevision: 2 }))
        .revision,
    ).toBe(3);
  });

  it('a deleted entry is DELETED; an unknown one NOT_FOUND', async () => {
    const { vault } = setup();
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: TOKEN });
    await vault.delete(id);
    await expect(vault.update(id, { status: 'x' })).rejects.toMatchObject({ code: 'DELETED' });
    await vault.destroy(id);
    await expect(vault.update(id, { status: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('of 30 concurrent updates from one revision exactly one wins; without expectedRevision all land in turn', async () => {
    const { vault } = setup();
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: TOKEN });
    const settled = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        vault.update(id, { metadata: { writer: i } }, { expectedRevision: 1 }),
      ),
    );
    const won = settled.filter((s) => s.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const s of settled) {
      if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'REVISION_CONFLICT' });
    }
    expect((await vault.describe(id)).revision).toBe(2);
    const free = await Promise.all(
      Array.from({ length: 10 }, (_, i) => vault.update(id, { metadata: { writer: i } })),
    );
    expect(free.map((r) => r.revision).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 3),
    );
  });

  it('an update pinned to a version that a rotation overtakes between its read and its write never applies', async () => {
    const { store, vault, envelope } = setup();
    const { id } = await vault.put({ kind: 'k', owner: 'o', status: 'active', value: TOKEN });
    let raced = false;
    const racing: VaultStore = {
      ...store,
      // The rotation commits after the update read the entry and before its statement runs.
      updateEntry: async (input) => {
        if (!raced) {
          raced = true;
          await vault.rotate(id, `${TOKEN}-2`);
        }
        return store.updateEntry(input);
      },
    };
    const marking = createVault({ store: racing, envelope });
    await expect(
      marking.update(id, { status: 'invalid' }, { expectedVersion: 1 }),
    ).rejects.toMatchObject({ code: 'VERSION_CONFLICT', details: { currentVersion: 2 } });
    expect(await vault.describe(id)).toMatchObject({ status: 'active', version: 2, revision: 1 });
  });

  it('bad changes and options are INVALID_INPUT with nothing changed', async () => {
    const { vault } = setup();
    const { id } = await vault.put({ kind: 'k', owner: 'o', metadata: { a: 1 }, value: TOKEN });
    const bad: Array<[string, unknown, unknown?]> = [
      ['no changes', {}],
      ['only undefined changes', { status: undefined }],
      ['a name change', { name: 'renamed' }],
      ['a value', { value: 'x' }],
      ['a version', { version: 3 }],
      ['metadata with NUL', { metadata: { a: 'x\u0000' } }],
      ['metadata with a lone surrogate', { metadata: { '\ud800': 1 } }],
      ['metadata that is an array', { metadata: [1] }],
      ['metadata over 8 KiB', { metadata: { a: 'x'.repeat(9000) } }],
      ['a label over 256 characters', { label: 'l'.repeat(257) }],
      ['a label with a control character', { label: 'a\u0007' }],
      ['changes that are not an object', 'status'],
      ['a zero expectedRevision', { status: 'x' }, { expectedRevision: 0 }],
      ['a fractional expectedVersion', { status: 'x' }, { expectedVersion: 1.5 }],
      ['an empty actor', { status: 'x' }, { actor: '' }],
    ];
    for (const [label, changes, options] of bad) {
      await expect(
        vault.update(id, changes as { status: string }, options as undefined),
        label,
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    await expect(vault.update('not-an-id', { status: 'x' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(await vault.describe(id)).toMatchObject({
      revision: 1,
      metadata: { a: 1 },
      status: null,
      label: null,
    });
  });

  it('a failing audit sink on update reports AUDIT_FAILED committed: the update happened', async () => {
    const { vault, store, envelope } = setup();
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: TOKEN });
    const failing = createVault({
      store,
      envelope,
      audit: {
        emit: () => {
          throw new Error('sink down');
        },
      },
    });
    await expect(failing.update(id, { status: 'x' })).rejects.toMatchObject({
      code: 'AUDIT_FAILED',
      details: { action: 'update', committed: true, id },
    });
    expect((await vault.describe(id)).status).toBe('x');
  });
});
