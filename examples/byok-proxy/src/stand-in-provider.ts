// A local stand-in for an OpenAI-style provider: a node:http server on 127.0.0.1 that accepts
// `POST /v1/chat/completions` and `GET /v1/models` only with a Bearer key it issued, and answers an
// unknown or revoked key with OpenAI's 401 shape. It records which key each call used, so the
// example can show whose quota paid. Never the internet.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface StandInProvider {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Accept this key from now on. */
  issue(key: string): void;
  /** Refuse this key from now on (the customer revoked it upstream). */
  revoke(key: string): void;
  /** The label of the key of every accepted call, in order. */
  readonly billed: string[];
  close(): Promise<void>;
}

/** Starts the stand-in; `labels` names keys in `billed` (never the key itself). */
export async function startStandInProvider(
  labels: ReadonlyMap<string, string>,
): Promise<StandInProvider> {
  const issued = new Set<string>();
  const billed: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const auth = req.headers.authorization ?? '';
      const key = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      res.setHeader('content-type', 'application/json');
      if (!issued.has(key)) {
        res.writeHead(401);
        res.end(
          JSON.stringify({
            error: {
              message: 'Incorrect API key provided.',
              type: 'invalid_request_error',
              code: 'invalid_api_key',
            },
          }),
        );
        return;
      }
      if (req.method === 'GET' && req.url === '/v1/models') {
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'stand-in-1' }] }));
        return;
      }
      if (req.method === 'POST' && req.url === '/v1/chat/completions') {
        billed.push(labels.get(key) ?? 'unknown key');
        res.end(
          JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'Hello!' } }] }),
        );
        return;
      }
      res.writeHead(404);
      res.end(JSON.stringify({ error: { message: 'Not found' } }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    issue: (key) => void issued.add(key),
    revoke: (key) => void issued.delete(key),
    billed,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
