/**
 * Options accepted by {@link CofferError} and its subclasses.
 */
export interface CofferErrorOptions {
  /** HTTP status that fits the failure, when there is one (e.g. 400, 401, 404). */
  status?: number;
  /** Non-secret, structured facts about the failure (ids, limits, field names). Never secrets. */
  details?: Record<string, unknown>;
  /** The underlying error. Never pass an error whose message may contain secret material. */
  cause?: unknown;
  /** Whether the same call may succeed if retried later (e.g. a saturated pool). */
  retryable?: boolean;
}

/** The JSON shape of a {@link CofferError}: no stack, no cause. */
export interface CofferErrorJson {
  name: string;
  code: string;
  message: string;
  status?: number;
  details?: Record<string, unknown>;
  retryable: boolean;
}

// The brand that marks an error as coffer's own. A registered symbol, so every installed copy of
// @coffer/core sets and recognises the same one; only CofferError's constructor sets it, so errors
// that merely look alike (a string `code` and a boolean `retryable`, like AWS SDK v2 errors) are
// not taken for coffer errors.
const COFFER_ERROR_BRAND: unique symbol = Symbol.for('@coffer/core/CofferError');

/**
 * Base class of every error coffer throws on purpose. It carries a stable, machine-readable `code`
 * (match on it, not on the message), an optional HTTP `status`, non-secret `details`, and whether a
 * retry may help. Messages say what was wrong and what to do; they never contain secret material.
 *
 * @example
 * ```ts
 * import { CofferError } from '@coffer/core';
 *
 * const err = new CofferError('NOT_FOUND', 'No vault entry has that id; check the id you stored.', {
 *   status: 404,
 *   details: { id: '0190a3c2-0000-7000-8000-000000000000' },
 * });
 * err.code; // 'NOT_FOUND'
 * JSON.stringify(err); // {"name":"CofferError","code":"NOT_FOUND",...}
 * ```
 */
export class CofferError extends Error {
  /** Stable machine-readable code, e.g. `DECRYPT_FAILED`. */
  readonly code: string;
  /** HTTP status that fits, when there is one. */
  readonly status: number | undefined;
  /** Structured, non-secret facts about the failure. */
  readonly details: Readonly<Record<string, unknown>> | undefined;
  /** Whether a later retry of the same call may succeed. */
  readonly retryable: boolean;

  constructor(code: string, message: string, options: CofferErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options.status;
    this.details =
      options.details === undefined ? undefined : Object.freeze({ ...options.details });
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, COFFER_ERROR_BRAND, { value: true });
  }

  /** A JSON view without stack or cause, safe to log or return to a client. */
  toJSON(): CofferErrorJson {
    const json: CofferErrorJson = {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
    };
    if (this.status !== undefined) json.status = this.status;
    if (this.details !== undefined) json.details = { ...this.details };
    return json;
  }
}

/**
 * Type guard: is `error` a {@link CofferError}, optionally with the given `code`?
 *
 * It recognises errors by a brand that only `CofferError`'s constructor sets (a registered symbol),
 * so two installed copies of `@coffer/core` still recognise each other's errors, while foreign
 * errors that merely look alike — a string `code` and a boolean `retryable`, the shape of AWS SDK
 * v2 errors — are not coffer errors.
 *
 * @example
 * ```ts
 * import { InvalidInputError, isCofferError } from '@coffer/core';
 *
 * const e: unknown = new InvalidInputError('limit must be a positive integer');
 * isCofferError(e); // true
 * isCofferError(e, 'INVALID_INPUT'); // true
 * isCofferError(e, 'NOT_FOUND'); // false
 * isCofferError(Object.assign(new Error('denied'), { code: 'AccessDenied', retryable: false })); // false
 * ```
 */
export function isCofferError(error: unknown, code?: string): error is CofferError {
  if (error instanceof CofferError) return code === undefined || error.code === code;
  try {
    if (!(error instanceof Error)) return false;
    const candidate = error as Error & { code?: unknown; [COFFER_ERROR_BRAND]?: unknown };
    if (candidate[COFFER_ERROR_BRAND] !== true || typeof candidate.code !== 'string') return false;
    return code === undefined || candidate.code === code;
  } catch {
    // A proxy or getter that throws is not a coffer error (and its own error must not escape).
    return false;
  }
}

/**
 * A public input was malformed: wrong type, size, range or shape. Code `INVALID_INPUT`, status 400.
 *
 * @example
 * ```ts
 * import { InvalidInputError } from '@coffer/core';
 *
 * throw new InvalidInputError('key must be 32 bytes', { details: { parameter: 'key', expected: 32 } });
 * ```
 */
export class InvalidInputError extends CofferError {
  constructor(message: string, options: Omit<CofferErrorOptions, 'status'> = {}) {
    super('INVALID_INPUT', message, { ...options, status: 400 });
  }
}

/**
 * A string was not in the canonical form of the expected encoding (hex, base64url, Crockford
 * base32, UTF-8). Code `INVALID_ENCODING`, status 400. The message names the encoding and the
 * rule broken, never the input.
 *
 * @example
 * ```ts
 * import { EncodingError, fromHex } from '@coffer/core';
 *
 * try {
 *   fromHex('ABC'); // odd length
 * } catch (e) {
 *   e instanceof EncodingError; // true
 * }
 * ```
 */
export class EncodingError extends CofferError {
  constructor(message: string, options: Omit<CofferErrorOptions, 'status'> = {}) {
    super('INVALID_ENCODING', message, { ...options, status: 400 });
  }
}

/**
 * Authenticated decryption failed: wrong key, wrong context, or a changed, missing or extra byte.
 * Code `DECRYPT_FAILED`. Deliberately opaque: it never says which, and carries no cause.
 *
 * @example
 * ```ts
 * import { DecryptionError, aes256GcmOpen } from '@coffer/core';
 *
 * try {
 *   aes256GcmOpen(new Uint8Array(32), new Uint8Array(12), new Uint8Array(16));
 * } catch (e) {
 *   e instanceof DecryptionError; // true
 * }
 * ```
 */
export class DecryptionError extends CofferError {
  constructor(message = 'Decryption failed: the ciphertext, key or context does not match.') {
    super('DECRYPT_FAILED', message);
  }
}
