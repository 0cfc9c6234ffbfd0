// Webhook signatures in the Stripe `t=…,v1=…` scheme, with the key version carried alongside.
//
// Specification (coffer webhook signature, v1)
//
//   header          = element *( "," element )            ; at most 4096 characters, 16 elements
//   element         = key "=" value                       ; no whitespace anywhere
//   "t"   element   = "0" / %x31-39 *11DIGIT               ; exactly one: Unix seconds at signing
//   "kid" element   = %x31-39 *8DIGIT                      ; at most one: the key version of the v1s
//   "v1"  element   = 64 lower-case hex digits             ; 1 to 8: HMAC-SHA-256(key, signed)
//   other elements  = key 1*16(a-z / 0-9), value 0*256 printable ASCII except ","  ; ignored
//
//   signed          = ASCII(t) || "." || payload           ; the payload's exact bytes (a string: UTF-8)
//   key             = the secret version's text as UTF-8 (a bytes secret: its bytes); ≥ 32 bytes
//
// `signed` is Stripe's v1 construction, so a receiver that only knows one secret's text verifies
// with any Stripe-style verifier and ignores `kid`. `sign` writes `t=<t>,kid=<version>,v1=<hex>`
// with the current version; with `signWith: 'accepted'` it writes one v1 per accepted version
// (current first) and no kid, so receivers holding either the old or the new secret during a
// rotation accept it (Stripe's behaviour while a secret rolls).
//
// Verification, in this order: the header parses (else `malformed`); t is within `toleranceSec`
// of now (else `expired`, or `clock-skew` when it is ahead); the candidate keys are the kid's
// version if the header names one (else `version-not-accepted` when it is not accepted), or every
// accepted version; one HMAC per candidate is compared with every v1 in constant time (else
// `mismatch`); finally the replay guard, if any, claims the signature (else `replayed`). Nothing in
// a header can make `verify` throw, and no more HMACs are computed than versions are accepted.
//
// Known-answer vectors: packages/secrets/test/fixtures/webhook-signature-v1.json, and the worked
// example in docs/app-secrets.md.
import {
  concatBytes,
  hmacSha256,
  hmacSha256Hex,
  InvalidInputError,
  utf8Encode,
} from '@coffer/core';
import { hmacKeyOf } from './_hmac-key.js';
import type { SecretVersion } from './_snapshot.js';
import type { SecretAccessor } from './client.js';
import {
  ReplayGuardError,
  SignatureError,
  type SignatureFailureReason,
  signatureErrorCode,
} from './errors.js';

const MAX_HEADER = 4096;
const MAX_ELEMENTS = 16;
const MAX_SIGNATURES = 8;
const DEFAULT_TOLERANCE_SEC = 300;
const MAX_TOLERANCE_SEC = 7 * 86_400;
const OTHER_KEY = /^[a-z0-9]{1,16}$/;
const OTHER_VALUE = /^[\x21-\x2b\x2d-\x7e]{0,256}$/;

/**
 * Records signatures already accepted, so a captured delivery cannot be replayed in the window.
 * Consulted only after a signature verified, so forged headers never fill it.
 *
 * @example
 * ```ts
 * import type { ReplayGuard } from '@coffer/secrets';
 *
 * // One process only; across instances use Redis `SET key 1 NX EXAT expiresAtSec` or a unique row.
 * const seen = new Map<string, number>();
 * const guard: ReplayGuard = {
 *   claim(id, expiresAtSec) {
 *     const now = Date.now() / 1000;
 *     for (const [k, until] of seen) if (until < now) seen.delete(k);
 *     if (seen.has(id)) return false;
 *     seen.set(id, expiresAtSec);
 *     return true;
 *   },
 * };
 * guard.claim('1767225600:ab12…', 1767225900); // true
 * guard.claim('1767225600:ab12…', 1767225900); // false
 * ```
 */
export interface ReplayGuard {
  /**
   * Records `id` until `expiresAtSec` (Unix seconds) and answers `true`, or answers `false` when
   * `id` is already recorded. Must be atomic across instances (Redis `SET NX EX`, a unique row).
   */
  claim(id: string, expiresAtSec: number): boolean | Promise<boolean>;
}

