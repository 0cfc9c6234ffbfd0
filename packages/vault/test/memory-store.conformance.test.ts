import { describe, it } from 'vitest';
import { createMemoryVaultStore } from '../src/index.js';
import { runVaultStoreConformance } from '../src/testing/index.js';

runVaultStoreConformance(
  { describe, it },
  {
    name: 'memory',
    createStore: async () => {
      const store = createMemoryVaultStore();
      return { store, rawDump: () => store.rawDump() };
    },
  },
);
