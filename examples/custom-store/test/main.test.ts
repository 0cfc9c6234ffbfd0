import { expect, it } from 'vitest';
import { main } from '../src/main.ts';

it('the example stores a token and a key through the JSON-file adapters, reopens them, and reads both back', async () => {
  expect(await main()).toEqual([
    expect.stringMatching(
      /^stored ([0-9a-f-]{36}) in vault\.json; revealed 24 characters after reopening \(audited: reveal \1 by custom-store-example\)$/,
    ),
    expect.stringMatching(
      /^minted lp_live_[0-9A-HJKMNP-TV-Z]{16}_… into api-keys\.json; verified for org_42 after reopening$/,
    ),
  ]);
});
