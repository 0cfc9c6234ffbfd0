// The @example blocks of the public TSDoc, run as written (the conformance example is
// memory-store.conformance.test.ts).
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { describe, expect, it, vi } from 'vitest';
import {
  AuditFailedError,
  createMemoryVaultStore,
  createVault,
  createVaultReader,
  defaultPreview,
  KekMismatchError,
  KeysMissingError,
  MAX_VALUE_BYTES,
  type RevealedEntry,
  type RevealedVersions,
  RevisionConflictError,
  type ScopedVaultListOptions,
  type ScopedVaultPutInput,
  ValueTooLargeError,
  type VaultEntryChanges,
  VaultEntryDeletedError,
  VaultNameTakenError,
  VaultNotFoundError,
  type VaultScope,
  VaultStoreUnsupportedError,
  type VaultUpdateOptions,
  type VaultUpdateRecord,
  VersionConflictError,
} from '../src/index.js';

const newEnvelope = () =>
  createEnvelope({
    provider: createLocalKeyProvider(
      Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
    ),
  });

describe('TSDoc examples', () => {
  it('createMemoryVaultStore', async () => {
    const vault = createVault({ store: createMemoryVaultStore(), envelope: newEnvelope() });
    const { id } = await vault.put({
      kind: 'webhook-secret',
      owner: 'org_1',
      value: 'whsec_0123456789abcdef',
    });
    expect(id).toHaveLength(36);
    expect(
      await createMemoryVaultStore().getEntry('0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3'),
    ).toBeUndefined();
  });

  it('Vault', async () => {
    const vault = createVault({ store: createMemoryVaultStore(), envelope: newEnvelope() });
    const { id } = await vault.put({
      kind: 'meta-capi-token',
      owner: 'org_42',
      value: 'EAAGm0PX4ZCpsBA1234567890abcd',
    });
    expect(await vault.rotate(id, 'EAAGnewtoken0987654321zyxw', { expectedVersion: 1 })).toEqual({
      id,
      version: 2,
    });
    expect((await vault.describe(id)).preview).toBe('EAAG…zyxw');
  });

  it('createVault', async () => {
    const provider = createLocalKeyProvider(
      Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
    );
    const vault = createVault({
      store: createMemoryVaultStore(),
      envelope: createEnvelope({ provider }),
      provider,
    });
    const { version } = await vault.put({
      kind: 'webhook-secret',
      owner: 'org_1',
      value: 'whsec_9f8e7d6c5b4a39281706',
    });
    expect(version).toBe(1);
    expect(await vault.verifyKeys()).toEqual({ kekIds: ['1'], primaryKekId: '1' });
  });

  it('VaultReader', async () => {
    const store = createMemoryVaultStore();
    const envelope = newEnvelope();
    const vault = createVault({ store, envelope });
    const logged: string[] = [];
    const reader = createVaultReader({
      store,
      envelope,
      audit: { emit: (e) => void logged.push(e.action) },
    });
    const { id } = await vault.put({
      kind: 'meta-capi-token',
      owner: 'org_42',
      value: 'EAAGm0PX4ZCpsBA1234567890abcd',
    });
    const token = await reader.reveal(id, { actor: 'capi-relay', purpose: 'send events' });
    expect(token.expose()).toBe('EAAGm0PX4ZCpsBA1234567890abcd');
    expect(logged).toEqual(['reveal']);
  });

  it('createVaultReader', async () => {
    const store = createMemoryVaultStore();
    const envelope = newEnvelope();
    const vault = createVault({ store, envelope });
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      const reader = createVaultReader({
        store,
        envelope,
        audit: { emit: (e) => console.log(e.action, e.id, e.actor) },
      });
      const { id } = await vault.put({
        kind: 'webhook-secret',
        owner: 'org_1',
        value: 'whsec_old_0123456789',
      });
      await vault.rotate(id, 'whsec_new_9876543210');
      const versions = await reader.revealVersions(id, {
        actor: 'webhook-verifier',
        purpose: 'verify signature',
      });
      expect(versions.map((v) => v.version)).toEqual([2, 1]);
      expect(log.mock.calls).toEqual([
        ['reveal', id, 'webhook-verifier'],
        ['reveal', id, 'webhook-verifier'],
      ]);
    } finally {
      log.mockRestore();
    }
  });

  it('ScopedVault', async () => {
    const vault = createVault({ store: createMemoryVaultStore(), envelope: newEnvelope() });
    const acme = vault.forOwner('org_acme');
    const { id } = await acme.put({
      kind: 'meta-capi-token',
      name: 'pixel-1234',
      value: 'EAAGm0PX4ZCpsBA1234567890abcd',
    });
    expect((await acme.findByName('pixel-1234'))?.id === id).toBe(true);
    await expect(vault.forOwner('org_other').describe(id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('ScopedVaultReader', async () => {
    const store = createMemoryVaultStore();
    const envelope = newEnvelope();
    await createVault({ store, envelope }).forOwner('org_acme').put({
      kind: 'provider-key',
      name: 'openai',
      status: 'active',
      value: 'sk-proj-0123456789abcdef',
    });
    const reader = createVaultReader({ store, envelope, audit: { emit: () => {} } });
    const found = await reader
      .forOwner('org_acme')
      .revealByName('openai', { actor: 'proxy', purpose: 'call openai' });
    expect(found.entry.status).toBe('active');
    expect(found.value.expose()).toBe('sk-proj-0123456789abcdef');
    await expect(
      reader
        .forOwner('org_other')
        .revealByName('openai', { actor: 'proxy', purpose: 'call openai' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const usable = (r: RevealedEntry) => r.entry.status === 'active';
    expect(usable(found)).toBe(true);
  });

  it('the shapes of names, scopes and updates, used as their examples use them', async () => {
    const store = createMemoryVaultStore();
    const envelope = newEnvelope();
    const vault = createVault({ store, envelope });
    const input: ScopedVaultPutInput = {
      kind: 'provider-key',
      name: 'openai',
      status: 'active',
      value: 'sk-proj-…',
    };
    const acme = vault.forOwner('org_42');
    const { id } = await acme.put({ ...input, value: 'sk-proj-0123456789abcdef' });
    const listOptions: ScopedVaultListOptions = { kind: 'provider-key', limit: 20 };
    expect((await acme.list(listOptions)).items.map((e) => e.id)).toEqual([id]);
    const scope: VaultScope = { owner: 'org_42' };
    expect((await store.getEntry(id, scope))?.name).toBe('openai');
    const changes: VaultEntryChanges = {
      status: 'disabled',
      metadata: { reason: 'customer request' },
    };
    const options: VaultUpdateOptions = { expectedVersion: 1, actor: 'provider-keys' };
    expect((await acme.update(id, changes, options)).status).toBe('disabled');
    const record: VaultUpdateRecord = {
      id,
      owner: 'org_42',
      expectedRevision: 2,
      expectedVersion: 1,
      changes: { status: 'invalid' },
    };
    expect(await store.updateEntry(record)).toBe(true);
    await acme.rotate(id, 'sk-proj-fedcba9876543210');
    const reader = createVaultReader({ store, envelope, audit: 'unaudited' });
    const accepted = (r: RevealedVersions) => r.versions.map((v) => v.version);
    const read = await reader
      .forOwner('org_42')
      .revealVersionsByName('openai', { actor: 'a', purpose: 'p' });
    expect(accepted(read)).toEqual([2, 1]);
  });

  it('MemoryVaultStore', async () => {
    const store = createMemoryVaultStore();
    expect((await store.rawDump()).length).toBe(0);
  });

  it('MAX_VALUE_BYTES', () => {
    const fits = (token: string) => new TextEncoder().encode(token).length <= MAX_VALUE_BYTES;
    expect(fits('x'.repeat(65_536))).toBe(true);
    expect(fits('é'.repeat(32_769))).toBe(false);
  });

  it('defaultPreview', () => {
    expect(defaultPreview('sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c')).toBe('sk-proj-…6b5c');
    expect(defaultPreview('short')).toBe('…');
    expect(defaultPreview('\u0000tok_0123456789\u0000')).toBe('\uFFFD…789\uFFFD');
  });

  it('errors', () => {
    const id = '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3';
    expect(new VaultNotFoundError(id).code).toBe('NOT_FOUND');
    expect(new VersionConflictError(id, 1, 2).details).toEqual({
      id,
      expectedVersion: 1,
      currentVersion: 2,
    });
    expect(new VaultEntryDeletedError(id).status).toBe(410);
    expect(new ValueTooLargeError(65_536).details).toEqual({ maxBytes: 65536 });
    expect(new AuditFailedError('reveal', false).code).toBe('AUDIT_FAILED');
    expect(new AuditFailedError('put', true, { id, version: 1 }).details).toEqual({
      action: 'put',
      committed: true,
      id,
      version: 1,
    });
    expect(new KekMismatchError(['2']).details).toEqual({ kekIds: ['2'] });
    expect(new VaultNotFoundError({ name: 'openai' }).details).toEqual({ name: 'openai' });
    expect(new VaultNameTakenError('openai').details).toEqual({ name: 'openai' });
    expect(new VaultNameTakenError('openai').code).toBe('NAME_TAKEN');
    expect(new RevisionConflictError(id, 3, 4).details).toEqual({
      id,
      expectedRevision: 3,
      currentRevision: 4,
    });
    expect(new VaultStoreUnsupportedError('getEntryByName').details).toEqual({
      method: 'getEntryByName',
    });
    expect(new KeysMissingError(['1'], []).details).toEqual({
      kekIds: ['1'],
      unknown: ['1'],
      retired: [],
    });
  });
});
