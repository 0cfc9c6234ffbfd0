// The sending service: signs each delivery with the current version of the signing secret.
import { createWebhookSigner, type SecretsClient, type SecretsDefinition } from '@coffer/secrets';
import type { app } from './secrets.ts';

type Declarations = typeof app extends SecretsDefinition<infer D, string> ? D : never;

export interface Delivery {
  readonly body: string;
  readonly header: string;
}

export function createSender(
  client: SecretsClient<Declarations, 'sender'>,
  options: { now?: () => number } = {},
) {
  const hooks = createWebhookSigner(client.secret('webhookSigning'), {
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return {
    /** Signs `event` now; `deliver` may send it later (a retry). */
    sign(event: object): Delivery {
      const body = JSON.stringify(event);
      return { body, header: hooks.sign(body) };
    },
    async deliver(url: string, delivery: Delivery): Promise<number> {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'coffer-signature': delivery.header },
        body: delivery.body,
      });
      await res.text();
      return res.status;
    },
  };
}
