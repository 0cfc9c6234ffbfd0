import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import {
  builtInProviders,
  createProviderKeys,
  createProviderRegistry,
  type ProviderKeyEvent,
} from '@coffer/provider-keys';
import { createMemoryVaultStore, createVault, createVaultReader } from '@coffer/vault';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/main.ts';
import { forwardChat } from '../src/proxy.ts';
import { type StandInProvider, startStandInProvider } from '../src/stand-in-provider.ts';

const CUSTOMER = `sk-proj-${'T3stCust'.repeat(6)}AbCd`;
const PLATFORM = `sk-proj-${'T3stPlat'.repeat(6)}EfGh`;

describe('examples/byok-proxy', () => {
  let standIn: StandInProvider | undefined;
  afterEach(async () => {
    await standIn?.close();
    standIn = undefined;
  });

  it('the narrated run: customer key, 401, invalid + notified + platform fallback, new key used again', async () => {
    expect(await main()).toEqual([
      'set sk-proj-…K3y1, test: valid',
      'chat -> 200 with the customer key, billed to the customer key',
      'notify org_acme: your openai key was refused (key_rejected)',
      'chat -> 200 with the platform key, billed to the platform key',
      'dashboard: openai sk-proj-…K3y1 invalid (key_rejected)',
      'chat -> 200 with the platform key, billed to the platform key',
      'set sk-proj-…K3y2 (version 2, same id: true)',
      "chat -> 200 with the customer key, billed to the customer's new key",
    ]);
  });

  it('a customer without a key is served with the platform key; without one either, the call is refused', async () => {
    standIn = await startStandInProvider(new Map([[PLATFORM, 'platform']]));
    standIn.issue(PLATFORM);
    const store = createMemoryVaultStore();
    const envelope = createEnvelope({
      provider: createLocalKeyProvider(
        Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
      ),
    });
    const events: ProviderKeyEvent[] = [];
    let platform: string | undefined = PLATFORM;
    const keys = createProviderKeys({
      providers: createProviderRegistry(builtInProviders),
      vault: createVault({ store, envelope }),
      reader: createVaultReader({ store, envelope, audit: 'unaudited' }),
      platformKeys: () => platform,
      cacheTtlMs: 0,
      onEvent: (e) => void events.push(e),
    });
    const options = { keys, upstream: standIn.url, provider: 'openai' };
    expect(await forwardChat(options, 'org_new', '{}')).toMatchObject({
      status: 200,
      source: 'platform',
    });

    // A customer key the provider refuses: one 401, then the platform key; the event names no key.
    await keys.forOwner('org_b').set('openai', CUSTOMER);
    expect(await forwardChat(options, 'org_b', '{}')).toMatchObject({
      status: 200,
      source: 'platform',
    });
    expect(events.map((e) => e.type)).toEqual(['key_invalidated']);
    expect(JSON.stringify(events)).not.toContain(CUSTOMER);
    expect(standIn.billed).toEqual(['platform', 'platform']);

    platform = undefined;
    await expect(forwardChat(options, 'org_new', '{}')).rejects.toMatchObject({
      code: 'PROVIDER_KEY_UNAVAILABLE',
    });
  });
});
