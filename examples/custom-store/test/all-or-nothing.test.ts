// What docs/custom-store.md teaches, checked on the template: a write is all-or-nothing. When the
// write or the rename of the file fails, the method rejects with STORE_WRITE_FAILED and neither the
// file nor the store's memory keeps any part of the change — in particular, the next successful
// write does not save it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiKeyRecord } from '@coffer/api-keys';
import type { VaultEntryRecord, VaultVersionRecord } from '@coffer/vault';
import { afterAll, describe, expect, it } from 'vitest';
import { openJsonFileApiKeyStore } from '../src/json-file-api-key-store.ts';
import { openJsonFileVaultStore } from '../src/json-file-vault-store.ts';
import { failingFs, siblings } from './failing-fs.ts';

const dir = mkdtempSync(join(tmpdir(), 'coffer-json-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh, empty directory for one case. */
const fresh = (name: string): string => {
  const sub = join(dir, name);
  mkdirSync(sub);
  return sub;
};

const T0 = 1_750_000_000_000;
const uuid = (n: number) => `0190f5b2-7c1e-7a3b-9c4d-${String(n).padStart(12, '0')}`;

function entry(id: string): VaultEntryRecord {
  return {
    id,
    owner: 'org_1',
    kind: 'webhook-secret',
    label: null,
    name: null,
    status: null,
    metadata: {},
    preview: 'wh…01',
    version: 1,
    revision: 1,
    createdAt: T0,
    updatedAt: T0,
    deletedAt: null,
  };
}

function version(id: string, v: number): VaultVersionRecord {
  return { id, version: v, kekId: '1', sealed: Uint8Array.of(1, 2, 3, v), createdAt: T0 + v };
}

function key(keyId: string): ApiKeyRecord {
  return {
    keyId,
    organizationId: 'org_1',
    env: 'live',
    name: 'partner',
    scopes: ['events:read'],
    tier: 'standard',
    start: `lp_live_${keyId}`,
    secretHash: `$2b$04$${'a'.repeat(53)}`,
    metadata: {},
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    createdAt: T0,
    expiresAt: null,
    rotatedAt: null,
    revokedAt: null,
    killed: false,
    lastUsedAt: null,
    revision: 1,
  };
}

describe('examples/custom-store: a failed write changes nothing', () => {
  it('JSON-file vault store: insert, rotate and delete that fail leave file and memory as they were', async () => {
    const path = join(fresh('vault'), 'vault.json');
    const disk = failingFs();
    const store = await openJsonFileVaultStore(path, { fs: disk.fs });
    await store.insertEntry(entry(uuid(1)), version(uuid(1), 1));

    disk.failNext('writeFile');
    await expect(store.insertEntry(entry(uuid(2)), version(uuid(2), 1))).rejects.toMatchObject({
      code: 'STORE_WRITE_FAILED',
    });
    expect(await store.getEntry(uuid(2))).toBeUndefined();
    expect(await store.listVersions(uuid(2))).toEqual([]);

    disk.failNext('rename');
    await expect(
      store.rotate({
        id: uuid(1),
        expectedVersion: 1,
        next: version(uuid(1), 2),
        preview: 'wh…02',
        keepVersions: 0,
      }),
    ).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    expect(await store.getEntry(uuid(1))).toMatchObject({ version: 1, preview: 'wh…01' });
    expect((await store.listVersions(uuid(1))).map((v) => v.version)).toEqual([1]);

    disk.failNext('writeFile');
    await expect(store.markDeleted(uuid(1), T0 + 9)).rejects.toMatchObject({
      code: 'STORE_WRITE_FAILED',
    });
    expect((await store.getEntry(uuid(1)))?.deletedAt).toBeNull();

    disk.failNext('rename');
    await expect(
      store.updateEntry({ id: uuid(1), expectedRevision: 1, changes: { status: 'disabled' } }),
    ).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    expect(await store.getEntry(uuid(1))).toMatchObject({ status: null, revision: 1 });

    // The next write succeeds and must not carry any of the failed changes to the file.
    await store.insertEntry(entry(uuid(3)), version(uuid(3), 1));
    const reopened = await openJsonFileVaultStore(path);
    expect(await reopened.getEntry(uuid(1))).toMatchObject({
      version: 1,
      preview: 'wh…01',
      deletedAt: null,
      status: null,
      revision: 1,
    });
    expect(await reopened.getEntry(uuid(2))).toBeUndefined();
    expect(await reopened.getEntry(uuid(3))).toMatchObject({ id: uuid(3) });
    expect((await reopened.listVersions(uuid(1))).map((v) => v.version)).toEqual([1]);
    expect(siblings(path)).toEqual(['vault.json']); // no temporary file left behind
  });

  it('JSON-file API-key store: insert, update, touch and kill switch that fail leave file and memory as they were', async () => {
    const path = join(fresh('api-keys'), 'api-keys.json');
    const disk = failingFs();
    const store = await openJsonFileApiKeyStore(path, { fs: disk.fs });
    const first = '0000000000000001';
    const second = '0000000000000002';
    expect(await store.insertKey(key(first))).toBe(true);

    disk.failNext('writeFile');
    await expect(store.insertKey(key(second))).rejects.toMatchObject({
      code: 'STORE_WRITE_FAILED',
    });
    expect(await store.getKey(second)).toBeNull();

    disk.failNext('rename');
    await expect(store.updateKey(first, 1, { killed: true })).rejects.toMatchObject({
      code: 'STORE_WRITE_FAILED',
    });
    expect(await store.getKey(first)).toMatchObject({ killed: false, revision: 1 });

    disk.failNext('writeFile');
    await expect(
      store.setKillSwitch({ scope: 'organization', organizationId: 'org_1' }, true, T0),
    ).rejects.toMatchObject({ code: 'STORE_WRITE_FAILED' });
    expect(await store.getKillSwitch({ scope: 'organization', organizationId: 'org_1' })).toBe(
      false,
    );

    // A stale revision still loses after the failure: the failed update did not bump it.
    expect(await store.updateKey(first, 2, { revokedAt: T0 })).toBe(false);
    await store.touchKey(first, T0 + 5);
    const reopened = await openJsonFileApiKeyStore(path);
    expect(await reopened.getKey(first)).toMatchObject({
      killed: false,
      revokedAt: null,
      revision: 1,
      lastUsedAt: T0 + 5,
    });
    expect(await reopened.getKey(second)).toBeNull();
    expect(await reopened.getKillSwitch({ scope: 'organization', organizationId: 'org_1' })).toBe(
      false,
    );
    expect(siblings(path)).toEqual(['api-keys.json']);
  });

  it('a vault file written before names opens upgraded: its entries get no name, no status, revision 1', async () => {
    const path = join(fresh('old-format'), 'vault.json');
    const { name: _n, status: _s, revision: _r, ...old } = entry(uuid(7));
    writeFileSync(
      path,
      JSON.stringify({
        entries: { [uuid(7)]: old },
        versions: { [uuid(7)]: { '1': { version: 1, kekId: '1', sealed: 'AQID', createdAt: T0 } } },
      }),
    );
    const store = await openJsonFileVaultStore(path);
    expect(await store.getEntry(uuid(7))).toMatchObject({ name: null, status: null, revision: 1 });
    expect(
      await store.updateEntry({ id: uuid(7), expectedRevision: 1, changes: { status: 'active' } }),
    ).toBe(true);
    await expect((await openJsonFileVaultStore(path)).getEntry(uuid(7))).resolves.toMatchObject({
      status: 'active',
      revision: 2,
    });
  });

  it('a file that is not a store fails to open with STORE_OPEN_FAILED, naming no content', async () => {
    const path = join(fresh('mixed-up'), 'store.json');
    writeFileSync(path, JSON.stringify({ keys: {}, killSwitches: {} })); // an API-key store file
    await expect(openJsonFileVaultStore(path)).rejects.toMatchObject({
      code: 'STORE_OPEN_FAILED',
      details: { path },
    });
  });
});
