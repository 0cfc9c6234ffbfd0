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
  it('sql/001_init.sql and sql/001_init.down.sql match postgresMigrations()', async () => {
    const [init, ...rest] = postgresMigrations();
    expect(rest).toEqual([]);
    if (init === undefined) throw new Error('no migration');
    await expect(render(init.up, init.name, 'up')).toMatchFileSnapshot('../sql/001_init.sql');
    await expect(render(init.down, init.name, 'down')).toMatchFileSnapshot(
      '../sql/001_init.down.sql',
    );
  });
});
