// A sender and a receiver sharing one signing secret in the vault, through two rotations made by
// `rotateDue()`. The clock is simulated so a month passes between deliveries; everything else is
// real: the vault (memory store here, PostgreSQL or SQLite in production), the HTTP delivery, the
// per-process caches.
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import {
  createSecretsClient,
  createSecretsManager,
  createVaultSecretSource,
  type SecretsClient,
} from '@coffer/secrets';
import { createMemoryVaultStore, createVault, createVaultReader } from '@coffer/vault';
import { startReceiver } from './receiver.ts';
import { app } from './secrets.ts';
import { createSender } from './sender.ts';

const DAY = 86_400_000;

export async function main(): Promise<string[]> {
  const log: string[] = [];
  let t = Date.UTC(2026, 0, 1);
  const now = () => t;

  const store = createMemoryVaultStore();
  const envelope = createEnvelope({
    provider: createLocalKeyProvider(
      Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
    ),
  });
  const audit = { emit: () => {} }; // your audit log: every read is a `reveal` event
  const source = createVaultSecretSource({
    vault: createVault({ store, envelope, audit, clock: now, maxVersions: 2 }),
    reader: createVaultReader({ store, envelope, audit, clock: now }),
    now,
  });

  // The rotation job runs next to the sender: its onChange drops the sender's cache at once.
  // The receiver is another service; it learns of the new version within its cache TTL, or at once
  // when a signature names a version it does not accept yet (see receiver.ts).
  let senderClient: SecretsClient<typeof app.declarations, 'sender'> | undefined;
  const manager = createSecretsManager(app, {
    source,
    now,
    onChange: () => void senderClient?.invalidate('webhookSigning'),
  });
  const first = await manager.rotateDue();
  log.push(`rotateDue: webhookSigning ${first[0]?.outcome} v${first[0]?.version}`);

  senderClient = await createSecretsClient(app, { surface: 'sender', source });
  const stale = await createSecretsClient(app, { surface: 'sender', source }); // never reloaded below
  const receiverClient = await createSecretsClient(app, { surface: 'receiver', source });
  const sender = createSender(senderClient, { now });
  const staleSender = createSender(stale, { now });
  const receiver = await startReceiver(receiverClient, { now });
  try {
    const send = async (what: string, delivery = sender.sign({ type: 'order.paid', id: what })) => {
      await sender.deliver(receiver.url, delivery);
      log.push(`deliver ${what} -> ${receiver.log.at(-1)}`);
    };
    await send('evt_1');

    t += 31 * DAY;
    const retry = sender.sign({ type: 'order.paid', id: 'evt_2' }); // signed, delivery failed
    const second = await manager.rotateDue();
    log.push(`rotateDue: webhookSigning ${second[0]?.outcome} v${second[0]?.version}`);
    await send('evt_3');
    await send('evt_2 (retry signed before the rotation)', retry);

    t += 31 * DAY;
    const third = await manager.rotateDue();
    log.push(`rotateDue: webhookSigning ${third[0]?.outcome} v${third[0]?.version}`);
    await send('evt_4');
    await send(
      'evt_5 from a sender still on v1',
      staleSender.sign({ type: 'order.paid', id: 'evt_5' }),
    );
    const status = await manager.status();
    log.push(
      `status: v${status[0]?.version}, next due ${new Date(status[0]?.nextDueAt ?? 0).toISOString().slice(0, 10)}`,
    );
    return log;
  } finally {
    await receiver.close();
  }
}
