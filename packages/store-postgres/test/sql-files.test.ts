// The shipped plain-SQL migrations are the rendering of postgresMigrations() with the defaults;
// this test keeps them identical (regenerate with `pnpm exec vitest run packages/store-postgres -u`).
import { describe, expect, it } from 'vitest';
import { postgresMigrations } from '../src/index.js';

function render(statements: readonly string[], name: string, direction: string): string {
  return [
    `-- coffer ${name} (${direction}) for PostgreSQL: tables prefixed "coffer_", no schema (search_path).`,
    '-- Generated from postgresMigrations() in @coffer/store-postgres; render other prefixes or a',
    '-- schema with postgresMigrations({ tablePrefix, schema }). Safe to run twice.',
    '',
    ...statements.map((s) => `${s};\n`),
  ].join('\n');
}

describe('shipped SQL files', () => {
  it('lists one migration per pair of shipped files, in order', () => {
    expect(postgresMigrations().map((m) => m.name)).toEqual([
      'coffer_001_init',
      'coffer_002_api_keys',
      'coffer_003_api_key_tier',
    ]);
  });

  for (const migration of postgresMigrations()) {
    const file = migration.name.replace(/^coffer_/, '');
    it(`sql/${file}.sql and sql/${file}.down.sql match postgresMigrations()`, async () => {
      await expect(render(migration.up, migration.name, 'up')).toMatchFileSnapshot(
        `../sql/${file}.sql`,
      );
      await expect(render(migration.down, migration.name, 'down')).toMatchFileSnapshot(
        `../sql/${file}.down.sql`,
      );
    });
  }
});
