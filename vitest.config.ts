import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources (the `@coffer/source` export condition), so
    // `pnpm test` needs no build step.
    conditions: ['@coffer/source'],
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
