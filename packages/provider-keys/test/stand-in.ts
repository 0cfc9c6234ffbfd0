// A local stand-in for a provider's API: a real node:http server on 127.0.0.1 and a random port,
// answering as the test tells it to. It records what it received (to prove where the key went)
// and can hang, reset the connection, or send a huge body. Never the internet.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the stand-in saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** What the stand-in does with a request. */
export type Answer = (req: SeenRequest, res: ServerResponse, socket: Socket) => void;

export interface StandIn {
  /** `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  /** Every request received, in order. */
  readonly requests: SeenRequest[];
  /** Replaces how the stand-in answers. */
  answer(next: Answer): void;
  /** Closes the server and every open connection (hung ones included). */
  close(): Promise<void>;
}

/** Starts a stand-in that answers with `initial` until told otherwise. */
export async function startStandIn(initial: Answer): Promise<StandIn> {
  let current = initial;
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      current(seen, res, req.socket);
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
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    answer(next) {
      current = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Answers with a status, JSON body and headers. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}

/** Never answers (until the stand-in is closed). */
export const hang: Answer = () => undefined;

/** Sends the status line and headers, then a little of the body, then nothing more. */
export function hangAfterHeaders(status: number): Answer {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.write('{"error":');
  };
}

/** Destroys the connection without answering (a reset). */
export const reset: Answer = (_req, _res, socket) => {
  socket.destroy();
};

/** Answers with `status` and a body of `bytes` bytes of JSON-looking text, streamed. */
export function hugeBody(status: number, bytes: number): Answer {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = (): void => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('error', () => undefined);
    pump();
  };
}
