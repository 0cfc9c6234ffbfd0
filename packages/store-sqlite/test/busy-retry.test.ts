// While another connection holds SQLite's write lock, store writes wait on timers (the event loop
// keeps running) and give up with STORE_BUSY after busyRetryMs, having written nothing.
import { isCofferError } from '@coffer/core';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createVault } from '@coffer/vault';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore, type SqliteStore } from '../src/index.js';
import { makeTempDir } from './temp-dir.js';

const dir = makeTempDir('busy');
const filename = dir.file('busy.db');
let storage: SqliteStore;
let locker: Database.Database;
const envelope = createEnvelope({
  provider: createLocalKeyProvider(
    Keyring.fromKeys([{ id: 1, key: generateKek().expose(), status: 'primary' }]),
  ),
});

beforeAll(async () => {
  storage = createSqliteStore({ filename, busyRetryMs: 150 });
  await storage.migrate();
  locker = new Database(filename);
});

afterAll(async () => {
  locker.close();
  await storage.close();
  dir.remove();
});

describe('SQLITE_BUSY handling', () => {
  it('gives up with STORE_BUSY (retryable, 503) after busyRetryMs, nothing written', async () => {
    const vault = createVault({ store: storage.vault, envelope });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-busy-0123456789' });
    locker.exec('begin immediate');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    let caught: unknown;
    try {
      await vault.rotate(id, 'value-busy-rotated-0123');
    } catch (e) {
      caught = e;
    } finally {
      clearInterval(timer);
      locker.exec('rollback');
    }
    expect(isCofferError(caught, 'STORE_BUSY')).toBe(true);
    const err = caught as { retryable: boolean; status: number; details: Record<string, unknown> };
    expect(err.retryable).toBe(true);
    expect(err.status).toBe(503);
    expect(err.details.dialect).toBe('sqlite');
    expect(Number(err.details.attempts)).toBeGreaterThan(1);
    expect(Number(err.details.waitedMs)).toBeGreaterThan(50);
    // The event loop kept running while the store waited.
    expect(ticks).toBeGreaterThan(3);
    expect((await storage.vault.getEntry(id))?.version).toBe(1);
    expect((await storage.vault.listVersions(id)).map((r) => r.version)).toEqual([1]);
  });

  it('succeeds once the other writer commits within the bound', async () => {
    const vault = createVault({ store: storage.vault, envelope });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-wait-0123456789' });
    locker.exec('begin immediate');
    setTimeout(() => locker.exec('commit'), 40);
    expect(await vault.rotate(id, 'value-wait-rotated-0123')).toEqual({ id, version: 2 });
  });

  it('reads are not blocked by a writer (WAL)', async () => {
    const vault = createVault({ store: storage.vault, envelope });
    const { id } = await vault.put({ kind: 'k', owner: 'o', value: 'value-read-0123456789' });
    locker.exec('begin immediate');
    try {
      expect((await storage.vault.getEntry(id))?.version).toBe(1);
    } finally {
      locker.exec('rollback');
    }
  });
});
