import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import {
  createSecretsClient,
  createSecretsManager,
  createVaultSecretSource,
} from '@coffer/secrets';
import {
  createMemoryVaultStore,
  createVault,
  createVaultReader,
  type VaultAuditEvent,
} from '@coffer/vault';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.ts';
import { startReceiver } from '../src/receiver.ts';
import { app } from '../src/secrets.ts';
import { createSender } from '../src/sender.ts';

describe('examples/webhook-signing', () => {
  it('the narrated run: deliveries keep verifying through two rotations; past retention is refused', async () => {
    expect(await main()).toEqual([
      'rotateDue: webhookSigning rotated v1',
      'deliver evt_1 -> 200 v1',
      'rotateDue: webhookSigning rotated v2',
      'deliver evt_3 -> 200 v2',
      'deliver evt_2 (retry signed before the rotation) -> 200 v1',
      'rotateDue: webhookSigning rotated v3',
      'deliver evt_4 -> 200 v3',
      'deliver evt_5 from a sender still on v1 -> 401 version-not-accepted',
      'status: v3, next due 2026-04-03',
    ]);
  });

  it('forged headers naming newer versions cause at most one reload per interval', async () => {
    const store = createMemoryVaultStore();
    const envelope = createEnvelope({
      provider: createLocalKeyProvider(
        Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
      ),
    });
    const events: VaultAuditEvent[] = [];
    const audit = { emit: (e: VaultAuditEvent) => void events.push(e) };
    const source = createVaultSecretSource({
      vault: createVault({ store, envelope, audit }),
      reader: createVaultReader({ store, envelope, audit }),
    });
    await createSecretsManager(app, { source }).rotate('webhookSigning');
    const receiverClient = await createSecretsClient(app, { surface: 'receiver', source });
    const sender = createSender(await createSecretsClient(app, { surface: 'sender', source }));
    const receiver = await startReceiver(receiverClient, { reloadEveryMs: 60_000 });
    try {
      const reveals = () => events.filter((e) => e.action === 'reveal').length;
      const before = reveals();
      const good = sender.sign({ id: 'evt_1' });
      const forged = Array.from({ length: 20 }, (_, i) => ({
        body: good.body,
        header: good.header.replace(/kid=1,/, `kid=${i + 2},`),
      }));
      const statuses = await Promise.all(forged.map((d) => sender.deliver(receiver.url, d)));
      expect(statuses.every((s) => s === 401)).toBe(true);
      expect(reveals() - before).toBeLessThanOrEqual(1);
      expect(await sender.deliver(receiver.url, good)).toBe(200);
    } finally {
      await receiver.close();
    }
  });
});
