// Signed cookies: the committed vectors (computed with Python's hmac), purpose binding, versions,
// age and skew, and a hostile-input table plus a property test.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createCookieSigner,
  createSecretsClient,
  defineSecrets,
  SignatureError,
  secret,
} from '../src/index.js';
import { countingSource, keyText, owner } from './helpers.js';

interface Vector {
  name: string;
  version: number;
  storedText: string;
  secretEncoding: 'text' | 'bytes';
  purpose: string;
  issuedAt: number;
  value: string;
  cookie: string;
}
const { vectors } = JSON.parse(
  readFileSync(new URL('./fixtures/signed-cookie-v1.json', import.meta.url), 'utf8'),
) as { vectors: Vector[] };

async function accessorFor(versions: Array<[number, string]>, encoding: 'text' | 'bytes' = 'text') {
  const def = defineSecrets({
    ...owner,
    surfaces: ['api'],
    secrets: {
      cookieKey:
        encoding === 'text'
          ? secret.static({ consumers: ['api'] })
          : secret.random({ consumers: ['api'], encoding: 'bytes' }),
    },
  });
  const source = countingSource();
  source.set('cookieKey', versions);
  const api = await createSecretsClient(def, { surface: 'api', source });
  return api.secret('cookieKey') as Parameters<typeof createCookieSigner>[0];
}

const T0 = 1_767_225_600;

describe('known-answer vectors', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('%s', async (_, v) => {
    const accessor = await accessorFor([[v.version, v.storedText]], v.secretEncoding);
    const cookies = createCookieSigner(accessor, {
      purpose: v.purpose,
      now: () => v.issuedAt * 1000,
    });
    expect(cookies.sign(v.value)).toBe(v.cookie);
    expect(cookies.verify(v.cookie)).toEqual({
      ok: true,
      value: v.value,
      version: v.version,
      issuedAt: v.issuedAt,
    });
  });
});

describe('verification', () => {
  it('binds the purpose: a session cookie does not verify as another cookie', async () => {
    const accessor = await accessorFor([[1, keyText(1)]]);
    const session = createCookieSigner(accessor, { purpose: 'session' });
    const csrf = createCookieSigner(accessor, { purpose: 'csrf' });
    expect(csrf.verify(session.sign('user_42'))).toMatchObject({ ok: false, reason: 'mismatch' });
  });

  it('accepts older accepted versions; refuses a version no longer accepted', async () => {
    const now = T0 * 1000;
    const old = createCookieSigner(await accessorFor([[1, keyText(1)]]), {
      purpose: 'session',
      now: () => now,
    });
    const signedV1 = old.sign('user_42');
    const rotated = createCookieSigner(
      await accessorFor([
        [2, keyText(2)],
        [1, keyText(1)],
      ]),
      { purpose: 'session', now: () => now },
    );
    expect(rotated.sign('x').startsWith('c1.2.')).toBe(true);
    expect(rotated.verify(signedV1)).toMatchObject({ ok: true, version: 1, value: 'user_42' });
    const retired = createCookieSigner(await accessorFor([[2, keyText(2)]]), {
      purpose: 'session',
    });
    expect(retired.verify(signedV1)).toMatchObject({ reason: 'version-not-accepted' });
  });

  it('max age and clock skew', async () => {
    let now = T0 * 1000;
    const cookies = createCookieSigner(await accessorFor([[1, keyText(1)]]), {
      purpose: 'session',
      maxAgeSec: 3600,
      now: () => now,
    });
    const signed = cookies.sign('v');
    now = (T0 + 3600) * 1000;
    expect(cookies.verify(signed).ok).toBe(true);
    now = (T0 + 3601) * 1000;
    expect(cookies.verify(signed)).toEqual({
      ok: false,
      reason: 'expired',
      code: 'SIGNATURE_EXPIRED',
    });
    expect(cookies.verify(signed, { maxAgeSec: 7200 }).ok).toBe(true);
    now = (T0 - 61) * 1000;
    expect(cookies.verify(signed)).toMatchObject({ reason: 'clock-skew' });
    now = (T0 - 60) * 1000;
    expect(cookies.verify(signed).ok).toBe(true);
  });

  const base = `c1.1.${T0}.dg.${'A'.repeat(43)}`;
  it.each([
    [undefined],
    [42],
    [''],
    ['c1'],
    [base.replace('c1.', 'c2.')],
    [base.replace('c1.1.', 'c1.01.')],
    [base.replace('c1.1.', 'c1.0.')],
    [base.replace(`${T0}`, `0${T0}`)],
    [base.replace(`${T0}`, '-1')],
    [base.replace('.dg.', '.dg=.')],
    [base.replace('.dg.', '.d+.')],
    [base.replace('.dg.', '.dh.')],
    [`${base}A`],
    [base.slice(0, -1)],
    [`${base}.x`],
    [` ${base}`],
    [`c1.1.${T0}.${'a'.repeat(5000)}.${'A'.repeat(43)}`],
    [`c1.1.${T0}.${Buffer.from([0xff, 0xfe]).toString('base64url')}.${'A'.repeat(43)}`],
  ])('%j is malformed or a mismatch, never a throw', async (cookie) => {
    const cookies = createCookieSigner(await accessorFor([[1, keyText(1)]]), {
      purpose: 'session',
      now: () => T0 * 1000,
    });
    const result = cookies.verify(cookie);
    expect(result.ok).toBe(false);
    expect(['malformed', 'mismatch']).toContain(result.ok ? '' : result.reason);
  });

  it('mutations of a valid cookie never verify', async () => {
    const cookies = createCookieSigner(await accessorFor([[1, keyText(1)]]), {
      purpose: 'session',
    });
    const valid = cookies.sign('{"user":"u_42","role":"member"}');
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.string({ minLength: 1, maxLength: 2 }), (i, c) => {
        const mutated = valid.slice(0, i) + c + valid.slice(i + 1);
        if (mutated === valid) return;
        expect(cookies.verify(mutated).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('verifyOrThrow returns the value or throws a SignatureError', async () => {
    const cookies = createCookieSigner(await accessorFor([[1, keyText(1)]]), {
      purpose: 'session',
    });
    expect(cookies.verifyOrThrow(cookies.sign('v'))).toBe('v');
    expect(() => cookies.verifyOrThrow('nope')).toThrow(SignatureError);
  });
});

describe('programmer errors', () => {
  it('refuses bad values and options with INVALID_INPUT', async () => {
    const accessor = await accessorFor([[1, keyText(1)]]);
    const cookies = createCookieSigner(accessor, { purpose: 'session' });
    const untyped = cookies as unknown as { sign(v: unknown): string };
    for (const value of [undefined, 42, '\uD800', 'a\uDC00b', 'x'.repeat(2049), 'é'.repeat(1025)]) {
      expect(() => untyped.sign(value)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
    expect(untyped.sign('😀')).toMatch(/^c1\./);
    const make = createCookieSigner as unknown as (a: unknown, o: unknown) => unknown;
    for (const options of [
      undefined,
      {},
      { purpose: '' },
      { purpose: 'Session' },
      { purpose: 'a\u0000b' },
      { purpose: 'session', maxAgeSec: 0 },
      { purpose: 'session', clockToleranceSec: -1 },
    ]) {
      expect(() => make(accessor, options)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    }
    expect(() => cookies.verify('x', { maxAgeSec: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
