// Runtimes without worker threads (Cloudflare Workers, browsers) get the portable `#platform`: the
// hasher runs bcryptjs on the calling thread by default and refuses a thread count it cannot honour.
// Both platforms are exercised here on Node; runtimes/ runs the portable one in workerd itself.
import { afterEach, describe, expect, it, vi } from 'vitest';
import nodePlatform from '../src/_platform-node.js';
import portablePlatform from '../src/_platform-portable.js';
import { createBcryptHasherOn } from '../src/hasher.js';

const KEY = 'lp_live_01HX9Y6K7EJ4T2AB_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGztPTSg';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the portable platform (no worker threads)', () => {
  it('has no thread pool', () => {
    expect(portablePlatform.createThreadPool).toBeNull();
    expect(nodePlatform.createThreadPool).not.toBeNull();
  });

  it('hashes and verifies on the calling thread by default', async () => {
    const hasher = createBcryptHasherOn(portablePlatform, { cost: 4 });
    const hash = await hasher.hash(KEY);
    expect(hash).toMatch(/^\$2b\$04\$/);
    expect(await hasher.verify(KEY, hash)).toBe(true);
    expect(await hasher.verify(`${KEY.slice(0, -1)}A`, hash)).toBe(false);
    expect(await hasher.verify(KEY, 'not a hash')).toBe(false);
    await hasher.close();
  });

  it('finishes every hash and compare without timers (a Worker cancels them when a request answers)', async () => {
    const hasher = createBcryptHasherOn(portablePlatform, { cost: 4 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'setImmediate', 'setInterval', 'queueMicrotask'] });
    try {
      // Started "in one request": nothing may be left for a timer to finish.
      const settled = async <T>(promise: Promise<T>): Promise<T> => {
        let done = false;
        const result = promise.finally(() => {
          done = true;
        });
        for (let i = 0; i < 20 && !done; i++) await Promise.resolve();
        expect(done, 'settled without a timer').toBe(true);
        return result;
      };
      const hash = await settled(hasher.hash(KEY));
      expect(await settled(hasher.verify(KEY, hash))).toBe(true);
      // The dummy hash (unknown key_id, unreadable hash) is shared across requests.
      expect(await settled(hasher.verify(KEY, 'not a hash'))).toBe(false);
      expect(await settled(hasher.dummyHash())).toMatch(/^\$2b\$04\$/);
    } finally {
      vi.useRealTimers();
      await hasher.close();
    }
  });

  it('accepts threads: 0 and refuses any other count with INVALID_INPUT', async () => {
    const inline = createBcryptHasherOn(portablePlatform, { cost: 4, threads: 0 });
    expect(await inline.verify(KEY, await inline.hash(KEY))).toBe(true);
    for (const threads of [1, 2, 256]) {
      expect(() => createBcryptHasherOn(portablePlatform, { cost: 4, threads })).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', details: { parameter: 'threads' } }),
      );
    }
    // A malformed count is still reported as such.
    expect(() => createBcryptHasherOn(portablePlatform, { cost: 4, threads: -1 })).toThrow(
      /from 0 to 256/,
    );
  });

  it('reads the core count from navigator, else plans for one core', () => {
    vi.stubGlobal('navigator', { hardwareConcurrency: 6 });
    expect(portablePlatform.parallelism()).toBe(6);
    for (const odd of [undefined, 0, -2, 1.5, '4']) {
      vi.stubGlobal('navigator', { hardwareConcurrency: odd });
      expect(portablePlatform.parallelism()).toBe(1);
    }
    vi.stubGlobal('navigator', undefined);
    expect(portablePlatform.parallelism()).toBe(1);
  });
});