/** Options of {@link createWebhookSigner}. */
export interface WebhookSignerOptions {
  /** How far a signature's time may be from now, either way, in seconds (default 300). */
  readonly toleranceSec?: number;
  /** `current` (default): one v1 and a kid. `accepted`: one v1 per accepted version, no kid. */
  readonly signWith?: 'current' | 'accepted';
  /** Refuses a second delivery of the same signature within the tolerance window. */
  readonly replayGuard?: ReplayGuard;
  /** The clock in ms since the epoch (default `Date.now`). */
  readonly now?: () => number;
}

/** What {@link WebhookSigner.verify} found. */
export type WebhookVerifyResult =
  | { readonly ok: true; readonly version: number; readonly timestamp: number }
  | { readonly ok: false; readonly reason: SignatureFailureReason; readonly code: string };

/** Signs and verifies webhook payloads with one secret. */
export interface WebhookSigner {
  /**
   * The signature header for `payload`, made with the current version.
   *
   * @throws {InvalidInputError} `INVALID_INPUT` when `payload` is neither a string nor a `Uint8Array`.
   * @throws {SecretFormatError} `SECRET_INVALID_FORMAT` when the key is shorter than 32 bytes.
   * @throws {SecretUnavailableError} `SECRET_UNAVAILABLE` when the secret cannot be served.
   */
  sign(payload: string | Uint8Array, options?: { readonly timestamp?: number }): string;
  /**
   * Checks `header` against `payload` with every accepted version, in constant time. Never throws
   * because of the header: a malformed, tampered, expired, future, unknown-version or replayed one
   * gives `{ ok: false, reason, code }`.
   *
   * @throws {InvalidInputError} `INVALID_INPUT` when `payload` is neither a string nor a
   *   `Uint8Array`, or `toleranceSec` is out of range.
   * @throws {ReplayGuardError} `REPLAY_GUARD_FAILED` when the replay guard fails (answer 503).
   * @throws {SecretUnavailableError} `SECRET_UNAVAILABLE` when the secret cannot be served.
   */
  verify(
    payload: string | Uint8Array,
    header: unknown,
    options?: { readonly toleranceSec?: number },
  ): Promise<WebhookVerifyResult>;
  /**
   * {@link WebhookSigner.verify}, throwing a {@link SignatureError} on failure.
   *
   * @throws {SignatureError} `SIGNATURE_*` with the failure's reason.
   */
  verifyOrThrow(
    payload: string | Uint8Array,
    header: unknown,
    options?: { readonly toleranceSec?: number },
  ): Promise<{ readonly version: number; readonly timestamp: number }>;
}

interface ParsedHeader {
  readonly text: string;
  readonly t: number;
  readonly kid: number | undefined;
  /** Where each v1 value starts in the header (each is 64 lower-case hex digits, checked). */
  readonly signatures: readonly number[];
}

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** Whether header[from, to) is 64 lower-case hex digits. */
function isHexSignature(header: string, from: number, to: number): boolean {
  if (to - from !== 64) return false;
  for (let i = from; i < to; i++) if (nibble(header.charCodeAt(i)) < 0) return false;
  return true;
}

/**
 * A canonical decimal in header[from, to): no sign, no leading zero (but "0" itself when
 * `allowZero`), at most `digits` digits. -1 when it is not one.
 */
