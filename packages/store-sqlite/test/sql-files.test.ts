// The shipped plain-SQL migrations are the rendering of sqliteMigrations() with the defaults;
// this test keeps them identical (regenerate with `pnpm exec vitest run packages/store-sqlite -u`).
import { describe, expect, it } from 'vitest';
import { sqliteMigrations } from '../src/index.js';

// SQLite has no `add column if not exists`: these files apply once (the Migrator checks first).
const ONCE = new Set(['coffer_003_api_key_tier']);

function render(statements: readonly string[], name: string, direction: string): string {
  return [
    `-- coffer ${name} (${direction}) for SQLite: tables prefixed "coffer_".`,
    '-- Generated from sqliteMigrations() in @coffer/store-sqlite; render other prefixes with',
    ONCE.has(name)
      ? "-- sqliteMigrations({ tablePrefix }). Apply once: SQLite has no 'add column if not exists'."
      : '-- sqliteMigrations({ tablePrefix }). Safe to run twice.',
    '',
    ...statements.map((s) => `${s};\n`),
  ].join('\n');
}

describe('shipped SQL files', () => {
  it('lists one migration per pair of shipped files, in order', () => {
    expect(sqliteMigrations().map((m) => m.name)).toEqual([
      'coffer_001_init',
      'coffer_002_api_keys',
      'coffer_003_api_key_tier',
    ]);
  });

  for (const migration of sqliteMigrations()) {
    const file = migration.name.replace(/^coffer_/, '');
    it(`sql/${file}.sql and sql/${file}.down.sql match sqliteMigrations()`, async () => {
      await expect(render(migration.up, migration.name, 'up')).toMatchFileSnapshot(
        `../sql/${file}.sql`,
      );
      await expect(render(migration.down, migration.name, 'down')).toMatchFileSnapshot(
        `../sql/${file}.down.sql`,
      );
    });
  }
});
