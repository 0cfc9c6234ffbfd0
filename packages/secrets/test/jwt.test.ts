// JWT HS256 with kid = version: interop with jose and a hand check of the HMAC, rotation, and
// every refusal (alg, kid, time claims, issuer/audience, tampering, garbage).
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { isCofferError } from '@coffer/core';
import fc from 'fast-check';
import { decodeProtectedHeader, jwtVerify, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  createJwtSigner,
  createMemorySecretSource,
  createSecretsClient,
  createSecretsManager,
  defineSecrets,
  type JwtSignerOptions,
  SignatureError,
  secret,
} from '../src/index.js';
import { countingSource, keyText, owner } from './helpers.js';

const app = defineSecrets({
  ...owner,
  surfaces: ['api'],
  secrets: { jwtKey: secret.static({ consumers: ['api'] }) },
});
const T0 = 1_767_225_600;

async function jwtFor(versions: Array<[number, string]>, options: JwtSignerOptions = {}) {
  const source = countingSource();
  source.set('jwtKey', versions);
  const api = await createSecretsClient(app, { surface: 'api', source });
  return createJwtSigner(api.secret('jwtKey'), { now: () => T0 * 1000, ...options });
}

const keyBytes = (n: number) => new TextEncoder().encode(keyText(n));

/** A token made with jose directly (what a hostile or foreign issuer could send). */
async function foreign(
  key: Uint8Array,
  header: Record<string, unknown>,
  claims: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT({ exp: T0 + 60, iat: T0, ...claims })
    .setProtectedHeader({ alg: 'HS256', ...header } as never)
    .sign(key);
}

describe('sign', () => {
  it('issues HS256 with kid = current version, iat, exp, iss, aud, sub', async () => {
    const jwt = await jwtFor(
      [
        [3, keyText(3)],
        [2, keyText(2)],
      ],
      { issuer: 'https://shop.example', audience: 'shop-api', expiresInSec: 600 },
    );
    const token = await jwt.sign({ role: 'admin' }, { subject: 'user_42' });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: '3' });
    // jose, given the raw key, agrees…
    const { payload } = await jwtVerify(token, keyBytes(3), { currentDate: new Date(T0 * 1000) });
    expect(payload).toEqual({
      role: 'admin',
      sub: 'user_42',
      iss: 'https://shop.example',
      aud: 'shop-api',
      iat: T0,
      exp: T0 + 600,
    });
    // …and so does a bare HMAC over "header.payload".
    const [h, p, s] = token.split('.');
    expect(createHmac('sha256', keyText(3)).update(`${h}.${p}`).digest('base64url')).toBe(s);
    await expect(jwt.verify(token)).resolves.toEqual({ ok: true, payload, version: 3 });
  });

  it('the configured claims win over ones passed in', async () => {
    const jwt = await jwtFor([[1, keyText(1)]], { issuer: 'me' });
    const token = await jwt.sign({ iss: 'someone-else', exp: T0 + 99_999_999, iat: 1 });
    const result = await jwt.verify(token);
    expect(result.ok && [result.payload.iss, result.payload.exp, result.payload.iat]).toEqual([
      'me',
      T0 + 900,
      T0,
    ]);
  });

  it('refuses claims that are not a plain JSON object, and a key shorter than 32 bytes', async () => {
    const jwt = await jwtFor([[1, keyText(1)]]);
    const untyped = jwt as unknown as { sign(c: unknown): Promise<string> };
    for (const claims of [null, 'x', [1], { big: 10n }]) {
      await expect(untyped.sign(claims)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    const short = await jwtFor([[1, 'too-short-for-hs256']]);
    await expect(short.sign({})).rejects.toMatchObject({ code: 'SECRET_INVALID_FORMAT' });
  });
});

