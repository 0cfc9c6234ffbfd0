// Part 1 of the demo: a Meta CAPI token goes into the vault, the app keeps only its vault_id, the
// token rotates in place, and a worker reveals it through the reader to sign a call.

import type { Envelope, KeyProvider } from '@coffer/envelope';
import { createCapiRelay, startPlatformServer } from '@coffer/example-capi-relay';
import {
  createVault,
  createVaultReader,
  type VaultAuditEvent,
  type VaultStore,
} from '@coffer/vault';
import { fact, ok, refused, step } from './narrate.ts';

export async function vaultStory(deps: {
  store: VaultStore;
  envelope: Envelope;
  provider: KeyProvider;
}): Promise<void> {
  const audit: VaultAuditEvent[] = [];
  const sink = { emit: (event: VaultAuditEvent) => void audit.push(event) };
  const vault = createVault({ ...deps, audit: sink });
  // What an API handler gets: the vault of the organization the request is for, which cannot reach
  // another organization's entries (another one's vault_id answers NOT_FOUND).
  const org = vault.forOwner('org_demo');
  const reader = createVaultReader({ store: deps.store, envelope: deps.envelope, audit: sink }); // workers only
  const platform = await startPlatformServer();
  try {
    step('Paste a Meta CAPI token into the vault');
    const pasted = `EAAG${Date.now().toString(36)}DemoCapiAccessTokenFromTheUi`;
    platform.issue(pasted);
    const ref = await org.put({
      kind: 'meta-capi-token',
      label: 'Pixel 1234567890',
      metadata: { pixelId: '1234567890' },
      value: pasted,
      actor: 'partner-api',
    });
    ok(`stored; the app keeps only vault_id = ${ref.id} (v${ref.version})`);
    const info = await org.describe(ref.id);
    fact(
      `what the public API can see: kind=${info.kind}, preview=${info.preview}, version=${info.version}`,
    );
    fact(
      `JSON of that description holds no token: ${JSON.stringify(info).includes(pasted) ? 'NO' : 'yes'}`,
    );
    const other = await vault
      .forOwner('org_other')
      .describe(ref.id)
      .catch((e: { code?: string }) => e.code);
    fact(`another organization asking for that vault_id gets ${other}`);

    step('A worker reveals it through the reader and signs a call to the platform');
    const relay = createCapiRelay({ reader, endpoint: platform.url, actor: 'capi-relay' });
    ok(`platform answered ${await relay.forward('org_demo', ref.id, { event_name: 'Purchase' })}`);

    step('Rotate the token in place (the upstream token was regenerated)');
    const rotatedToken = `EAAG${Date.now().toString(36)}RotatedCapiAccessToken`;
    platform.issue(rotatedToken);
    refused(
      `before rotating, the stale token gets ${await relay.forward('org_demo', ref.id, { event_name: 'Purchase' })}`,
    );
    const rotated = await org.rotate(ref.id, rotatedToken, { actor: 'partner-api' });
    ok(`same vault_id ${rotated.id === ref.id ? '✓' : '✗'}, now v${rotated.version}`);
    ok(
      `platform answered ${await relay.forward('org_demo', ref.id, { event_name: 'Purchase' })} with the rotated token`,
    );
    const reveals = audit.filter((e) => e.action === 'reveal').length;
    fact(
      `audit trail: ${audit.map((e) => e.action).join(' → ')} (${reveals} reveals, no token in any event)`,
    );
  } finally {
    await platform.close();
  }
}
