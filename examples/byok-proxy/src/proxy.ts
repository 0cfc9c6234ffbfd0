// The proxy: takes a chat request for a customer, resolves the key to call the provider with (the
// customer's own when active, else the platform key), forwards the request, and after a failure
// tells provider-keys what the provider answered. When that marked the customer's key invalid (or
// rate-limited it), the request is sent once more with the key `resolve` now returns — the
// platform key — so the customer's request still succeeds while they are told to fix their key.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ProviderKeys, ResolvedProviderKey } from '@coffer/provider-keys';

export interface ByokProxyOptions {
  /** The provider-keys manager (it holds the vault reader). */
  keys: ProviderKeys;
  /** The provider's base URL (here the local stand-in). */
  upstream: string;
  /** The provider id the upstream is (`openai`). */
  provider: string;
}

/** One forwarded call: the provider's status and body, and whose key was used. */
export interface Forwarded {
  status: number;
  body: string;
  source: ResolvedProviderKey['source'];
}

/** Forwards `body` for `owner`, falling back once when the customer's key was just refused. */
export async function forwardChat(
  options: ByokProxyOptions,
  owner: string,
  body: string,
): Promise<Forwarded> {
  const send = async (resolved: ResolvedProviderKey): Promise<Response> =>
    fetch(`${options.upstream}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${resolved.key.expose()}`,
        'content-type': 'application/json',
      },
      body,
      redirect: 'manual',
    });
  let resolved = await options.keys.resolve(owner, options.provider);
  let response = await send(resolved);
  if (!response.ok && resolved.source === 'customer') {
    const text = await response.text();
    const outcome = await options.keys.reportFailure(resolved.ref, {
      status: response.status,
      headers: response.headers,
      body: text,
    });
    if (outcome.action !== 'marked_invalid' && outcome.action !== 'rate_limited') {
      return { status: response.status, body: text, source: resolved.source };
    }
    // The customer's key is out of use now: resolve returns the platform key.
    resolved = await options.keys.resolve(owner, options.provider);
    response = await send(resolved);
  }
  return { status: response.status, body: await response.text(), source: resolved.source };
}

/**
 * The proxy as an HTTP server: `POST /v1/chat/completions` with the customer in `x-customer`
 * (a real proxy takes it from its own authentication, never from a header the caller chooses).
 * It answers the provider's status and body, with `x-key-source: customer | platform`.
 */
export function createByokProxy(options: ByokProxyOptions): Server {
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const owner = req.headers['x-customer'];
      if (
        req.method !== 'POST' ||
        req.url !== '/v1/chat/completions' ||
        typeof owner !== 'string'
      ) {
        res.writeHead(404).end();
        return;
      }
      forwardChat(options, owner, Buffer.concat(chunks).toString('utf8')).then(
        (out) => {
          res.writeHead(out.status, {
            'content-type': 'application/json',
            'x-key-source': out.source,
          });
          res.end(out.body);
        },
        (error: { code?: string; status?: number }) => {
          // A typed error's code (PROVIDER_KEY_UNAVAILABLE, …), never a message or a key.
          res.writeHead(error.status ?? 500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: error.code ?? 'INTERNAL' } }));
        },
      );
    });
  });
}
