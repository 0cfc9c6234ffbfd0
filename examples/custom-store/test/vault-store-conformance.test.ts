// The JSON-file vault store proves itself with the published conformance suite: every VaultStore
// contract, plus (through rawDump, the file's bytes) that no plaintext ever reaches the file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runVaultStoreConformance } from '@coffer/vault/testing';
import { afterAll, describe, it } from 'vitest';
import { openJsonFileVaultStore } from '../src/json-file-vault-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'coffer-json-vault-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runVaultStoreConformance(
  { describe, it },
  {
    name: 'JSON file (examples/custom-store)',
    createStore: async () => {
      const store = await openJsonFileVaultStore(join(dir, `vault-${++n}.json`));
      return { store, rawDump: () => store.rawDump() };
    },
  },
);
