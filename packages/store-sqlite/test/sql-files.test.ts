// The shipped plain-SQL migrations are the rendering of sqliteMigrations() with the defaults;
// this test keeps them identical (regenerate with `pnpm exec vitest run packages/store-sqlite -u`).
import { describe, expect, it } from 'vitest';
import { sqliteMigrations } from '../src/index.js';

function render(statements: readonly string[], name: string, direction: string): string {
  return [
    `-- coffer ${name} (${direction}) for SQLite: tables prefixed "coffer_".`,
    '-- Generated from sqliteMigrations() in @coffer/store-sqlite; render other prefixes with',
    '-- sqliteMigrations({ tablePrefix }). Safe to run twice.',
    '',
    ...statements.map((s) => `${s};\n`),
  ].join('\n');
}

describe('shipped SQL files', () => {
  it('sql/001_init.sql and sql/001_init.down.sql match sqliteMigrations()', async () => {
    const [init, ...rest] = sqliteMigrations();
    expect(rest).toEqual([]);
    if (init === undefined) throw new Error('no migration');
    await expect(render(init.up, init.name, 'up')).toMatchFileSnapshot('../sql/001_init.sql');
    await expect(render(init.down, init.name, 'down')).toMatchFileSnapshot(
      '../sql/001_init.down.sql',
    );
  });
});
