// Every SQL store in this repository runs every part of the shared dialect suite: a part added to
// test-support/index.ts and forgotten in a store fails here, naming the store and the part.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIALECT_SUITE_PARTS } from '../test-support/index.js';

const packages = new URL('../../', import.meta.url);
const stores = readdirSync(packages).filter(
  (name) => name.startsWith('store-') && name !== 'store-kysely',
);

describe('the dialect suite', () => {
  it('is run by the SQL stores of this repository', () => {
    expect(stores.sort()).toEqual(['store-mysql', 'store-postgres', 'store-sqlite']);
  });

  for (const store of stores) {
    it(`${store} calls every part`, () => {
      const dir = new URL(`${store}/test/`, packages);
      const calls = readdirSync(dir)
        .filter((f) => f.endsWith('.test.ts'))
        .map((f) => readFileSync(new URL(f, dir), 'utf8'))
        .join('\n');
      const missing = DIALECT_SUITE_PARTS.filter(
        (part) => !new RegExp(`^${part}\\(`, 'm').test(calls),
      );
      expect(missing).toEqual([]);
    });
  }
});
