import { CofferError, type CofferErrorOptions } from '@coffer/core';

type Options = Omit<CofferErrorOptions, 'status' | 'cause'>;

/**
 * A secret's value does not have its declared format: a static or generated secret failed its
 * RegExp or zod schema, or a random secret is not the canonical encoding of its declared length.
 * Code `SECRET_INVALID_FORMAT`, status 400. Raised when a value is set (nothing is written) and
 * when one is loaded from a source (nothing is served). The message names the secret and the rule,
 * never the value; zod's own messages are not passed on (a custom message may quote the input).
 *
 * @example
 * ```ts
 * import { SecretFormatError } from '@coffer/secrets';
 *
 * const err = new SecretFormatError('stripeApiKey', 'does not match its declared pattern');
 * err.code; // 'SECRET_INVALID_FORMAT'
 * err.details; // { secret: 'stripeApiKey' }
 * ```
 */
export class SecretFormatError extends CofferError {
  constructor(secret: string, rule: string, options: Options = {}) {
    super('SECRET_INVALID_FORMAT', `The value of secret "${secret}" ${rule}.`, {
      ...options,
      status: 400,
      details: { secret, ...options.details },
    });
  }
}

/**
 * A secret name that the definition does not declare, from code the compiler did not check (a
 * name built at run time, plain JavaScript). Code `SECRET_UNKNOWN`, status 404.
 *
 * @example
 * ```ts
 * import { UnknownSecretError } from '@coffer/secrets';
 *
 * new UnknownSecretError('stripeApiKy').code; // 'SECRET_UNKNOWN'
 * ```
 */
export class UnknownSecretError extends CofferError {
  constructor(secret: string) {
    super(
      'SECRET_UNKNOWN',
      `No secret named "${secret}" is declared; check the name against your defineSecrets() call.`,
      { status: 404, details: { secret } },
    );
  }
}

/**
 * The client's surface is not among the secret's consumers. Code `SECRET_NOT_GRANTED`, status 403.
 * Raised before any source is asked for anything.
 *
 * @example
 * ```ts
 * import { SecretNotGrantedError } from '@coffer/secrets';
 *
 * new SecretNotGrantedError('adminToken', 'worker').details; // { secret: 'adminToken', surface: 'worker' }
 * ```
 */
export class SecretNotGrantedError extends CofferError {
  constructor(secret: string, surface: string) {
    super(
      'SECRET_NOT_GRANTED',
      `Secret "${secret}" is not granted to the "${surface}" surface; add "${surface}" to its consumers if it really needs it.`,
      { status: 403, details: { secret, surface } },
    );
  }
}

/**
 * The source holds no value for the secret (never set, or removed). Code `SECRET_NOT_SET`,
 * status 404. `details.secrets` lists every secret that was missing when a client loaded, and
 * `details.where` says where the source looked (an environment variable, a binding), when it
 * can tell.
 *
 * @example
 * ```ts
 * import { SecretNotSetError } from '@coffer/secrets';
 *
 * new SecretNotSetError([{ secret: 'stripeApiKey' }]).code; // 'SECRET_NOT_SET'
 * ```
 */
export class SecretNotSetError extends CofferError {
  constructor(missing: ReadonlyArray<{ secret: string; where?: string }>) {
    const list = missing
      .map((m) => (m.where === undefined ? `"${m.secret}"` : `"${m.secret}" (${m.where})`))
      .join(', ');
    super(
      'SECRET_NOT_SET',
      `No value is set for ${missing.length === 1 ? 'secret' : 'secrets'} ${list}; set ${missing.length === 1 ? 'it' : 'them'} before starting this surface.`,
      { status: 404, details: { secrets: missing.map((m) => ({ ...m })) } },
    );
  }
}

/**
 * The secret has no version with that number (never existed, or past retention). Code
 * `SECRET_VERSION_NOT_FOUND`, status 404.
 *
 * @example
 * ```ts
 * import { SecretVersionNotFoundError } from '@coffer/secrets';
 *
 * new SecretVersionNotFoundError('webhookSigning', 7).details; // { secret: 'webhookSigning', version: 7 }
 * ```
 */