describe('verify', () => {
  it('accepts every accepted version by kid; refuses one past retention', async () => {
    const def = defineSecrets({
      ...owner,
      surfaces: ['api'],
      secrets: { k: secret.random({ consumers: ['api'], encoding: 'bytes' }) },
    });
    const source = createMemorySecretSource({ acceptVersions: 2 });
    const manager = createSecretsManager(def, { source });
    await manager.rotate('k');
    const api = await createSecretsClient(def, { surface: 'api', source });
    const jwt = createJwtSigner(api.secret('k'));
    const v1 = await jwt.sign({});
    await manager.rotate('k');
    await api.invalidate();
    const v2 = await jwt.sign({});
    await expect(jwt.verify(v1)).resolves.toMatchObject({ ok: true, version: 1 });
    await expect(jwt.verify(v2)).resolves.toMatchObject({ ok: true, version: 2 });
    await manager.rotate('k');
    await api.invalidate();
    await expect(jwt.verify(v1)).resolves.toEqual({
      ok: false,
      reason: 'version-not-accepted',
      code: 'SIGNATURE_VERSION_NOT_ACCEPTED',
    });
  });

  it.each([
    ['no kid', {}, 'malformed'],
    ['kid "01"', { kid: '01' }, 'malformed'],
    ['kid "1.0"', { kid: '1.0' }, 'malformed'],
    ['kid 1 (a number)', { kid: 1 }, 'malformed'],
    ['kid of a version never accepted', { kid: '7' }, 'version-not-accepted'],
    ['kid of an accepted version, another key', { kid: '2' }, 'mismatch'],
  ])('%s → %s', async (_, header, reason) => {
    const jwt = await jwtFor([
      [1, keyText(1)],
      [2, keyText(2)],
    ]);
    const token = await foreign(keyBytes(1), header);
    await expect(jwt.verify(token)).resolves.toMatchObject({ ok: false, reason });
  });

  it('accepts HS256 only: alg none, HS512 and a header swap are refused', async () => {
    const jwt = await jwtFor([[1, keyText(1)]]);
    const unsecured = new UnsecuredJWT({ exp: T0 + 60, iat: T0 }).encode();
    const [, body] = unsecured.split('.');
    const noneWithKid = `${Buffer.from('{"alg":"none","kid":"1"}').toString('base64url')}.${body}.`;
    const hs512 = await new SignJWT({ exp: T0 + 60, iat: T0 })
      .setProtectedHeader({ alg: 'HS512', kid: '1' })
      .sign(new Uint8Array([...keyBytes(1), ...keyBytes(1)]));
    for (const token of [unsecured, noneWithKid, hs512]) {
      await expect(jwt.verify(token)).resolves.toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('time claims: expired, nbf and iat in the future, missing exp', async () => {
    const jwt = await jwtFor([[1, keyText(1)]], { clockToleranceSec: 5 });
    const k = keyBytes(1);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ exp: T0 - 6 }, 'expired'],
      [{ exp: T0 - 4 }, 'ok'],
      [{ nbf: T0 + 6 }, 'clock-skew'],
      [{ iat: T0 + 6 }, 'clock-skew'],
      [{ iat: T0 - 86_406 }, 'expired'],
      [{ exp: undefined }, 'malformed'],
      [{ exp: 'tomorrow' }, 'malformed'],
    ];
    for (const [claims, reason] of cases) {
      const result = await jwt.verify(await foreign(k, { kid: '1' }, claims));
      expect(result.ok ? 'ok' : result.reason, JSON.stringify(claims)).toBe(reason);
    }
  });

  it('issuer and audience are required when configured', async () => {
    const jwt = await jwtFor([[1, keyText(1)]], { issuer: 'me', audience: ['a', 'b'] });
    const k = keyBytes(1);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ iss: 'me', aud: 'a' }, 'ok'],
      [{ iss: 'me', aud: ['x', 'b'] }, 'ok'],
      [{ iss: 'you', aud: 'a' }, 'claim-mismatch'],
      [{ iss: 'me', aud: 'c' }, 'claim-mismatch'],
      [{ aud: 'a' }, 'malformed'],
    ];
    for (const [claims, reason] of cases) {
      const result = await jwt.verify(await foreign(k, { kid: '1' }, claims));
      expect(result.ok ? 'ok' : result.reason, JSON.stringify(claims)).toBe(reason);
    }
  });

  it('a tampered payload or signature is a mismatch', async () => {
    const jwt = await jwtFor([[1, keyText(1)]]);
    const token = await jwt.sign({ role: 'user' });
    const [h, p, s = ''] = token.split('.');
    const admin = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(p ?? '', 'base64url').toString()),
        role: 'admin',
      }),
    ).toString('base64url');
    await expect(jwt.verify(`${h}.${admin}.${s}`)).resolves.toMatchObject({ reason: 'mismatch' });
    const flipped = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    await expect(jwt.verify(`${h}.${p}.${flipped}`)).resolves.toMatchObject({ reason: 'mismatch' });
  });

  it('garbage never throws and never verifies; verifyOrThrow throws a SignatureError', async () => {
    const jwt = await jwtFor([[1, keyText(1)]]);
    const valid = await jwt.sign({});
    for (const token of [
      undefined,
      null,
      42,
      {},
      '',
      'a.b.c',
      '...',
      'x'.repeat(9000),
      `${valid}.`,
    ]) {
      await expect(jwt.verify(token)).resolves.toMatchObject({ ok: false, reason: 'malformed' });
    }
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (token) => {
        expect((await jwt.verify(token)).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
    const error = await jwt.verifyOrThrow('a.b.c').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignatureError);
    expect(isCofferError(error, 'SIGNATURE_MALFORMED')).toBe(true);
    expect(inspect(error)).not.toContain('a.b.c');
    await expect(jwt.verifyOrThrow(valid)).resolves.toMatchObject({ version: 1 });
  });

  it('bad options are INVALID_INPUT', async () => {
    const source = countingSource();
    source.set('jwtKey', [[1, keyText(1)]]);
    const api = await createSecretsClient(app, { surface: 'api', source });
    const untyped = createJwtSigner as unknown as (s: unknown, o?: unknown) => unknown;
    for (const options of [
      { issuer: '' },
      { audience: [] },
      { audience: [''] },
      { expiresInSec: 0 },
      { expiresInSec: 3600, maxTokenAgeSec: 60 },
      { clockToleranceSec: -1 },
    ]) {
      expect(() => untyped(api.secret('jwtKey'), options)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    }
    expect(() => untyped({}, {})).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
