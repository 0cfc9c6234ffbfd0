import { describe, it } from 'vitest';
import { createMemoryApiKeyStore } from '../src/index.js';
import { runApiKeyStoreConformance } from '../src/testing/index.js';

runApiKeyStoreConformance(
  { describe, it },
  {
    name: 'memory',
    createStore: async () => {
      const store = createMemoryApiKeyStore();
      return { store };
    },
  },
);