export class SecretVersionNotFoundError extends CofferError {
  constructor(secret: string, version: number) {
    super(
      'SECRET_VERSION_NOT_FOUND',
      `Secret "${secret}" has no version ${version}; it never existed or is past retention.`,
      { status: 404, details: { secret, version } },
    );
  }
}

/**
 * Two declarations would share a stored identity: the same accessor name, or the same physical
 * name (the same workspace, project, environment, namespace and name). Code
 * `SECRET_NAME_COLLISION`, status 409. Raised by `defineSecrets` / `combineSecrets`, so it
 * surfaces when the app starts, not when a value is overwritten.
 *
 * @example
 * ```ts
 * import { SecretNameCollisionError } from '@coffer/secrets';
 *
 * new SecretNameCollisionError('physical name', 'webhookSigning', 'partnerWebhook').code; // 'SECRET_NAME_COLLISION'
 * ```
 */
export class SecretNameCollisionError extends CofferError {
  constructor(what: 'name' | 'physical name', first: string, second: string) {
    super(
      'SECRET_NAME_COLLISION',
      `Secrets "${first}" and "${second}" have the same ${what}; give one of them another name or namespace.`,
      { status: 409, details: { collision: what, secrets: [first, second] } },
    );
  }
}

/**
 * The operation does not fit the secret's mode: `set` on a random or generated secret, `rotate`
 * on a static one. Code `SECRET_WRONG_MODE`, status 409.
 *
 * @example
 * ```ts
 * import { SecretModeError } from '@coffer/secrets';
 *
 * new SecretModeError('webhookSigning', 'random', 'set').code; // 'SECRET_WRONG_MODE'
 * ```
 */
export class SecretModeError extends CofferError {
  constructor(secret: string, mode: string, operation: string) {
    super(
      'SECRET_WRONG_MODE',
      `Secret "${secret}" is a ${mode} secret and does not support ${operation}(); static secrets are set by the operator, random and generated ones are rotated by coffer.`,
      { status: 409, details: { secret, mode, operation } },
    );
  }
}

/**
 * A source failed or answered something that is not a secret snapshot. Code `SECRET_SOURCE_FAILED`,
 * status 503, retryable. The source's own error is not attached: a plug-in's message may carry
 * the value or request data.
 *
 * @example
 * ```ts
 * import { SecretSourceError } from '@coffer/secrets';
 *
 * new SecretSourceError('memory', 'stripeApiKey', 'threw').retryable; // true
 * ```
 */
export class SecretSourceError extends CofferError {
  constructor(source: string, secret: string, what: string) {
    super(
      'SECRET_SOURCE_FAILED',
      `The ${source} source ${what} while reading secret "${secret}"; retry, and check the source if it persists.`,
      { status: 503, retryable: true, details: { source, secret } },
    );
  }
}

/**
 * A client could not serve a secret: its cached value is older than `maxStaleMs` because every
 * reload since failed, or it was cleared (a process snapshot) and is reloading. Code
 * `SECRET_UNAVAILABLE`, status 503, retryable.
 *
 * @example
 * ```ts
 * import { SecretUnavailableError } from '@coffer/secrets';
 *
 * new SecretUnavailableError('stripeApiKey', 'is reloading').status; // 503
 * ```
 */
export class SecretUnavailableError extends CofferError {
  constructor(secret: string, why: string) {
    super('SECRET_UNAVAILABLE', `Secret "${secret}" ${why}; retry shortly.`, {
      status: 503,
      retryable: true,
      details: { secret },
    });
  }
}

/**
 * A local-development source was asked to serve where it must not: `NODE_ENV=production`, or a
 * definition whose environment is a production one. Code `SECRET_SOURCE_REFUSED`, status 500.
 *
 * @example
 * ```ts
 * import { SourceRefusedError } from '@coffer/secrets';
 *
 * new SourceRefusedError('NODE_ENV is "production"').code; // 'SECRET_SOURCE_REFUSED'
 * ```
 */
