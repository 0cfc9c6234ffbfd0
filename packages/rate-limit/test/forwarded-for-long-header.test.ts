// A client behind a trusted proxy can make X-Forwarded-For as long as the server accepts (16 KiB
// of headers on Node). The proxy still appends the client's real address on the right, so a long
// header must resolve to that address: it used to resolve to the proxy itself, which gave the
// client a second budget (the proxy's) and moved its failures off its own.
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import {
  type ApiKeyHasher,
  createApiKeyVerifier,
  createBcryptHasher,
  createMemoryApiKeyStore,
} from '@coffer/api-keys';
import { describe, expect, it } from 'vitest';
import { createAuthenticationGuard, createClientAddressResolver } from '../src/index.js';

const req = (peer: string, xff: string) => ({
  socket: { remoteAddress: peer },
  headers: { 'x-forwarded-for': xff },
});

/** A well-formed key (valid checksum) with a random key_id and secret: a forgery. */
function forged(): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const start = `lp_live_${Array.from(randomBytes(16), (b) => alphabet[b % 32]).join('')}`;
  const random = randomBytes(28);
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc32(Buffer.concat([Buffer.from(`${start}_`, 'ascii'), random])));
  return `${start}_${Buffer.concat([random, sum]).toString('base64url')}`;
}

/** What a client writes: `n` made-up addresses, about `n × 12` characters. */
const padding = (n: number) => Array.from({ length: n }, (_, i) => `10.9.${i % 250}.1`).join(', ');

describe('a long X-Forwarded-For', () => {
  it('hops: still the n-th address from the right, however long the client made the left part', () => {
    const one = createClientAddressResolver({ trustProxy: { hops: 1 } });
    const two = createClientAddressResolver({ trustProxy: { hops: 2 } });
    for (const n of [400, 1000, 1300]) {
      const written = padding(n);
      expect(written.length).toBeGreaterThan(4096);
      expect(one(req('10.0.0.2', `${written}, 203.0.113.9`))).toBe('203.0.113.9');
      expect(two(req('10.0.0.2', `${written}, 203.0.113.9, 10.0.0.1`))).toBe('203.0.113.9');
      // One huge entry, then the real one.
      expect(one(req('10.0.0.2', `${'x'.repeat(n * 12)}, 203.0.113.9`))).toBe('203.0.113.9');
    }
  });

  it('proxies: the walk from the right is the same as for a short header', () => {
    const resolve = createClientAddressResolver({ trustProxy: { proxies: ['10.0.0.0/8'] } });
    const tail = '198.51.100.7, 10.0.0.3';
    expect(resolve(req('10.0.0.2', tail))).toBe('198.51.100.7');
    expect(resolve(req('10.0.0.2', `${padding(1000)}, ${tail}`))).toBe('198.51.100.7');
    expect(resolve(req('10.0.0.2', `${'_'.repeat(9000)}, ${tail}`))).toBe('198.51.100.7');
  });

  it('the cut entry is never read: a header that is one long entry gives the proxy, as garbage does', () => {
    const resolve = createClientAddressResolver({ trustProxy: { hops: 1 } });
    // The last 4,096 characters of this are a valid-looking address's tail ("…1.2.3.4"): the cut
    // leftover must not be taken for an address.
    expect(resolve(req('10.0.0.2', `${'9'.repeat(6000)}1.2.3.4`))).toBe('10.0.0.2');
  });

  it("the guard: padding the header neither moves a client's failures off its address nor gives it the proxy's budget", async () => {
    const base = createBcryptHasher({ cost: 4, threads: 0 });
    let compares = 0;
    const hasher: ApiKeyHasher = {
      hash: (k) => base.hash(k),
      dummyHash: () => base.dummyHash(),
      close: () => base.close(),
      verify: (k, h) => {
        compares += 1;
        return base.verify(k, h);
      },
    };
    const verifier = createApiKeyVerifier({
      store: createMemoryApiKeyStore(),
      hasher,
      guard: createAuthenticationGuard({
        trustProxy: { hops: 1 },
        perAddress: { rate: 1, per: 'hour', burst: 3 },
        clock: () => 0,
      }),
      failedAttempts: false,
    });
    try {
      const codes: unknown[] = [];
      for (let i = 0; i < 10; i++) {
        const headers = {
          'x-api-key': forged(),
          // Every other attempt pads the header past 4 KiB; the proxy appended the real address.
          'x-forwarded-for': `${padding(i % 2 === 0 ? 1000 : 1)}, 203.0.113.66`,
        };
        const request = { socket: { remoteAddress: '10.0.0.2' }, headers };
        const error: unknown = await verifier.authenticate(request).catch((e: unknown) => e);
        codes.push((error as { code?: unknown }).code);
      }
      // One client, one budget: three compares, then refusals, long header or not.
      expect(compares).toBe(3);
      expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(7);
    } finally {
      await base.close();
    }
  });
});
