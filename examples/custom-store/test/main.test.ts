import { expect, it } from 'vitest';
import { main } from '../src/main.ts';

it('the example stores, reopens and reveals through the JSON-file adapter', async () => {
  expect(await main()).toMatch(
    /^stored [0-9a-f-]{36} in .*vault\.json; revealed 24 characters after reopening$/,
  );
});
