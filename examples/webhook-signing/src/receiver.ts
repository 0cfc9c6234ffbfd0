// The receiving service: verifies the raw body against the `Coffer-Signature` header before
// parsing it. When a signature names a version newer than the one it holds (the sender picked up
// a rotation first), it reloads the secret — at most once per `reloadEveryMs`, so a flood of
// forged headers cannot turn into a flood of vault reads — and verifies once more. An older
// version that is no longer accepted is refused without a reload.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookSigner, type SecretsClient, type SecretsDefinition } from '@coffer/secrets';
import type { app } from './secrets.ts';

type Declarations = typeof app extends SecretsDefinition<infer D, string> ? D : never;

export interface Receiver {
  readonly url: string;
  /** Each delivery's outcome: `200 v<n>` or `401 <reason>`. */
  readonly log: string[];
  close(): Promise<void>;
}

export async function startReceiver(
  client: SecretsClient<Declarations, 'receiver'>,
  options: { now?: () => number; reloadEveryMs?: number } = {},
): Promise<Receiver> {
  const hooks = createWebhookSigner(client.secret('webhookSigning'), {
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const now = options.now ?? Date.now;
  const reloadEveryMs = options.reloadEveryMs ?? 5_000;
  let lastReload = Number.NEGATIVE_INFINITY;
  const log: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = new Uint8Array(Buffer.concat(chunks));
      const header = req.headers['coffer-signature'];
      let result = await hooks.verify(body, header);
      const kid =
        typeof header === 'string'
          ? Number(/(?:^|,)kid=([1-9][0-9]{0,8})(?:,|$)/.exec(header)?.[1])
          : Number.NaN;
      if (
        !result.ok &&
        result.reason === 'version-not-accepted' &&
        kid > client.secret('webhookSigning').current().version &&
        now() - lastReload >= reloadEveryMs
      ) {
        lastReload = now();
        await client.invalidate('webhookSigning');
        result = await hooks.verify(body, header);
      }
      const line = result.ok ? `200 v${result.version}` : `401 ${result.reason}`;
      log.push(line);
      res.writeHead(result.ok ? 200 : 401, { 'content-type': 'text/plain' }).end(line);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    log,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
