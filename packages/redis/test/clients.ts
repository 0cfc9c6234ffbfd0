// Both supported clients, connected to a URL, with their error events handled (node-redis throws
// an unhandled 'error' event otherwise) and a close that never hangs.
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import type { RedisClientLike } from '../src/index.js';

export interface TestClient {
  readonly name: 'ioredis' | 'node-redis';
  readonly client: RedisClientLike;
  close(): Promise<void>;
}

export type ClientName = TestClient['name'];
export const CLIENTS: readonly ClientName[] = ['ioredis', 'node-redis'];

export async function connect(name: ClientName, url: string): Promise<TestClient> {
  if (name === 'ioredis') {
    const client = new Redis(url, { lazyConnect: true });
    client.on('error', () => {});
    await client.connect();
    return { name, client, close: async () => client.disconnect() };
  }
  const client = createClient({
    url,
    socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 500) },
  });
  client.on('error', () => {});
  await client.connect();
  return {
    name,
    client,
    close: async () => {
      client.destroy();
    },
  };
}
