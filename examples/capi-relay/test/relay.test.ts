import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import {
  createMemoryVaultStore,
  createVault,
  createVaultReader,
  type VaultAuditEvent,
} from '@coffer/vault';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/main.ts';
import { type PlatformServer, startPlatformServer } from '../src/platform-server.ts';
import { createCapiRelay } from '../src/relay.ts';

describe('examples/capi-relay', () => {
  let platform: PlatformServer | undefined;
  afterEach(async () => {
    await platform?.close();
    platform = undefined;
  });

  it('the narrated run: accepted, refused with the stale token, rotated in place, accepted', async () => {
    expect(await main()).toEqual([
      'forward with v1 -> 200',
      "forward for org_7 with org_42's id -> NOT_FOUND",
      'forward before rotating -> 401',
      'rotated in place to v2',
      'forward with v2 -> 200',
      'audited: put, reveal, reveal, rotate, reveal',
    ]);
  });

  it('every forward is one audited reveal with actor and purpose, and no token in the events', async () => {
    platform = await startPlatformServer();
    const provider = createLocalKeyProvider(
      Keyring.fromKeys([{ id: 7, key: generateKek(), status: 'primary' }]),
    );
    const envelope = createEnvelope({ provider });
    const store = createMemoryVaultStore();
    const events: VaultAuditEvent[] = [];
    const audit = { emit: (e: VaultAuditEvent) => void events.push(e) };
    const token = 'act.tiktok-token-0123456789abcdef';
    platform.issue(token);
    const { id } = await createVault({ store, envelope, audit })
      .forOwner('org_9')
      .put({ kind: 'tiktok-events-token', value: token });
    const relay = createCapiRelay({
      reader: createVaultReader({ store, envelope, audit }),
      endpoint: platform.url,
      actor: 'worker-1',
    });
    expect(await relay.forward('org_9', id, { event: 'CompletePayment' })).toBe(200);
    const reveals = events.filter((e) => e.action === 'reveal');
    expect(reveals).toEqual([
      expect.objectContaining({
        id,
        owner: 'org_9',
        actor: 'worker-1',
        purpose: 'capi-forward',
        version: 1,
      }),
    ]);
    expect(JSON.stringify(events)).not.toContain(token);
  });

  it('an unknown vault id fails with NOT_FOUND and sends nothing', async () => {
    platform = await startPlatformServer();
    const provider = createLocalKeyProvider(
      Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
    );
    const relay = createCapiRelay({
      reader: createVaultReader({
        store: createMemoryVaultStore(),
        envelope: createEnvelope({ provider }),
        audit: 'unaudited',
      }),
      endpoint: platform.url,
      actor: 'worker-1',
    });
    await expect(
      relay.forward('org_1', '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3', {}),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("a job for another organization carrying this one's vault id is NOT_FOUND, reveals and sends nothing", async () => {
    platform = await startPlatformServer();
    const provider = createLocalKeyProvider(
      Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
    );
    const envelope = createEnvelope({ provider });
    const store = createMemoryVaultStore();
    const events: VaultAuditEvent[] = [];
    const audit = { emit: (e: VaultAuditEvent) => void events.push(e) };
    const token = 'EAAGm0PX4ZCpsBA-victim-token-0123';
    platform.issue(token);
    const { id } = await createVault({ store, envelope })
      .forOwner('org_victim')
      .put({ kind: 'meta-capi-token', value: token });
    const relay = createCapiRelay({
      reader: createVaultReader({ store, envelope, audit }),
      endpoint: platform.url,
      actor: 'worker-1',
    });
    const error = await relay.forward('org_attacker', id, {}).catch((e: unknown) => e);
    const missing = await relay
      .forward('org_attacker', '0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3', {})
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_FOUND', details: { id } });
    expect((error as Error).message).toBe(
      (missing as Error).message.replace(/0190f5b2-7c1e-7a3b-9c4d-5e6f708192a3/, id),
    );
    expect(events).toEqual([]);
    expect(platform.received()).toBe(0);
    // The organization's own job goes through.
    expect(await relay.forward('org_victim', id, {})).toBe(200);
    expect(platform.received()).toBe(1);
  });
});
