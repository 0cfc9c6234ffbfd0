// `pnpm demo`: the whole coffer story with real components on an embedded SQLite file.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEnvelope, createLocalKeyProvider } from '@coffer/envelope';
import { createSqliteStore } from '@coffer/store-sqlite';
import { apiKeyStory } from './api-key-story.ts';
import { loadOrCreateMasterKeys } from './master-key.ts';
import { fact, step } from './narrate.ts';
import { piiStory } from './pii-story.ts';
import { vaultStory } from './vault-story.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
/** Local, git-ignored state: the demo's master key and its SQLite file. */
export const stateDir: string =
  process.env.COFFER_DEMO_DIR ?? resolve(here, '../../../.coffer/demo');

export async function main(): Promise<void> {
  console.log('coffer demo — vault, partner API keys and PII hashing on a local SQLite file');

  step('Open local state');
  const { keyring, createdNow } = loadOrCreateMasterKeys(join(stateDir, 'master-keys'));
  fact(
    createdNow
      ? `generated a master key (KEK ${keyring.primaryKekId}) in ${join(stateDir, 'master-keys')} (mode 600, git-ignored)`
      : `loaded master key KEK ${keyring.primaryKekId} from ${join(stateDir, 'master-keys')}`,
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
    piiStory();
  } finally {
    await storage.close();
  }
  console.log('\nDone. Run it again: the master key and database are reused.');
}
