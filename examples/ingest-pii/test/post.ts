// A raw HTTP POST for the ingest tests: the body goes out as the given chunks (chunked transfer
// encoding, one chunk per part, yielding between them), so a test decides where chunks split.
import { once } from 'node:events';
import { request } from 'node:http';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export function post(
  url: string,
  parts: readonly Uint8Array[],
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      url,
      { method: 'POST', headers: { 'transfer-encoding': 'chunked', ...headers } },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          });
        });
      },
    );
    // A server that refuses a body early may close while the rest is still being written.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    void (async () => {
      for (const part of parts) {
        if (req.destroyed) return;
        if (!req.write(part)) await once(req, 'drain');
        await new Promise((next) => setImmediate(next));
      }
      req.end();
    })().catch(() => undefined);
  });
}

/** The body as separate parts, split at these byte offsets. */
export function splitAt(bytes: Uint8Array, ...offsets: number[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const at of offsets) {
    parts.push(bytes.subarray(from, at));
    from = at;
  }
  parts.push(bytes.subarray(from));
  return parts;
}
