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

    // The API handler side: writes the pasted token for the organization of the request, keeps
    // only the id. Handlers hold `vault.forOwner(organization)`, never the unscoped vault.
    const vault = createVault({ store, envelope, audit: sink });
    const org42 = vault.forOwner('org_42');
    platform.issue('EAAGm0PX4ZCpsBAOLD-token');
    const { id } = await org42.put({ kind: 'meta-capi-token', value: 'EAAGm0PX4ZCpsBAOLD-token' });

    // The worker side: a reader, created separately.
    const relay = createCapiRelay({
      reader: createVaultReader({ store, envelope, audit: sink }),
      endpoint: platform.url,
      actor: 'capi-relay',
    });
    const job = { event_name: 'Purchase' };
    log.push(`forward with v1 -> ${await relay.forward('org_42', id, job)}`);

    // A job for another organization that carries org_42's vault id finds no token.
    const stray = await relay.forward('org_7', id, job).catch((e: { code?: string }) => e.code);
    log.push(`forward for org_7 with org_42's id -> ${stray}`);

    // Upstream rotation: the platform issues a new token; the vault entry rotates in place.
    platform.issue('EAAGm0PX4ZCpsBANEW-token');
    log.push(`forward before rotating -> ${await relay.forward('org_42', id, job)}`);
    const rotated = await org42.rotate(id, 'EAAGm0PX4ZCpsBANEW-token');
    log.push(`rotated ${rotated.id === id ? 'in place' : 'to a new id'} to v${rotated.version}`);
    log.push(`forward with v2 -> ${await relay.forward('org_42', id, job)}`);
    log.push(`audited: ${audit.map((e) => e.action).join(', ')}`);
    return log;
  } finally {
    await platform.close();
  }
}
