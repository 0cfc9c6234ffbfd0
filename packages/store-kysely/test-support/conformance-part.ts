// The two published conformance suites (@coffer/vault/testing, @coffer/api-keys/testing) on every
// variant the dialect offers, each case on fresh empty tables, with a raw copy of what the database
// holds and, for API keys, a second store on its own connection.
import { runApiKeyStoreConformance } from '@coffer/api-keys/testing';
import { runVaultStoreConformance } from '@coffer/vault/testing';
import { afterAll, describe, it } from 'vitest';
import type { DialectHarness } from './dialect-harness.js';

export function describeConformance(h: DialectHarness): void {
  afterAll(() => h.conformance.cleanup());
  for (const variant of h.conformance.variants) {
    const name = `${h.name} ${variant.name}`;
    runVaultStoreConformance(
      { describe, it },
      {
        name,
        createStore: async () => {
          const c = await variant.create();
          return { store: c.storage.vault, rawDump: c.rawDump, close: c.close };
        },
      },
    );
    runApiKeyStoreConformance(
      { describe, it },
      {
        name,
        createStore: async () => {
          const c = await variant.create();
          const second = c.openSecond;
          return {
            store: c.storage.apiKeys,
            rawDump: c.rawDump,
            ...(second === undefined
              ? {}
              : { openSecondHandle: async () => (await second()).apiKeys }),
            close: c.close,
          };
        },
      },
    );
  }
}
