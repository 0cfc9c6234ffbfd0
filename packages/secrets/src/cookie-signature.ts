// Signed cookie / session values, versioned.
//
// Specification (coffer signed cookie, v1)
//
//   cookie  = "c1." kid "." iat "." data "." mac        ; at most 4096 characters
//   kid     = %x31-39 *8DIGIT                           ; the key version that signed it
//   iat     = "0" / %x31-39 *11DIGIT                     ; Unix seconds at signing
//   data    = base64url(UTF-8(value))                   ; unpadded, canonical; empty for ""
//   mac     = base64url(HMAC-SHA-256(key, input))       ; 43 characters
//   input   = "coffer-cookie-v1" || 0x00 || purpose || 0x00 || "c1." kid "." iat "." data
//   key     = the secret version's text as UTF-8 (a bytes secret: its bytes); ≥ 32 bytes
//
// Every character is a cookie-octet (RFC 6265), so the value needs no further quoting. `purpose`
// (e.g. "session") is bound into the MAC: a value signed for one cookie does not verify as another
// made with the same key. The value is signed, not encrypted: anyone holding the cookie can read
// it. Verification: strict parse (else `malformed`), kid among the accepted versions (else
// `version-not-accepted`), iat no more than `maxAgeSec` old (else `expired`) and not ahead of the
// clock by more than `clockToleranceSec` (else `clock-skew`), then the MAC in constant time (else
// `mismatch`). Known-answer vectors: packages/secrets/test/fixtures/signed-cookie-v1.json.
import {
  constantTimeEqual,
  fromBase64Url,
  hmacSha256,
  InvalidInputError,
  toBase64Url,
  utf8Decode,
  utf8Encode,
} from '@coffer/core';
import { hmacKeyOf } from './_hmac-key.js';
import type { SecretAccessor } from './client.js';
import { SignatureError, type SignatureFailureReason, signatureErrorCode } from './errors.js';

const MAX_COOKIE = 4096;
const MAX_VALUE_BYTES = 2048;
const PURPOSE = /^[a-z][a-z0-9._:-]{0,63}$/;
const COOKIE =
  /^c1\.([1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,11})\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]{43})$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Options of {@link createCookieSigner}. */
export interface CookieSignerOptions {
  /** What the cookie is for (bound into the MAC), e.g. `session`: `[a-z][a-z0-9._:-]{0,63}`. */
  readonly purpose: string;
  /** Refuse values signed longer ago than this, in seconds (default: no limit). */
  readonly maxAgeSec?: number;
  /** How far ahead of the clock `iat` may be, in seconds (default 60). */
  readonly clockToleranceSec?: number;
  /** The clock in ms since the epoch (default `Date.now`). */
  readonly now?: () => number;
}

/** What {@link CookieSigner.verify} found. */
export type CookieVerifyResult =
  | {
      readonly ok: true;
      readonly value: string;
      readonly version: number;
      readonly issuedAt: number;
    }
  | { readonly ok: false; readonly reason: SignatureFailureReason; readonly code: string };

/** Signs and verifies cookie values with one secret. */
export interface CookieSigner {
  /**
   * The signed form of `value` (at most 2048 UTF-8 bytes), with the current version.
   *
   * @throws {InvalidInputError} `INVALID_INPUT` when `value` is not a well-formed string or too long.
   * @throws {SecretFormatError} `SECRET_INVALID_FORMAT` when the key is shorter than 32 bytes.
   * @throws {SecretUnavailableError} `SECRET_UNAVAILABLE` when the secret cannot be served.
   */
  sign(value: string): string;
  /**
   * Checks a signed value. Never throws because of the cookie.
   *
   * @throws {InvalidInputError} `INVALID_INPUT` when `maxAgeSec` is out of range.
   * @throws {SecretUnavailableError} `SECRET_UNAVAILABLE` when the secret cannot be served.
   */
  verify(cookie: unknown, options?: { readonly maxAgeSec?: number }): CookieVerifyResult;
  /**
   * {@link CookieSigner.verify}, throwing on failure and returning the value.
   *
   * @throws {SignatureError} `SIGNATURE_*` with the failure's reason.
   */
  verifyOrThrow(cookie: unknown, options?: { readonly maxAgeSec?: number }): string;
}

function seconds(value: unknown, parameter: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < min ||
    value > 315_360_000
  ) {
    throw new InvalidInputError(`${parameter} must be an integer from ${min} to 315360000`, {
      details: { parameter },
    });
  }
  return value;
}

function fail(reason: SignatureFailureReason): CookieVerifyResult {
  return { ok: false, reason, code: signatureErrorCode(reason) };
}