export class SourceRefusedError extends CofferError {
  constructor(why: string) {
    super(
      'SECRET_SOURCE_REFUSED',
      `The local environment-variable source does not serve secrets in production (${why}); use a production source (the vault, Cloudflare Secrets Store), or pass allowInProduction: true if you really mean it.`,
      { status: 500, details: { reason: why } },
    );
  }
}

/**
 * The stable reasons a signature (webhook header, JWT, signed cookie) is refused. Each maps to one
 * error code, so a verifier's failure can become a {@link SignatureError}.
 */
export type SignatureFailureReason =
  | 'malformed'
  | 'expired'
  | 'clock-skew'
  | 'mismatch'
  | 'version-not-accepted'
  | 'replayed'
  | 'claim-mismatch';

const REASON_CODES: Readonly<Record<SignatureFailureReason, string>> = {
  malformed: 'SIGNATURE_MALFORMED',
  expired: 'SIGNATURE_EXPIRED',
  'clock-skew': 'SIGNATURE_CLOCK_SKEW',
  mismatch: 'SIGNATURE_MISMATCH',
  'version-not-accepted': 'SIGNATURE_VERSION_NOT_ACCEPTED',
  replayed: 'SIGNATURE_REPLAYED',
  'claim-mismatch': 'SIGNATURE_CLAIM_MISMATCH',
};

const REASON_TEXT: Readonly<Record<SignatureFailureReason, string>> = {
  malformed: 'is not in the expected format',
  expired: 'is older than the accepted tolerance',
  'clock-skew': 'carries a time too far in the future (clock skew beyond tolerance)',
  mismatch: 'does not match any accepted key version',
  'version-not-accepted': 'names a key version that is no longer (or not yet) accepted',
  replayed: 'was already used once',
  'claim-mismatch': 'carries an issuer, audience or other claim that is not accepted',
};

/**
 * The error code of a {@link SignatureFailureReason}.
 *
 * @example
 * ```ts
 * import { signatureErrorCode } from '@coffer/secrets';
 *
 * signatureErrorCode('expired'); // 'SIGNATURE_EXPIRED'
 * signatureErrorCode('clock-skew'); // 'SIGNATURE_CLOCK_SKEW'
 * ```
 */
export function signatureErrorCode(reason: SignatureFailureReason): string {
  return REASON_CODES[reason];
}

/**
 * A signature was refused. Status 401; `code` is one of `SIGNATURE_MALFORMED`, `SIGNATURE_EXPIRED`,
 * `SIGNATURE_CLOCK_SKEW`, `SIGNATURE_MISMATCH`, `SIGNATURE_VERSION_NOT_ACCEPTED`,
 * `SIGNATURE_REPLAYED`, `SIGNATURE_CLAIM_MISMATCH`; `reason` is the verifier's reason. The
 * message never quotes the header, token or cookie.
 *
 * @example
 * ```ts
 * import { SignatureError } from '@coffer/secrets';
 *
 * const err = new SignatureError('webhook signature', 'mismatch');
 * err.code; // 'SIGNATURE_MISMATCH'
 * err.status; // 401
 * ```
 */
export class SignatureError extends CofferError {
  /** Why the signature was refused. */
  readonly reason: SignatureFailureReason;

  constructor(what: string, reason: SignatureFailureReason) {
    super(REASON_CODES[reason], `The ${what} ${REASON_TEXT[reason]}.`, {
      status: 401,
      details: { reason },
    });
    this.reason = reason;
  }
}

/**
 * The replay guard given to a webhook verifier threw or answered something other than a boolean.
 * Code `REPLAY_GUARD_FAILED`, status 503, retryable: the signature was valid, so the sender
 * should retry rather than drop the delivery.
 *
 * @example
 * ```ts
 * import { ReplayGuardError } from '@coffer/secrets';
 *
 * new ReplayGuardError().retryable; // true
 * ```
 */
export class ReplayGuardError extends CofferError {
  constructor() {
    super(
      'REPLAY_GUARD_FAILED',
      'The replay guard could not record the signature; answer 503 so the sender retries.',
      { status: 503, retryable: true },
    );
  }
}
