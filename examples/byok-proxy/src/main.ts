// The narrated run: a customer brings their own key, the proxy uses it; the customer revokes it
// upstream, the stand-in answers 401, the key is marked invalid (the customer is notified) and the
// same request succeeds with the platform key; later calls use the platform key directly until
// the customer sets a new key.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createEnvelope, createLocalKeyProvider, generateKek, Keyring } from '@coffer/envelope';
import {
  builtInProviders,
  createOpenAIProvider,
  createProviderKeys,
  createProviderRegistry,
} from '@coffer/provider-keys';
import { createMemoryVaultStore, createVault, createVaultReader } from '@coffer/vault';
import { createByokProxy } from './proxy.ts';
import { startStandInProvider } from './stand-in-provider.ts';

// Made-up keys in the providers' shapes (a real app never has them in its source).
const CUSTOMER_KEY = `sk-proj-${'Cu5t0mer'.repeat(6)}K3y1`;
const CUSTOMER_NEW_KEY = `sk-proj-${'N3wCu5tK'.repeat(6)}K3y2`;
const PLATFORM_KEY = `sk-proj-${'P1atf0rm'.repeat(6)}K3y0`;

export async function main(): Promise<string[]> {
  const log: string[] = [];
  const standIn = await startStandInProvider(
    new Map([
      [CUSTOMER_KEY, 'customer key'],
      [CUSTOMER_NEW_KEY, "customer's new key"],
      [PLATFORM_KEY, 'platform key'],
    ]),
  );
  standIn.issue(CUSTOMER_KEY);
  standIn.issue(PLATFORM_KEY);

  const kek = createLocalKeyProvider(
    Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]),
  );
  const envelope = createEnvelope({ provider: kek });
  const store = createMemoryVaultStore();
  const keys = createProviderKeys({
    // The stand-in plays OpenAI; `test` checks keys against it.
    providers: createProviderRegistry([
      createOpenAIProvider({ baseUrl: standIn.url }),
      ...builtInProviders.filter((p) => p.id !== 'openai'),
    ]),
    vault: createVault({ store, envelope }),
    reader: createVaultReader({ store, envelope, audit: { emit: () => undefined } }),
    platformKeys: (provider) => (provider === 'openai' ? PLATFORM_KEY : undefined),
    onEvent: (event) => {
      if (event.type === 'key_invalidated') {
        log.push(`notify ${event.owner}: your ${event.provider} key was refused (${event.reason})`);
      }
    },
  });

  const proxy = createByokProxy({ keys, upstream: standIn.url, provider: 'openai' });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const chat = async (): Promise<string> => {
    const res = await fetch(`${proxyUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-customer': 'org_acme' },
      body: JSON.stringify({ model: 'stand-in-1', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    await res.text();
    return `${res.status} with the ${res.headers.get('x-key-source')} key, billed to the ${standIn.billed.at(-1)}`;
  };

  try {
    // The dashboard: the customer pastes their key, tests it, saves it.
    const acme = keys.forOwner('org_acme');
    const saved = await acme.set('openai', CUSTOMER_KEY);
    const tested = await acme.test('openai');
    log.push(`set ${saved.displayPrefix}, test: ${tested.result.status}`);
    log.push(`chat -> ${await chat()}`);

    // The customer revokes the key at the provider. The next call gets 401 and falls back.
    standIn.revoke(CUSTOMER_KEY);
    log.push(`chat -> ${await chat()}`);
    const [row] = await acme.list();
    log.push(
      `dashboard: ${row?.provider} ${row?.displayPrefix} ${row?.status} (${row?.invalid?.reason})`,
    );
    log.push(`chat -> ${await chat()}`);

    // The customer sets a new key: it is active at once and used again.
    standIn.issue(CUSTOMER_NEW_KEY);
    const replaced = await acme.set('openai', CUSTOMER_NEW_KEY);
    log.push(
      `set ${replaced.displayPrefix} (version ${replaced.version}, same id: ${replaced.id === saved.id})`,
    );
    log.push(`chat -> ${await chat()}`);
    return log;
  } finally {
    await keys.flush();
    proxy.close();
    await standIn.close();
  }
}
