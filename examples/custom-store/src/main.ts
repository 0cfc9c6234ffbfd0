// Uses both JSON-file adapters with the real services: put a token in the vault and mint a partner
// API key, then reopen the files (as a new process would) and reveal the token and verify the key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKeyManager, createApiKeyVerifier, createBcryptHasher } from '@coffer/api-keys';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import { createVault, createVaultReader } from '@coffer/vault';
import { openJsonFileApiKeyStore } from './json-file-api-key-store.ts';
import { openJsonFileVaultStore } from './json-file-vault-store.ts';

export async function main(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-custom-store-'));
  const hasher = createBcryptHasher({ cost: 4 }); // fast for the example; keep the default 12
  try {
    const vaultFile = join(dir, 'vault.json');
    const keysFile = join(dir, 'api-keys.json');
    const provider = createLocalKeyProvider(
      Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
    );
    const envelope = createEnvelope({ provider });

    const vault = createVault({ store: await openJsonFileVaultStore(vaultFile), envelope });
    const { id } = await vault.put({
      kind: 'webhook-secret',
      owner: 'org_42',
      value: 'whsec_example_0123456789',
    });
    const manager = createApiKeyManager({ store: await openJsonFileApiKeyStore(keysFile), hasher });
    const minted = await manager.mint({ organizationId: 'org_42', env: 'live', name: 'partner' });

    // A new process would open the same files: the value is still there, sealed; the key verifies.
    // Every reveal goes to the audit sink (here a list; in production a log, table or queue).
    const audit: string[] = [];
    const reader = createVaultReader({
      store: await openJsonFileVaultStore(vaultFile),
      envelope,
      audit: { emit: (e) => void audit.push(`${e.action} ${e.id} by ${e.actor ?? '?'}`) },
    });
    const secret = await reader.reveal(id, { actor: 'custom-store-example', purpose: 'demo' });
    const verifier = createApiKeyVerifier({
      store: await openJsonFileApiKeyStore(keysFile),
      hasher,
    });
    const verified = await verifier.verify(minted.key.expose());
    return [
      `stored ${id} in vault.json; revealed ${secret.expose().length} characters after reopening (audited: ${audit.join('; ')})`,
      `minted ${minted.start}_… into api-keys.json; verified for ${verified.organizationId} after reopening`,
    ];
  } finally {
    await hasher.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