/**
 * A signer for cookie and session values in the versioned format specified at the top of
 * `cookie-signature.ts`, over a text or bytes secret of at least 32 bytes.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` on a malformed purpose, out-of-range options or a
 *   missing accessor.
 * @example
 * ```ts
 * import { createCookieSigner, createMemorySecretSource, createSecretsClient, createSecretsManager, defineSecrets, secret } from '@coffer/secrets';
 *
 * const app = defineSecrets({
 *   workspace: 'acme',
 *   project: 'shop',
 *   environment: 'test',
 *   surfaces: ['api'],
 *   secrets: { cookieKey: secret.random({ consumers: ['api'] }) },
 * });
 * const source = createMemorySecretSource();
 * await createSecretsManager(app, { source }).rotate('cookieKey');
 * const api = await createSecretsClient(app, { surface: 'api', source });
 * const cookies = createCookieSigner(api.secret('cookieKey'), { purpose: 'session', maxAgeSec: 86_400 });
 *
 * const signed = cookies.sign('sess_01J9Z3'); // 'c1.1.1767225600.c2Vzc18wMUo5WjM.…'
 * cookies.verify(signed); // { ok: true, value: 'sess_01J9Z3', version: 1, issuedAt: 1767225600 }
 * cookies.verify(signed.replace('c2Vzc18wMUo5WjM', 'c2Vzc18wMUo5WjQ')); // { ok: false, reason: 'mismatch', code: 'SIGNATURE_MISMATCH' }
 * ```
 */
export function createCookieSigner(
  secret: SecretAccessor<string | Uint8Array>,
  options: CookieSignerOptions,
): CookieSigner {
  if (typeof secret?.current !== 'function' || typeof secret.verifying !== 'function') {
    throw new InvalidInputError(
      'createCookieSigner() takes a secret accessor (client.secret(name))',
      {
        details: { parameter: 'secret' },
      },
    );
  }
  const purpose = options?.purpose;
  if (typeof purpose !== 'string' || !PURPOSE.test(purpose)) {
    throw new InvalidInputError('purpose must match [a-z][a-z0-9._:-]{0,63}, e.g. "session"', {
      details: { parameter: 'purpose' },
    });
  }
  const defaultMaxAge = seconds(options.maxAgeSec, 'maxAgeSec', 1);
  const skew = seconds(options.clockToleranceSec, 'clockToleranceSec', 0) ?? 60;
  const now = options.now ?? Date.now;
  const name = secret.ref.name;
  // purpose is ASCII without NUL (checked above), so the string form is the specified bytes.
  const prefix = `coffer-cookie-v1\0${purpose}\0`;
  const macOf = (key: Uint8Array, body: string): Uint8Array => hmacSha256(key, prefix + body);

  const verify = (
    cookie: unknown,
    verifyOptions?: { readonly maxAgeSec?: number },
  ): CookieVerifyResult => {
    const maxAge =
      verifyOptions?.maxAgeSec === undefined
        ? defaultMaxAge
        : seconds(verifyOptions.maxAgeSec, 'maxAgeSec', 1);
    if (typeof cookie !== 'string' || cookie.length > MAX_COOKIE) return fail('malformed');
    const m = COOKIE.exec(cookie);
    if (m === null) return fail('malformed');
    const [, kidText = '', iatText = '', data = '', macText = ''] = m;
    let mac: Uint8Array;
    let valueBytes: Uint8Array;
    try {
      mac = fromBase64Url(macText);
      valueBytes = fromBase64Url(data);
    } catch {
      return fail('malformed');
    }
    const kid = Number(kidText);
    const iat = Number(iatText);
    const version = secret.verifying().find((v) => v.version === kid);
    if (version === undefined) return fail('version-not-accepted');
    const nowSec = Math.floor(now() / 1000);
    if (maxAge !== undefined && iat < nowSec - maxAge) return fail('expired');
    if (iat > nowSec + skew) return fail('clock-skew');
    const expected = macOf(hmacKeyOf(name, version), `c1.${kidText}.${iatText}.${data}`);
    if (!constantTimeEqual(expected, mac)) return fail('mismatch');
    let value: string;
    try {
      value = utf8Decode(valueBytes);
    } catch {
      return fail('malformed');
    }
    return { ok: true, value, version: kid, issuedAt: iat };
  };

  return {
    sign(value) {
      if (typeof value !== 'string' || LONE_SURROGATE.test(value)) {
        throw new InvalidInputError('value must be a well-formed string', {
          details: { parameter: 'value' },
        });
      }
      const bytes = utf8Encode(value);
      if (bytes.length > MAX_VALUE_BYTES) {
        throw new InvalidInputError(`value must be at most ${MAX_VALUE_BYTES} bytes of UTF-8`, {
          details: { parameter: 'value' },
        });
      }
      const current = secret.current();
      const body = `c1.${current.version}.${Math.floor(now() / 1000)}.${toBase64Url(bytes)}`;
      return `${body}.${toBase64Url(macOf(hmacKeyOf(name, current), body))}`;
    },
    verify,
    verifyOrThrow(cookie, verifyOptions) {
      const result = verify(cookie, verifyOptions);
      if (!result.ok) throw new SignatureError('signed cookie', result.reason);
      return result.value;
    },
  };
}
