import bcrypt from 'bcryptjs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BCRYPT_MAX_INPUT_BYTES, createBcryptHasher } from '../src/index.js';

const pooled = createBcryptHasher({ cost: 4, threads: 2 });
const inline = createBcryptHasher({ cost: 4, threads: 0 });
afterAll(async () => {
  await pooled.close();
  await inline.close();
});

const KEY = 'lp_live_01HX9Y6K7EJ4T2AB_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGztPTSg';

describe.each([
  ['worker pool', pooled],
  ['main thread', inline],
])('bcrypt hasher (%s)', (_, hasher) => {
  it('hashes to a standard $2b$ string that bcryptjs itself accepts, and verifies', async () => {
    const hash = await hasher.hash(KEY);
    expect(hash).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    expect(bcrypt.compareSync(KEY, hash)).toBe(true);
    expect(await hasher.verify(KEY, hash)).toBe(true);
    expect(await hasher.verify(`${KEY.slice(0, -1)}A`, hash)).toBe(false);
  });

  it('verifies hashes made elsewhere ($2a$, $2y$, other costs): importable', async () => {
    const foreign = bcrypt.hashSync(KEY, 5).replace('$2b$', '$2a$');
    expect(await hasher.verify(KEY, foreign)).toBe(true);
    expect(await hasher.verify(KEY, foreign.replace('$2a$', '$2y$'))).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['not bcrypt', 'sha256:abcdef'],
    ['truncated', '$2b$04$abc'],
    ['altered alphabet', `$2b$04$${'!'.repeat(53)}`],
    ['wrong type', 42],
    ['cost below 4', bcrypt.hashSync(KEY, 4).replace('$04$', '$03$')],
    ['cost 99', bcrypt.hashSync(KEY, 4).replace('$04$', '$99$')],
    [
      'cost above maxStoredCost (a planted slow hash)',
      bcrypt.hashSync(KEY, 4).replace('$04$', '$31$'),
    ],
  ])('resolves false, never throws, for a %s hash', async (_, hash) => {
    expect(await hasher.verify(KEY, hash as string)).toBe(false);
  });

  it('refuses input over 72 bytes instead of truncating it (bcrypt would ignore the rest)', async () => {
    const long = `${KEY}xxxxx`;
    expect(Buffer.byteLength(long)).toBeGreaterThan(BCRYPT_MAX_INPUT_BYTES);
    await expect(hasher.hash(long)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(hasher.verify(long, await hasher.hash(KEY))).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    // 71 characters but 74 bytes: counted in bytes.
    await expect(hasher.hash(`${'é'.repeat(3)}${'a'.repeat(68)}`)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    // Exactly 72 bytes is fine.
    expect(await hasher.verify('a'.repeat(72), await hasher.hash('a'.repeat(72)))).toBe(true);
  });

  it('the dummy hash has the configured cost and matches nothing anyone can send', async () => {
    const dummy = await hasher.dummyHash();
    expect(bcrypt.getRounds(dummy)).toBe(4);
    expect(await hasher.dummyHash()).toBe(dummy);
    expect(await hasher.verify(KEY, dummy)).toBe(false);
  });
});

describe('bcrypt hasher timing', () => {
  it('a hash it cannot read still costs one compare (against the dummy), like a real one', async () => {
    const hasher = createBcryptHasher({ cost: 4, threads: 0 });
    const dummy = await hasher.dummyHash();
    const compare = vi.spyOn(bcrypt, 'compare');
    try {
      for (const bad of ['', 'sha256:abcdef', '$2b$04$abc', 42, `$2b$99$${'a'.repeat(53)}`]) {
        compare.mockClear();
        expect(await hasher.verify(KEY, bad as string)).toBe(false);
        expect(compare).toHaveBeenCalledTimes(1);
        expect(compare).toHaveBeenCalledWith(KEY, dummy);
      }
    } finally {
      compare.mockRestore();
      await hasher.close();
    }
  });
});

describe('bcrypt hasher options', () => {
  it('compares stored hashes up to maxStoredCost (default cost + 2) and no higher', async () => {
    const hasher = createBcryptHasher({ cost: 4, threads: 0 });
    const atSix = bcrypt.hashSync(KEY, 6);
    const atSeven = bcrypt.hashSync(KEY, 7);
    try {
      expect(await hasher.verify(KEY, atSix)).toBe(true);
      expect(await hasher.verify(KEY, atSeven)).toBe(false);
    } finally {
      await hasher.close();
    }
    const wider = createBcryptHasher({ cost: 4, threads: 0, maxStoredCost: 7 });
    try {
      expect(await wider.verify(KEY, atSeven)).toBe(true);
    } finally {
      await wider.close();
    }
  });

  it('defaults to cost 12', async () => {
    const hasher = createBcryptHasher({ threads: 1 });
    try {
      expect(bcrypt.getRounds(await hasher.hash('x'))).toBe(12);
    } finally {
      await hasher.close();
    }
  });

  it.each([
    [{ cost: 3 }],
    [{ cost: 32 }],
    [{ cost: 10.5 }],
    [{ threads: -1 }],
    [{ threads: 1.5 }],
    [{ cost: 12, maxStoredCost: 11 }],
    [{ maxStoredCost: 32 }],
  ])('refuses %j with INVALID_INPUT', (options) => {
    expect(() => createBcryptHasher(options)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });

  it('runs compares in parallel across its workers and rejects new work after close', async () => {
    const hasher = createBcryptHasher({ cost: 4, threads: 2 });
    const hash = await hasher.hash(KEY);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        hasher.verify(i % 2 ? KEY : `${KEY.slice(0, -1)}B`, hash),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(10);
    await hasher.close();
    await expect(hasher.verify(KEY, hash)).rejects.toMatchObject({ code: 'HASHER_CLOSED' });
  });
});
