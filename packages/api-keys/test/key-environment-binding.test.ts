// A key's environment is bound to its record: `lp_test_…` imported as a live key must not verify
// as live (hosts gate production on `env`), and importKey refuses a mismatch it can see. Minting
// refuses an expiry that has already passed.
import { describe, expect, it } from 'vitest';
import { isWellFormedApiKey } from '../src/index.js';
import { harness, wrongSecretFor } from './helpers.js';

const code = (c: string, details?: Record<string, unknown>) =>
  expect.objectContaining(
    details === undefined ? { code: c } : { code: c, details: expect.objectContaining(details) },
  );

describe('the key environment is bound to its record', () => {
  it('a test key imported as live is 401 UNAUTHENTICATED, said only after its secret is proven', async () => {
    const source = harness();
    const minted = await source.manager.mint({ organizationId: 'o', env: 'test', name: 'ci' });
    const key = minted.key.expose();
    expect(key.startsWith('lp_test_')).toBe(true);
    const h = harness();
    const imported = await h.manager.importKey({
      keyId: minted.keyId,
      organizationId: 'o',
      env: 'live', // the mistake
      name: 'ci',
      secretHash: minted.secretHash,
    });
    expect(imported.env).toBe('live');
    for (const verifier of [h.verifier, h.newVerifier({ cache: false })]) {
      const error = await verifier.verify(key).catch((e: unknown) => e);
      expect(error).toEqual(
        code('UNAUTHENTICATED', { keyId: minted.keyId, reason: 'environment_mismatch' }),
      );
      expect(JSON.stringify(error)).not.toContain(key.slice(-43));
      // Again (the entry must not be served from the cache on the fast path).
      await expect(verifier.verify(key)).rejects.toEqual(
        code('UNAUTHENTICATED', { reason: 'environment_mismatch' }),
      );
      // A wrong secret for the same key says nothing about the record.
      const wrong = wrongSecretFor(key);
      expect(isWellFormedApiKey(wrong)).toBe(true);
      const refused = await verifier.verify(wrong).catch((e: { details?: unknown }) => e);
      expect(refused).toEqual(code('UNAUTHENTICATED'));
      expect((refused as { details?: unknown }).details).toBeUndefined();
    }
    // authenticate() too: nothing downstream ever sees env 'live' for it.
    await expect(h.verifier.authenticate({ headers: { 'x-api-key': key } })).rejects.toEqual(
      code('UNAUTHENTICATED'),
    );
  });

  it('importKey refuses a start that names another environment, prefix or key id', async () => {
    const h = harness();
    const source = harness();
    const minted = await source.manager.mint({ organizationId: 'o', env: 'test', name: 'ci' });
    const base = {
      keyId: minted.keyId,
      organizationId: 'o',
      name: 'ci',
      secretHash: minted.secretHash,
    };
    for (const start of [
      minted.start.replace('_test_', '_live_'),
      `acme_test_${minted.keyId}`,
      'lp_test_0000000000000000',
      minted.key.expose(), // a careless caller passing the whole key: refused, and not echoed
    ]) {
      const error = await h.manager
        .importKey({ ...base, env: 'test', start })
        .catch((e: unknown) => e);
      expect(error).toEqual(code('INVALID_INPUT', { parameter: 'start' }));
      expect(String((error as Error).message)).not.toContain(minted.key.expose().slice(-43));
    }
    await expect(
      h.manager.importKey({ ...base, env: 'live', start: minted.start }),
    ).rejects.toEqual(code('INVALID_INPUT', { parameter: 'start' }));
    expect(await h.store.getKey(minted.keyId)).toBeNull();
    const info = await h.manager.importKey({ ...base, env: 'test', start: minted.start });
    expect(info.start).toBe(minted.start);
    expect((await h.verifier.verify(minted.key.expose())).env).toBe('test');
  });
});

describe('minting with an expiry', () => {
  it('an expiresAt that is not in the future is INVALID_INPUT, and nothing is stored', async () => {
    const h = harness();
    for (const expiresAt of [new Date(h.now.ms - 1), new Date(h.now.ms), new Date(0)]) {
      await expect(
        h.manager.mint({ organizationId: 'o_exp', env: 'live', name: 'n', expiresAt }),
      ).rejects.toEqual(code('INVALID_INPUT', { parameter: 'expiresAt' }));
    }
    expect((await h.manager.list('o_exp')).keys).toHaveLength(0);
    const m = await h.manager.mint({
      organizationId: 'o_exp',
      env: 'live',
      name: 'n',
      expiresAt: new Date(h.now.ms + 1),
    });
    expect((await h.verifier.verify(m.key.expose())).expiresAt?.getTime()).toBe(h.now.ms + 1);
    // Importing a key that has already expired is allowed: its history is kept, it never verifies.
    const other = harness();
    const old = await other.manager.mint({ organizationId: 'o', env: 'live', name: 'old' });
    const info = await h.manager.importKey({
      keyId: old.keyId,
      organizationId: 'o',
      env: 'live',
      name: 'old',
      secretHash: old.secretHash,
      expiresAt: new Date(h.now.ms - 1000),
    });
    expect(info.status).toBe('expired');
    await expect(h.verifier.verify(old.key.expose())).rejects.toEqual(
      code('UNAUTHENTICATED', { reason: 'expired' }),
    );
  });
});
