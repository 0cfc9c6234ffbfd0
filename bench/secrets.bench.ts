// secrets: a warm `current()` against a plain Map lookup (the cost of the accessor over holding the
// value yourself), and webhook sign + verify of a 1 KiB body against the same work done with raw
// node:crypto (createHmac, hex, timingSafeEqual). Keys come from the CSPRNG: none is printed here.
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  createCookieSigner,
  createMemorySecretSource,
  createSecretsClient,
  createSecretsManager,
  createWebhookSigner,
  defineSecrets,
  secret,
} from '@coffer/secrets';
import type { BenchContext } from './harness.ts';

export default async function (b: BenchContext): Promise<void> {
  const app = defineSecrets({
    workspace: 'bench',
    project: 'secrets',
    environment: 'bench',
    surfaces: ['api'],
    secrets: {
      webhookSigning: secret.random({ consumers: ['api'] }),
      stripeApiKey: secret.random({ consumers: ['api'], encoding: 'hex' }),
    },
  });
  const source = createMemorySecretSource();
  const manager = createSecretsManager(app, { source });
  await manager.rotate('webhookSigning');
  await manager.rotate('stripeApiKey');
  const api = await createSecretsClient(app, { surface: 'api', source });
  const hook = api.secret('webhookSigning');

  // The baseline holds the same version object in a Map, as code that loaded it once would.
  const plain = new Map([
    ['webhookSigning', hook.current()],
    ['stripeApiKey', api.secret('stripeApiKey').current()],
  ]);
  await b.compare({
    name: 'secrets: current() on a warm cache vs Map.get',
    target: 0.3,
    baseline: { name: 'Map.get', fn: () => plain.get('webhookSigning') },
    subject: () => hook.current(),
  });

  const payload = JSON.stringify({ id: 'evt_bench', data: 'x'.repeat(1024) }).slice(0, 1024);
  const key = hook.current().value.expose();
  const signer = createWebhookSigner(hook);
  const t = Math.floor(Date.now() / 1000);
  await b.compare({
    name: 'secrets: webhook sign + verify 1 KiB vs node:crypto createHmac + timingSafeEqual',
    target: 0.7,
    baseline: {
      name: 'createHmac hex + createHmac + timingSafeEqual',
      fn: () => {
        const signature = createHmac('sha256', key).update(`${t}.${payload}`).digest('hex');
        const expected = createHmac('sha256', key).update(`${t}.${payload}`).digest();
        return timingSafeEqual(Buffer.from(signature, 'hex'), expected);
      },
    },
    subject: async () => (await signer.verify(payload, signer.sign(payload))).ok,
  });

  const cookies = createCookieSigner(hook, { purpose: 'session' });
  const sessionId = 'sess_01J9Z3W8K2V7Q4';
  await b.compare({
    // A floor: a cookie's HMAC is short, so parsing and base64url weigh more than in the webhook case.
    name: 'secrets: cookie sign + verify vs node:crypto createHmac + timingSafeEqual',
    target: 0.3,
    baseline: {
      name: 'createHmac base64url + createHmac + timingSafeEqual',
      fn: () => {
        const mac = createHmac('sha256', key).update(`session.${sessionId}`).digest('base64url');
        const expected = createHmac('sha256', key).update(`session.${sessionId}`).digest();
        return timingSafeEqual(Buffer.from(mac, 'base64url'), expected);
      },
    },
    subject: () => cookies.verify(cookies.sign(sessionId)).ok,
  });
}
