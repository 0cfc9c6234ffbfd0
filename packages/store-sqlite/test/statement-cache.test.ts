// cacheSqliteStatements: each distinct SQL text is prepared once and reused, at most `size` kept
// (least recently used dropped first), a statement still iterating is never handed out again, and
// the quick path's Kysely uses it.
import { isCofferError } from '@coffer/core';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createVault, createVaultReader } from '@coffer/vault';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import {
  cacheSqliteStatements,
  configureSqliteDatabase,
  createSqliteStore,
  type SqliteStatementSource,
} from '../src/index.js';

const envelope1 = createEnvelope({
  provider: createLocalKeyProvider(
    Keyring.fromKeys([{ id: 1, key: generateKek().expose(), status: 'primary' }]),
  ),
});
const who = { actor: 'test', purpose: 'statement cache' };

/** A database that counts how often each SQL text is prepared. */
function counting(): {
  source: SqliteStatementSource;
  prepared: Map<string, number>;
  db: Database.Database;
} {
  const db = new Database(':memory:');
  configureSqliteDatabase(db);
  const prepared = new Map<string, number>();
  return {
    db,
    prepared,
    source: {
      prepare: (text) => {
        prepared.set(text, (prepared.get(text) ?? 0) + 1);
        return db.prepare(text);
      },
      close: () => db.close(),
    },
  };
}

describe('cacheSqliteStatements', () => {
  it('prepares each statement of a store once, however often it runs', async () => {
    const { source, prepared } = counting();
    const db = new Kysely<unknown>({
      dialect: new SqliteDialect({ database: cacheSqliteStatements(source) }),
    });
    const storage = createSqliteStore({ db });
    await storage.migrate();
    const vault = createVault({ store: storage.vault, envelope: envelope1 });
    const reader = createVaultReader({
      store: storage.vault,
      envelope: envelope1,
      audit: 'unaudited',
    });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push((await vault.put({ kind: 'k', owner: 'o', value: `value-${i}-0123456789` })).id);
    }
    for (const [i, id] of ids.entries()) {
      expect((await reader.reveal(id, who)).expose()).toBe(`value-${i}-0123456789`);
    }
    const counts = [...prepared].filter(([text]) => /coffer_vault/.test(text));
    expect(counts.length).toBeGreaterThan(2);
    for (const [text, n] of counts) expect(n, text).toBe(1);
    await db.destroy();
  });

  it('keeps at most `size` statements, dropping the least recently used', () => {
    const { source, prepared } = counting();
    const cache = cacheSqliteStatements(source, { size: 2 });
    for (const text of ['select 1', 'select 2', 'select 1', 'select 3', 'select 1', 'select 2']) {
      cache.prepare(text).all([]);
    }
    // 'select 2' was the least recently used when 'select 3' came in.
    expect(Object.fromEntries(prepared)).toEqual({ 'select 1': 1, 'select 2': 2, 'select 3': 1 });
    cache.close();
  });

  it('never hands out a statement that is still iterating', () => {
    const { source } = counting();
    const cache = cacheSqliteStatements(source);
    const text = 'select value from json_each(?)';
    const first = cache.prepare(text);
    const rows = first.iterate(['[1,2,3]']);
    expect(rows.next().value).toEqual({ value: 1 });
    const second = cache.prepare(text);
    expect(second).not.toBe(first);
    expect(second.all(['[4]'])).toEqual([{ value: 4 }]);
    expect([...rows]).toEqual([{ value: 2 }, { value: 3 }]);
    cache.close();
  });

  it('refuses a size that is not an integer from 1 to 10000', () => {
    for (const size of [0, -1, 1.5, 10_001, Number.NaN]) {
      let caught: unknown;
      try {
        cacheSqliteStatements(counting().source, { size });
      } catch (e) {
        caught = e;
      }
      expect(isCofferError(caught, 'INVALID_INPUT')).toBe(true);
    }
  });

  it('close() closes the database', () => {
    const { source, db } = counting();
    cacheSqliteStatements(source).close();
    expect(db.open).toBe(false);
  });

  it("the quick path's Kysely prepares each statement once", async () => {
    const prepare = vi.spyOn(Database.prototype, 'prepare');
    try {
      const storage = createSqliteStore({ filename: ':memory:' });
      await storage.migrate();
      const text = 'select 41 + 1 as n';
      for (let i = 0; i < 3; i++) {
        expect((await sql.raw<{ n: number }>(text).execute(storage.db)).rows).toEqual([{ n: 42 }]);
      }
      expect(prepare.mock.calls.filter(([sqlText]) => sqlText === text)).toHaveLength(1);
      await storage.close();
    } finally {
      prepare.mockRestore();
    }
  });
});
