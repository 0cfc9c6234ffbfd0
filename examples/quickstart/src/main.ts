// `pnpm demo`: the whole coffer story with real components on an embedded SQLite file.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEnvelope, createLocalKeyProvider } from '@coffer/envelope';
import { createSqliteStore } from '@coffer/store-sqlite';
import { apiKeyStory } from './api-key-story.ts';
import { loadOrCreateMasterKeys } from './master-key.ts';
import { fact, step } from './narrate.ts';
import { loadOrCreatePepper } from './pii-pepper.ts';
import { piiStory } from './pii-story.ts';
import { vaultStory } from './vault-story.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
/** Local, git-ignored state: the demo's master key and its SQLite file. */
export const stateDir: string =
  process.env.COFFER_DEMO_DIR ?? resolve(here, '../../../.coffer/demo');

export async function main(): Promise<void> {
  console.log('coffer demo — vault, partner API keys and PII hashing on a local SQLite file');

  step('Open local state');
  const keyFile = join(stateDir, 'master-keys');
  const { keyring, source } = loadOrCreateMasterKeys(keyFile);
  fact(
    source === 'generated'
      ? `generated a master key (KEK ${keyring.primaryKekId}) in ${keyFile} (mode 600, git-ignored)`
      : `loaded master key KEK ${keyring.primaryKekId} from ${source === 'env' ? 'COFFER_MASTER_KEYS' : keyFile}`,
  );
  const pepperFile = join(stateDir, 'pii-pepper');
  const pii = loadOrCreatePepper(pepperFile);
  fact(
    pii.source === 'generated'
      ? `generated a PII pepper in ${pepperFile} (mode 600, git-ignored)`
      : `loaded the pepper for PII hashes from ${pii.source === 'env' ? 'COFFER_PII_PEPPER' : pepperFile}`,
  );
  const storage = createSqliteStore({ filename: join(stateDir, 'coffer.db') });
  const report = await storage.migrate();
  fact(
    `SQLite file ${join(stateDir, 'coffer.db')} (WAL); migrations applied now: ${report.applied.length}`,
  );
  const provider = createLocalKeyProvider(keyring);
  const envelope = createEnvelope({ provider });

  try {
    await vaultStory({ store: storage.vault, envelope, provider });
    await apiKeyStory(storage.apiKeys);
    piiStory(pii.pepper);
  } finally {
    await storage.close();
  }
  console.log('\nDone. Run it again: the master key, the pepper and the database are reused.');
}
