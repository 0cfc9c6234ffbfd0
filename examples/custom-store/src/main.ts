// Uses the JSON-file adapter with a real vault: put a token, reopen the file, reveal it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createVault, createVaultReader } from '@coffer/vault';
import { openJsonFileVaultStore } from './json-file-vault-store.ts';

export async function main(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-custom-store-'));
  try {
    const file = join(dir, 'vault.json');
    const provider = createLocalKeyProvider(
      Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
    );
    const envelope = createEnvelope({ provider });

    const vault = createVault({ store: await openJsonFileVaultStore(file), envelope });
    const { id } = await vault.put({
      kind: 'webhook-secret',
      owner: 'org_42',
      value: 'whsec_example_0123456789',
    });

    // A new process would open the same file: the value is still there, sealed.
    const reader = createVaultReader({ store: await openJsonFileVaultStore(file), envelope });
    const secret = await reader.reveal(id, { actor: 'custom-store-example', purpose: 'demo' });
    return `stored ${id} in ${file}; revealed ${secret.expose().length} characters after reopening`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
