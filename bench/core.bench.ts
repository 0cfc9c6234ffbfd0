// core: both crypto backends against raw node:crypto, on the sizes coffer hashes and seals most.
import { createCipheriv, createHash } from 'node:crypto';
import { createCryptoApi } from '../packages/core/src/_crypto-api.ts';
import nobleBackend from '../packages/core/src/_crypto-noble.ts';
import nodeBackend from '../packages/core/src/_crypto-node.ts';
import type { BenchContext } from './harness.ts';

const SIZES: Array<[string, number]> = [
  ['32 B', 32],
  ['256 B', 256],
  ['64 KiB', 64 * 1024],
];
// Floors, not goals: the node backend should cost little over a bare call; noble is the portable
// fallback and DESIGN.md expects it 4x-30x slower than OpenSSL here.
const TARGET = { node: 0.8, noble: 0.02 } as const;

export default async function (b: BenchContext): Promise<void> {
  const key = new Uint8Array(32).fill(1);
  const nonce = new Uint8Array(12).fill(2);
  for (const [label, size] of SIZES) {
    const data = new Uint8Array(size).fill(3);
    const rawSha = {
      name: 'node:crypto createHash',
      fn: () => createHash('sha256').update(data).digest(),
    };
    const rawGcm = {
      name: 'node:crypto aes-256-gcm',
      fn: () => {
        const c = createCipheriv('aes-256-gcm', key, nonce);
        const out = Buffer.concat([c.update(data), c.final(), c.getAuthTag()]);
        return out;
      },
    };
    for (const [backendName, backend] of [
      ['node', nodeBackend],
      ['noble', nobleBackend],
    ] as const) {
      const api = createCryptoApi(backend);
      await b.compare({
        name: `core: sha256 ${label} (${backendName}) vs node:crypto`,
        target: TARGET[backendName],
        baseline: rawSha,
        subject: () => api.sha256(data),
      });
      await b.compare({
        name: `core: aes-256-gcm seal ${label} (${backendName}) vs node:crypto`,
        target: TARGET[backendName],
        baseline: rawGcm,
        subject: () => api.aes256GcmSeal(key, nonce, data),
      });
    }
  }
}
