// @coffer/vault with its in-memory store: put, reveal through the reader (audited), rotate, and a
// rewrap of every value under a new primary KEK, in this runtime.
import { createEnvelope, createLocalKeyProvider, Keyring } from '@coffer/envelope';
import {
  createMemoryVaultStore,
  createVault,
  createVaultReader,
  type VaultAuditEvent,
} from '@coffer/vault';
import type { CheckContext } from './check.ts';
import { equal, group, ok } from './check.ts';

export const vaultChecks = group('vault', [
  {
    name: 'put, audited reveal, rotate, and rewrapAll under a new primary KEK',
    run: async ({ fixture }: CheckContext) => {
      const store = createMemoryVaultStore();
      const provider = createLocalKeyProvider(Keyring.fromEnv(fixture.envelope.keyringEnv));
      const events: VaultAuditEvent[] = [];
      const vault = createVault({ store, envelope: createEnvelope({ provider }), provider });
      const token = 'EAAGm0PX4ZCpsBA-ünïcode-1234567890';
      const { id } = await vault.put({ kind: 'meta-capi-token', owner: 'org_42', value: token });
      const info = await vault.describe(id);
      ok(!JSON.stringify(info).includes(token.slice(4, 20)), 'describe() shows no secret');
      const reader = createVaultReader({
        store,
        envelope: createEnvelope({ provider }),
        audit: { emit: (e) => void events.push(e) },
      });
      equal(
        (await reader.reveal(id, { actor: 'checks', purpose: 'runtime check' })).expose(),
        token,
        'reveal',
      );
      equal(
        events.map((e) => [e.action, e.id]),
        [['reveal', id]],
        'one audit event',
      );
      await vault.rotate(id, 'rotated-value');
      equal(
        (await reader.reveal(id, { actor: 'checks', purpose: 'after rotate' })).expose(),
        'rotated-value',
        'rotated',
      );

      const rotatedProvider = createLocalKeyProvider(
        Keyring.fromEnv(fixture.envelope.rotatedKeyringEnv),
      );
      const rotated = createVault({
        store,
        envelope: createEnvelope({ provider: rotatedProvider }),
        provider: rotatedProvider,
      });
      // One row per batch: between batches rewrapAll yields to the event loop (#next-turn), the
      // runtime's own way (setImmediate, or a zero timer in workerd).
      const result = await rotated.rewrapAll({ batchSize: 1 });
      ok(result.rewrapped >= 2 && !result.aborted, `rewrapped ${JSON.stringify(result)}`);
      const after = createVaultReader({
        store,
        envelope: createEnvelope({ provider: rotatedProvider }),
        audit: { emit: () => {} },
      });
      equal(
        (await after.reveal(id, { actor: 'checks', purpose: 'after rewrap' })).expose(),
        'rotated-value',
        'opens after rewrap',
      );
    },
  },
]);
