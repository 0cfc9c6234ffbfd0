// Which kysely this run uses. The suite runs on 0.28 by default and on 0.29 with
// COFFER_TEST_KYSELY=0.29 (CI's Node 24 pass; vitest.config.ts redirects 'kysely'). 0.29 no longer
// exports `Migrator` from 'kysely' at run time, so its absence tells the versions apart.
import * as kysely from 'kysely';
import { expect, it } from 'vitest';

it('runs on the kysely version the run asked for', () => {
  const asked = process.env.COFFER_TEST_KYSELY ?? '0.28';
  expect('Migrator' in kysely).toBe(asked === '0.28');
});
