// Runs the relay against a local stand-in for the platform: store a token, forward an event,
// rotate the token in place (same vault id), forward again.
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import {
  createMemoryVaultStore,
  createVault,
  createVaultReader,
  type VaultAuditEvent,
} from '@coffer/vault';
import { startPlatformServer } from './platform-server.ts';
import { createCapiRelay } from './relay.ts';

export async function main(): Promise<string[]> {
  const log: string[] = [];
  const platform = await startPlatformServer();
  try {
    const provider = createLocalKeyProvider(
      Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
    );
    const envelope = createEnvelope({ provider });
    const store = createMemoryVaultStore();
    const audit: VaultAuditEvent[] = [];
    const sink = { emit: (e: VaultAuditEvent) => void audit.push(e) };

    // The API handler side: writes the pasted token, keeps only the id.
    const vault = createVault({ store, envelope, audit: sink });
    platform.issue('EAAGm0PX4ZCpsBAOLD-token');
    const { id } = await vault.put({
      kind: 'meta-capi-token',
      owner: 'org_42',
      value: 'EAAGm0PX4ZCpsBAOLD-token',
    });

    // The worker side: a reader, created separately.
    const relay = createCapiRelay({
      reader: createVaultReader({ store, envelope, audit: sink }),
      endpoint: platform.url,
      actor: 'capi-relay',
    });
    log.push(`forward with v1 -> ${await relay.forward(id, { event_name: 'Purchase' })}`);

    // Upstream rotation: the platform issues a new token; the vault entry rotates in place.
    platform.issue('EAAGm0PX4ZCpsBANEW-token');
    log.push(`forward before rotating -> ${await relay.forward(id, { event_name: 'Purchase' })}`);
    const rotated = await vault.rotate(id, 'EAAGm0PX4ZCpsBANEW-token');
    log.push(`rotated ${rotated.id === id ? 'in place' : 'to a new id'} to v${rotated.version}`);
    log.push(`forward with v2 -> ${await relay.forward(id, { event_name: 'Purchase' })}`);
    log.push(`audited: ${audit.map((e) => e.action).join(', ')}`);
    return log;
  } finally {
    await platform.close();
  }
}
