// The JSON-file API-key store proves itself with the published conformance suite: every
// ApiKeyStore contract, a real manager and verifier over it, and (through rawDump, the file's
// bytes) that no key or secret reaches the file. No second handle: one process per file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runApiKeyStoreConformance } from '@coffer/api-keys/testing';
import { afterAll, describe, it } from 'vitest';
import { openJsonFileApiKeyStore } from '../src/json-file-api-key-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'coffer-json-api-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runApiKeyStoreConformance(
  { describe, it },
  {
    name: 'JSON file (examples/custom-store)',
    createStore: async () => {
      const store = await openJsonFileApiKeyStore(join(dir, `api-keys-${++n}.json`));
      return { store, rawDump: () => store.rawDump() };
    },
  },
);
