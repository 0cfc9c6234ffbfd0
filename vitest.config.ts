import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// COFFER_TEST_KYSELY=0.29 runs the suite on kysely 0.29 (the `kysely-0.29` alias dev dependency)
// instead of the workspace's 0.28: CI's Node 24 pass does, because npm gives Node 22+ users 0.29
// and Node 20 users 0.28 (docs/decisions.md, D20). Both `kysely` and `kysely/migration` are
// redirected, for our sources and the tests alike.
const kyselyVersion = process.env.COFFER_TEST_KYSELY ?? '0.28';
if (kyselyVersion !== '0.28' && kyselyVersion !== '0.29') {
  throw new Error(`COFFER_TEST_KYSELY must be 0.28 or 0.29, not "${kyselyVersion}"`);
}
const kysely029 = (file: string): string =>
  fileURLToPath(new URL(`./node_modules/kysely-0.29/dist/${file}`, import.meta.url));
const kyselyAlias =
  kyselyVersion === '0.29'
    ? [
        { find: /^kysely$/, replacement: kysely029('index.js') },
        { find: /^kysely\/migration$/, replacement: kysely029('migration/index.js') },
      ]
    : [];

export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources (the `@coffer/source` export condition), so
    // `pnpm test` needs no build step.
    conditions: ['@coffer/source'],
    alias: kyselyAlias,
  },
  ssr: {
    resolve: {
      conditions: ['@coffer/source'],
      externalConditions: ['@coffer/source'],
    },
  },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'docs/test/**/*.test.ts',
      'runtimes/test/**/*.test.ts',
    ],
    globalSetup: ['./test-support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