function decimal(
  header: string,
  from: number,
  to: number,
  digits: number,
  allowZero: boolean,
): number {
  const length = to - from;
  if (length < 1 || length > digits) return -1;
  if (header.charCodeAt(from) === 48) return length === 1 && allowZero ? 0 : -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = header.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Compares the 32 bytes of `expected` with the hex text at `at` without allocating. The time
 * depends on the (public) header text, never on where `expected` and it differ.
 */
function equalsHexAt(expected: Uint8Array, header: string, at: number): boolean {
  let diff = expected.length ^ 32;
  for (let i = 0; i < 32; i++) {
    const byte =
      (nibble(header.charCodeAt(at + 2 * i)) << 4) | nibble(header.charCodeAt(at + 2 * i + 1));
    diff |= (expected[i] ?? 0) ^ byte;
  }
  return diff === 0;
}

/** Parses a header strictly; `undefined` when it is not one (never throws). */
function parseHeader(header: unknown): ParsedHeader | undefined {
  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_HEADER) {
    return undefined;
  }
  let t = -1;
  let kid: number | undefined;
  const signatures: number[] = [];
  let elements = 0;
  let start = 0;
  while (start <= header.length) {
    let end = header.indexOf(',', start);
    if (end === -1) end = header.length;
    if (++elements > MAX_ELEMENTS) return undefined;
    const eq = header.indexOf('=', start);
    if (eq <= start || eq >= end) return undefined;
    const keyLength = eq - start;
    const c0 = header.charCodeAt(start);
    if (keyLength === 2 && c0 === 118 && header.charCodeAt(start + 1) === 49) {
      // v1
      if (signatures.length === MAX_SIGNATURES || !isHexSignature(header, eq + 1, end)) {
        return undefined;
      }
      signatures.push(eq + 1);
    } else if (keyLength === 1 && c0 === 116) {
      // t
      if (t !== -1) return undefined;
      t = decimal(header, eq + 1, end, 12, true);
      if (t === -1) return undefined;
    } else if (keyLength === 3 && header.startsWith('kid', start)) {
      if (kid !== undefined) return undefined;
      kid = decimal(header, eq + 1, end, 9, false);
      if (kid === -1) return undefined;
    } else if (
      !OTHER_KEY.test(header.slice(start, eq)) ||
      !OTHER_VALUE.test(header.slice(eq + 1, end))
    ) {
      return undefined;
    }
    start = end + 1;
  }
  if (t === -1 || signatures.length === 0) return undefined;
  return { text: header, t, kid, signatures };
}

function assertPayload(payload: unknown): asserts payload is string | Uint8Array {
  if (typeof payload !== 'string' && !(payload instanceof Uint8Array)) {
    throw new InvalidInputError('payload must be the raw body: a string or a Uint8Array', {
      details: { parameter: 'payload' },
    });
  }
}

function tolerance(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isSafeInteger(value) ||
    value < 1 ||
    value > MAX_TOLERANCE_SEC
  ) {
    throw new InvalidInputError(`toleranceSec must be an integer from 1 to ${MAX_TOLERANCE_SEC}`, {
      details: { parameter: 'toleranceSec' },
    });
  }
  return value;
}

function signedBytes(t: number, payload: string | Uint8Array): string | Uint8Array {
  return typeof payload === 'string'
    ? `${t}.${payload}`
    : concatBytes(utf8Encode(`${t}.`), payload);
}

function fail(reason: SignatureFailureReason): WebhookVerifyResult {
  return { ok: false, reason, code: signatureErrorCode(reason) };
}

/**
 * A webhook signer/verifier over a text or bytes secret (at least 32 bytes), in the format
 * specified at the top of `webhook-signature.ts` (Stripe's `t=…,v1=…` plus `kid`).
 *
 * @throws {InvalidInputError} `INVALID_INPUT` on out-of-range options or a missing accessor.
 * @example
 * ```ts
 * import { createMemorySecretSource, createSecretsClient, createSecretsManager, createWebhookSigner, defineSecrets, secret } from '@coffer/secrets';
 *
 * const app = defineSecrets({
 *   workspace: 'acme',
 *   project: 'shop',
 *   environment: 'test',
 *   surfaces: ['api'],
 *   secrets: { webhookSigning: secret.random({ consumers: ['api'] }) },
 * });
 * const source = createMemorySecretSource();
 * await createSecretsManager(app, { source }).rotate('webhookSigning');
 * const api = await createSecretsClient(app, { surface: 'api', source });
 * const hooks = createWebhookSigner(api.secret('webhookSigning'));
 *
 * const body = '{"type":"order.paid","id":"ord_42"}';
 * const header = hooks.sign(body); // 't=1767225600,kid=1,v1=5d4f…'
 * await hooks.verify(body, header); // { ok: true, version: 1, timestamp: 1767225600 }
 * await hooks.verify(`${body} `, header); // { ok: false, reason: 'mismatch', code: 'SIGNATURE_MISMATCH' }
 * await hooks.verify(body, 'garbage'); // { ok: false, reason: 'malformed', code: 'SIGNATURE_MALFORMED' }
 * ```
 */
