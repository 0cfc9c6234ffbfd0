// JWT HS256 on `jose` with the key version as `kid`. Signing uses the current version; verifying
// accepts every version still accepted, picked by the token's kid (a token without a kid, or with
// a kid that is not accepted, is refused before any HMAC). jose does the JOSE work; this file only
// chooses keys, options, and maps jose's errors to coffer's reasons without passing their text on.
import { InvalidInputError, isCofferError } from '@coffer/core';
import { type CryptoKey, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { hmacKeyOf } from './_hmac-key.js';
import type { SecretVersion } from './_snapshot.js';
import type { SecretAccessor } from './client.js';
import { SignatureError, type SignatureFailureReason, signatureErrorCode } from './errors.js';

const MAX_TOKEN = 8192;
const KID = /^[1-9][0-9]{0,8}$/;

/** Options of {@link createJwtSigner}. */
export interface JwtSignerOptions {
  /** Written as `iss` and required on verify. */
  readonly issuer?: string;
  /** Written as `aud` and required on verify (one of them, for a list). */
  readonly audience?: string | readonly string[];
  /** Lifetime of signed tokens in seconds (default 900). */
  readonly expiresInSec?: number;
  /** Oldest `iat` accepted on verify, in seconds (default 86 400; at least `expiresInSec`). */
  readonly maxTokenAgeSec?: number;
  /** Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds (default 5). */
  readonly clockToleranceSec?: number;
  /** The clock in ms since the epoch (default `Date.now`). */
  readonly now?: () => number;
}

/** What {@link JwtSigner.verify} found. */
export type JwtVerifyResult =
  | { readonly ok: true; readonly payload: JWTPayload; readonly version: number }
  | { readonly ok: false; readonly reason: SignatureFailureReason; readonly code: string };

/** Issues and verifies HS256 JWTs with one secret. */
export interface JwtSigner {
  /**
   * Signs `claims` with the current version (`kid` = its number), adding `iat`, `exp` and the
   * configured `iss` / `aud`.
   *
   * @throws {InvalidInputError} `INVALID_INPUT` when `claims` is not a plain object or an option is
   *   out of range.
   * @throws {SecretFormatError} `SECRET_INVALID_FORMAT` when the key is shorter than 32 bytes.
   * @throws {SecretUnavailableError} `SECRET_UNAVAILABLE` when the secret cannot be served.
   */
  sign(
    claims: JWTPayload,
    options?: { readonly subject?: string; readonly expiresInSec?: number },
  ): Promise<string>;
  /**
   * Verifies `token` (HS256 only, `exp` and `iat` required). Never throws because of the token.
   *
   * @throws {SecretUnavailableError} `SECRET_UNAVAILABLE` when the secret cannot be served.
   */
  verify(token: unknown): Promise<JwtVerifyResult>;
  /**
   * {@link JwtSigner.verify}, throwing on failure.
   *
   * @throws {SignatureError} `SIGNATURE_*` with the failure's reason.
   */
  verifyOrThrow(
    token: unknown,
  ): Promise<{ readonly payload: JWTPayload; readonly version: number }>;
}

class KidRefused extends Error {
  constructor(readonly reason: SignatureFailureReason) {
    super(reason);
  }
}

const cryptoKeys = new WeakMap<object, Promise<CryptoKey>>();

function seconds(value: unknown, fallback: number, parameter: string, min: number): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < min ||
    value > 31_536_000
  ) {
    throw new InvalidInputError(`${parameter} must be an integer from ${min} to 31536000`, {
      details: { parameter },
    });
  }
  return value;
}

function reasonOf(error: unknown): SignatureFailureReason {
  const code = (error as { code?: unknown } | null)?.code;
  const claim = (error as { claim?: unknown } | null)?.claim;
  const why = (error as { reason?: unknown } | null)?.reason;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'mismatch';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (why === 'missing' || why === 'invalid') return 'malformed';
      if (claim === 'nbf' || claim === 'iat') return 'clock-skew';
      return 'claim-mismatch';
    default:
      return 'malformed';
  }
}

function fail(reason: SignatureFailureReason): JwtVerifyResult {
  return { ok: false, reason, code: signatureErrorCode(reason) };
}

/**
 * An HS256 JWT issuer/verifier over a text or bytes secret (at least 32 bytes), on `jose`. The
 * protected header is `{ alg: 'HS256', typ: 'JWT', kid: '<version>' }`; `verify` accepts only
 * HS256 and only a kid among the accepted versions.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` on out-of-range options or a missing accessor.
 * @example
 * ```ts
 * import { createJwtSigner, createMemorySecretSource, createSecretsClient, createSecretsManager, defineSecrets, secret } from '@coffer/secrets';
 *
 * const app = defineSecrets({
 *   workspace: 'acme',
 *   project: 'shop',
 *   environment: 'test',
 *   surfaces: ['api'],
 *   secrets: { sessionJwt: secret.random({ consumers: ['api'], bytes: 32, encoding: 'bytes' }) },
 * });
 * const source = createMemorySecretSource();
 * await createSecretsManager(app, { source }).rotate('sessionJwt');
 * const api = await createSecretsClient(app, { surface: 'api', source });
 * const jwt = createJwtSigner(api.secret('sessionJwt'), { issuer: 'https://shop.example', audience: 'shop-api' });
 *
 * const token = await jwt.sign({ role: 'admin' }, { subject: 'user_42' });
 * const result = await jwt.verify(token);
 * result.ok && result.payload.sub; // 'user_42'
 * result.ok && result.version; // 1
 * ```
 */
