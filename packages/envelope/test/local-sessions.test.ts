// Session rotation and the open cache of the local provider. The real limits (2^24 wraps per
// session, 256 cached keys) are out of reach of a fast test, so this drives the internal factory
// with small limits; everything else goes through the public API.
import { describe, expect, it } from 'vitest';
import { createEnvelope, Keyring } from '../src/index.js';
import { createLocalKeyProviderWithLimits } from '../src/local-key-provider.js';
import { envKey, text } from './_helpers.js';

const keyring = Keyring.fromEnv(`*1:${envKey(0x41)}`);
const context = { vaultId: 'v_1' };
const seedOf = (sealed: Uint8Array) => Array.from(sealed.subarray(6, 26)).join(',');
const counterOf = (sealed: Uint8Array) =>
  new DataView(sealed.buffer, sealed.byteOffset + 26, 4).getUint32(0);

describe('local provider sessions', () => {
  it('draws a new seed after the session limit and restarts the counter', async () => {
    const provider = createLocalKeyProviderWithLimits(keyring, {
      sessionWrapLimit: 3,
      openCacheSize: 256,
    });
    const envelope = createEnvelope({ provider });
    const sealed: Uint8Array[] = [];
    for (let i = 0; i < 7; i++) sealed.push(await envelope.seal(`value ${i}`, { context }));
    expect(sealed.map(counterOf)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    const seeds = sealed.map(seedOf);
    expect(new Set(seeds).size).toBe(3);
    expect(seeds[0]).toBe(seeds[2]);
    expect(seeds[3]).not.toBe(seeds[2]);
    expect(seeds[6]).not.toBe(seeds[5]);
    for (let i = 0; i < 7; i++) {
      expect(text(await envelope.open(sealed[i] as Uint8Array, { context }))).toBe(`value ${i}`);
    }
  });

  it('still opens values whose derived keys were evicted from the cache', async () => {
    const provider = createLocalKeyProviderWithLimits(keyring, {
      sessionWrapLimit: 1,
      openCacheSize: 2,
    });
    const envelope = createEnvelope({ provider });
    const sealed: Uint8Array[] = [];
    for (let i = 0; i < 10; i++) sealed.push(await envelope.seal(`value ${i}`, { context }));
    expect(new Set(sealed.map(seedOf)).size).toBe(10);
    // Twice over, in both orders: every open either hits the cache or re-derives correctly.
    for (const order of [sealed.keys(), [...sealed.keys()].reverse()]) {
      for (const i of order) {
        expect(text(await envelope.open(sealed[i] as Uint8Array, { context }))).toBe(`value ${i}`);
      }
    }
    // A fresh provider (empty cache, different session) opens them all too.
    const fresh = createEnvelope({
      provider: createLocalKeyProviderWithLimits(keyring, {
        sessionWrapLimit: 1,
        openCacheSize: 1,
      }),
    });
    for (const [i, s] of sealed.entries())
      expect(text(await fresh.open(s, { context }))).toBe(`value ${i}`);
  });
});
