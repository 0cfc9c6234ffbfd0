// A local HTTP server standing in for an ad platform's conversions endpoint (think Meta CAPI). It
// knows the access token it issued and accepts an event only when the request carries that token
// and an HMAC-SHA-256 signature of the body made with it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { constantTimeEqualString, hmacSha256Hex, utf8Encode } from '@coffer/core';

export interface PlatformServer {
  url: string;
  /** The token the platform currently accepts (the platform "issued" it). */
  issue(token: string): void;
  /** How many requests reached the platform so far. */
  received(): number;
  close(): Promise<void>;
}

export async function startPlatformServer(): Promise<PlatformServer> {
  let current = '';
  let received = 0;
  const server: Server = createServer((req, res) => {
    received++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const auth = req.headers.authorization ?? '';
      const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      const signature = String(req.headers['x-signature'] ?? '');
      const expected = current === '' ? '' : `sha256=${hmacSha256Hex(utf8Encode(current), body)}`;
      const accepted =
        current !== '' &&
        constantTimeEqualString(token, current) &&
        constantTimeEqualString(signature, expected);
      res.writeHead(accepted ? 200 : 401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          accepted
            ? { events_received: 1 }
            : { error: { message: 'Invalid OAuth access token or signature.', code: 190 } },
        ),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    issue(token) {
      current = token;
    },
    received: () => received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Signs and sends one event the way a CAPI relay worker would. */
export async function sendEvent(
  url: string,
  token: string,
  event: Record<string, unknown>,
): Promise<number> {
  const body = JSON.stringify({ data: [event] });
  const response = await fetch(`${url}/v21.0/1234567890/events`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'x-signature': `sha256=${hmacSha256Hex(utf8Encode(token), body)}`,
    },
    body,
  });
  await response.text();
  return response.status;
}