export function createJwtSigner(
  secret: SecretAccessor<string | Uint8Array>,
  options: JwtSignerOptions = {},
): JwtSigner {
  if (typeof secret?.current !== 'function' || typeof secret.verifying !== 'function') {
    throw new InvalidInputError('createJwtSigner() takes a secret accessor (client.secret(name))', {
      details: { parameter: 'secret' },
    });
  }
  const { issuer, audience } = options;
  if (issuer !== undefined && (typeof issuer !== 'string' || issuer.length === 0)) {
    throw new InvalidInputError('issuer must be a non-empty string', {
      details: { parameter: 'issuer' },
    });
  }
  const audiences =
    audience === undefined ? undefined : typeof audience === 'string' ? [audience] : [...audience];
  if (
    audiences !== undefined &&
    (audiences.length === 0 || !audiences.every((a) => typeof a === 'string' && a.length > 0))
  ) {
    throw new InvalidInputError('audience must be a non-empty string or list of them', {
      details: { parameter: 'audience' },
    });
  }
  const expiresIn = seconds(options.expiresInSec, 900, 'expiresInSec', 1);
  const maxAge = seconds(
    options.maxTokenAgeSec,
    Math.max(86_400, expiresIn),
    'maxTokenAgeSec',
    expiresIn,
  );
  const clockTolerance = seconds(options.clockToleranceSec, 5, 'clockToleranceSec', 0);
  const now = options.now ?? Date.now;
  const name = secret.ref.name;

  const keyOf = (version: SecretVersion<string | Uint8Array>): Promise<CryptoKey> => {
    let key = cryptoKeys.get(version);
    if (key === undefined) {
      const raw = hmacKeyOf(name, version);
      key = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, [
        'sign',
        'verify',
      ]);
      cryptoKeys.set(version, key);
    }
    return key;
  };

  const verify = async (token: unknown): Promise<JwtVerifyResult> => {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN) {
      return fail('malformed');
    }
    const accepted = secret.verifying();
    let version: number | undefined;
    try {
      const { payload } = await jwtVerify(
        token,
        async (header) => {
          const kid = header.kid;
          if (typeof kid !== 'string' || !KID.test(kid)) throw new KidRefused('malformed');
          const chosen = accepted.find((v) => v.version === Number(kid));
          if (chosen === undefined) throw new KidRefused('version-not-accepted');
          version = chosen.version;
          return keyOf(chosen);
        },
        {
          algorithms: ['HS256'],
          requiredClaims: ['exp'],
          maxTokenAge: maxAge,
          clockTolerance,
          currentDate: new Date(now()),
          ...(issuer === undefined ? {} : { issuer }),
          ...(audiences === undefined ? {} : { audience: audiences }),
        },
      );
      if (version === undefined) return fail('malformed');
      return { ok: true, payload, version };
    } catch (error) {
      if (error instanceof KidRefused) return fail(error.reason);
      // A configuration problem (a key that is too short) is not the token's fault.
      if (isCofferError(error)) throw error;
      return fail(reasonOf(error));
    }
  };

  return {
    async sign(claims, signOptions) {
      if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
        throw new InvalidInputError('claims must be a plain object', {
          details: { parameter: 'claims' },
        });
      }
      const lifetime = seconds(signOptions?.expiresInSec, expiresIn, 'expiresInSec', 1);
      const subject = signOptions?.subject;
      if (subject !== undefined && (typeof subject !== 'string' || subject.length === 0)) {
        throw new InvalidInputError('subject must be a non-empty string', {
          details: { parameter: 'subject' },
        });
      }
      const current = secret.current();
      const iat = Math.floor(now() / 1000);
      let jwt = new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: String(current.version) })
        .setIssuedAt(iat)
        .setExpirationTime(iat + lifetime);
      if (issuer !== undefined) jwt = jwt.setIssuer(issuer);
      if (audiences !== undefined)
        jwt = jwt.setAudience(audiences.length === 1 ? (audiences[0] as string) : audiences);
      if (subject !== undefined) jwt = jwt.setSubject(subject);
      try {
        return await jwt.sign(await keyOf(current));
      } catch (error) {
        if (isCofferError(error)) throw error;
        throw new InvalidInputError('claims could not be signed as a JWT (they must be JSON)', {
          details: { parameter: 'claims' },
        });
      }
    },
    verify,
    async verifyOrThrow(token) {
      const result = await verify(token);
      if (!result.ok) throw new SignatureError('JWT', result.reason);
      return { payload: result.payload, version: result.version };
    },
  };
}