export function createWebhookSigner(
  secret: SecretAccessor<string | Uint8Array>,
  options: WebhookSignerOptions = {},
): WebhookSigner {
  if (typeof secret?.current !== 'function' || typeof secret.verifying !== 'function') {
    throw new InvalidInputError(
      'createWebhookSigner() takes a secret accessor (client.secret(name))',
      {
        details: { parameter: 'secret' },
      },
    );
  }
  const defaultTolerance = tolerance(options.toleranceSec, DEFAULT_TOLERANCE_SEC);
  const signWith = options.signWith ?? 'current';
  if (signWith !== 'current' && signWith !== 'accepted') {
    throw new InvalidInputError("signWith must be 'current' or 'accepted'", {
      details: { parameter: 'signWith' },
    });
  }
  const { replayGuard } = options;
  if (replayGuard !== undefined && typeof replayGuard?.claim !== 'function') {
    throw new InvalidInputError('replayGuard must have a claim(id, expiresAtSec) method', {
      details: { parameter: 'replayGuard' },
    });
  }
  const now = options.now ?? Date.now;
  const name = secret.ref.name;
  const keyOf = (v: SecretVersion<string | Uint8Array>): Uint8Array => hmacKeyOf(name, v);

  const verify = async (
    payload: string | Uint8Array,
    header: unknown,
    verifyOptions?: { readonly toleranceSec?: number },
  ): Promise<WebhookVerifyResult> => {
    assertPayload(payload);
    const window = tolerance(verifyOptions?.toleranceSec, defaultTolerance);
    const parsed = parseHeader(header);
    if (parsed === undefined) return fail('malformed');
    const nowSec = Math.floor(now() / 1000);
    if (parsed.t < nowSec - window) return fail('expired');
    if (parsed.t > nowSec + window) return fail('clock-skew');
    const accepted = secret.verifying();
    let candidates: readonly SecretVersion<string | Uint8Array>[] = accepted;
    if (parsed.kid !== undefined) {
      const named = accepted.find((v) => v.version === parsed.kid);
      if (named === undefined) return fail('version-not-accepted');
      candidates = [named];
    }
    const signed = signedBytes(parsed.t, payload);
    let matched: SecretVersion<string | Uint8Array> | undefined;
    let matchedAt = -1;
    for (const candidate of candidates) {
      const expected = hmacSha256(keyOf(candidate), signed);
      for (const at of parsed.signatures) {
        // Every comparison runs to the end; which version matched is not secret.
        if (equalsHexAt(expected, parsed.text, at) && matched === undefined) {
          matched = candidate;
          matchedAt = at;
        }
      }
    }
    if (matched === undefined) return fail('mismatch');
    if (replayGuard !== undefined) {
      let first: unknown;
      try {
        first = await replayGuard.claim(
          `${parsed.t}:${parsed.text.slice(matchedAt, matchedAt + 64)}`,
          parsed.t + window,
        );
      } catch {
        throw new ReplayGuardError();
      }
      if (typeof first !== 'boolean') throw new ReplayGuardError();
      if (!first) return fail('replayed');
    }
    return { ok: true, version: matched.version, timestamp: parsed.t };
  };

  return {
    sign(payload, signOptions) {
      assertPayload(payload);
      const t = signOptions?.timestamp ?? Math.floor(now() / 1000);
      if (!Number.isSafeInteger(t) || t < 0 || t > 999_999_999_999) {
        throw new InvalidInputError('timestamp must be Unix seconds (a non-negative integer)', {
          details: { parameter: 'timestamp' },
        });
      }
      const signed = signedBytes(t, payload);
      if (signWith === 'current') {
        const current = secret.current();
        return `t=${t},kid=${current.version},v1=${hmacSha256Hex(keyOf(current), signed)}`;
      }
      let header = `t=${t}`;
      for (const v of secret.verifying().slice(0, MAX_SIGNATURES)) {
        header += `,v1=${hmacSha256Hex(keyOf(v), signed)}`;
      }
      return header;
    },
    verify,
    async verifyOrThrow(payload, header, verifyOptions) {
      const result = await verify(payload, header, verifyOptions);
      if (!result.ok) throw new SignatureError('webhook signature', result.reason);
      return { version: result.version, timestamp: result.timestamp };
    },
  };
}
