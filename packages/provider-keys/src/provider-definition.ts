// What a provider is, as data: the shape every built-in and host-added provider has, and the check
// that a definition is usable before anything runs it.
import { InvalidInputError, type Redacted } from '@coffer/core';

/** A provider key as the functions of this package accept it: plain text or `Redacted`. */
export type ProviderKey = string | Redacted<string>;

/** Why a key does not have its provider's format. Never contains any of the key. */
export type KeyFormatReason =
  | 'not_a_string'
  | 'empty'
  | 'too_long'
  | 'whitespace'
  | 'invalid_characters'
  | 'wrong_prefix'
  | 'wrong_length'
  | 'wrong_provider'
  | 'admin_key'
  | 'unsupported_key_type';

/**
 * Every {@link KeyFormatReason}, for checks and exhaustive tables.
 *
 * @example
 * ```ts
 * import { checkKeyFormat, KEY_FORMAT_REASONS, openai } from '@coffer/provider-keys';
 *
 * const result = checkKeyFormat(openai, 'not a key');
 * !result.ok && KEY_FORMAT_REASONS.includes(result.reason); // true ('whitespace')
 * ```
 */
export const KEY_FORMAT_REASONS: readonly KeyFormatReason[] = Object.freeze([
  'not_a_string',
  'empty',
  'too_long',
  'whitespace',
  'invalid_characters',
  'wrong_prefix',
  'wrong_length',
  'wrong_provider',
  'admin_key',
  'unsupported_key_type',
]);

/** The answer of a format check: `{ ok: true }` or the reason it failed. */
export type KeyFormatResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: KeyFormatReason };

/**
 * An answer from the provider, normalized: what a definition's `classifyFailure` and
 * `validation.interpret` receive. Header names are case-insensitive; `body` is the parsed JSON
 * when the body was JSON, its text when it was not, and `undefined` when there was none, it was
 * not read, or it was larger than the cap.
 */
export interface UpstreamReply {
  /** The HTTP status code. */
  readonly status: number;
  /** One header's value (duplicates joined with `, `, as `fetch` does), or `undefined`. */
  header(name: string): string | undefined;
  /** The body: parsed JSON, text, or `undefined`. Treat it as untrusted. */
  readonly body: unknown;
}

/** The clock a classification may need (to turn an HTTP date into a wait). */
export interface ClassifyContext {
  /** Milliseconds since the epoch. */
  readonly now: number;
}

/**
 * Reasons a key is invalid that the built-in providers give. Host-added providers may use other
 * codes of the same form (`^[a-z][a-z0-9_]{0,47}$`); all of them are safe to show to the key's
 * owner and never contain any of the key or of the provider's message.
 */
export type KnownInvalidReason =
  | 'key_rejected'
  | 'permission_denied'
  | 'expired'
  | 'billing'
  | 'quota_exhausted'
  | 'service_disabled'
  | 'wrong_app'
  | 'missing_scope';

/**
 * What an upstream failure means for the customer's key, from the host's real call:
 * `auth_failed` (mark the key invalid, with the reason), `rate_limited` (keep it, but fall back
 * until `retryAfterMs` has passed, when known) or `other` (change nothing).
 */
export type FailureClassification =
  | { readonly kind: 'auth_failed'; readonly reason: string }
  | { readonly kind: 'rate_limited'; readonly retryAfterMs?: number }
  | { readonly kind: 'other' };

/** Why a validation could not decide. None of these ever means the key is invalid. */
export type UnreachableReason =
  | 'network_error'
  | 'timeout'
  | 'server_error'
  | 'unexpected_response'
  | 'validator_misconfigured';

/**
 * The outcome of validating a key against its provider. `invalid` and `rate_limited` carry the
 * provider's HTTP status when there was one; `unreachable` says why nothing could be decided
 * (network error, timeout, a 5xx, an answer the provider does not document, or the validator's
 * own configuration was refused) and never means the key is bad.
 */
export type ValidationResult =
  | { readonly status: 'valid' }
  | { readonly status: 'invalid'; readonly reason: string; readonly httpStatus?: number }
  | {
      readonly status: 'rate_limited';
      readonly retryAfterMs?: number;
      readonly httpStatus?: number;
    }
  | {
      readonly status: 'unreachable';
      readonly reason: UnreachableReason;
      readonly httpStatus?: number;
    };

/** The HTTP request a validator sends. The key goes in a header wherever the provider allows it. */
export interface ValidationRequest {
  /** An `https:` URL (plain `http:` only to a loopback host, for local stand-ins in tests). */
  readonly url: string;
  /** `GET` or `POST`. */
  readonly method: 'GET' | 'POST';
  /** Header names and values: visible ASCII only (a key with a line break is refused earlier). */
  readonly headers: Readonly<Record<string, string>>;
  /** A text body (JSON), at most 64 KiB. */
  readonly body?: string;
}

/** How a provider checks a key: the request to send, and (optionally) how to read the answer. */
export interface ProviderValidation {
  /**
   * Builds the request for `key` (already format-checked). May be async, e.g. to fetch the
   * validator's own credentials. It must not log the key or put it in an error.
   */
  request(key: string): ValidationRequest | Promise<ValidationRequest>;
  /**
   * Whether a 2xx answer's body is needed to decide (e.g. Meta's `debug_token`). Default `false`:
   * a 2xx means valid and its body is not read at all.
   */
  readonly readSuccessBody?: boolean;
  /**
   * Reads the answer. Default: 2xx is `valid`; otherwise the provider's `classifyFailure` decides
   * (`auth_failed` → `invalid`, `rate_limited` → `rate_limited`, `other` → `unreachable`).
   */
  interpret?(reply: UpstreamReply, context: ClassifyContext): ValidationResult;
}

/**
 * A provider as data: who it is, what its keys look like, what part of a key may be shown, how to
 * check a key, and what its failure answers mean. Built-in definitions are `openai`, `anthropic`,
 * `google`, `mistral` and `createMetaProvider(…)`; hosts write their own and pass them through
 * {@link defineProvider} (or `createProviderRegistry`, which does).
 *
 * @example
 * ```ts
 * import { defineProvider, type ProviderDefinition } from '@coffer/provider-keys';
 *
 * const acme: ProviderDefinition = defineProvider({
 *   id: 'acme',
 *   displayName: 'Acme AI',
 *   publicPrefixes: ['acme_'],
 *   checkFormat: (key) =>
 *     /^acme_[A-Za-z0-9]{32}$/.test(key) ? { ok: true } : { ok: false, reason: 'wrong_prefix' },
 *   validation: {
 *     request: (key) => ({
 *       url: 'https://api.acme.example/v1/me',
 *       method: 'GET',
 *       headers: { authorization: `Bearer ${key}` },
 *     }),
 *   },
 *   classifyFailure: (reply) =>
 *     reply.status === 401
 *       ? { kind: 'auth_failed', reason: 'key_rejected' }
 *       : reply.status === 429
 *         ? { kind: 'rate_limited' }
 *         : { kind: 'other' },
 * });
 * acme.id; // 'acme'
 * ```
 */
export interface ProviderDefinition {
  /** Stable id, `^[a-z][a-z0-9-]{0,31}$` (e.g. `openai`): what the host stores and looks up. */
  readonly id: string;
  /** Name for people, e.g. `OpenAI`. */
  readonly displayName: string;
  /**
   * Prefixes of a key that carry no secret (e.g. `sk-proj-`), longest first; the display prefix
   * shows the longest one a key starts with. Each 1–16 visible ASCII characters, at most 16.
   */
  readonly publicPrefixes: readonly string[];
  /** Whether `key` has this provider's format. Pure; never sees anything but a string. */
  checkFormat(key: string): KeyFormatResult;
  /** How to check a key with the provider. */
  readonly validation: ProviderValidation;
  /** What a failed answer from the host's own call with the key means. Pure. */
  classifyFailure(reply: UpstreamReply, context: ClassifyContext): FailureClassification;
}

const ID = /^[a-z][a-z0-9-]{0,31}$/;
const PUBLIC_PREFIX = /^[\x21-\x7e]{1,16}$/;
const CONTROL_OR_SURROGATE = /[\p{Cc}\p{Surrogate}]/u;
const MAX_PREFIXES = 16;

function invalid(parameter: string, message: string): InvalidInputError {
  return new InvalidInputError(message, { details: { parameter } });
}

/** Reads one property once; a getter or proxy that throws is a malformed definition. */
function read(value: object, key: string, parameter: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    throw invalid(parameter, `${parameter} could not be read (its getter threw)`);
  }
}

/** A copy of an array (a proxy that throws while being copied is no array). */
function copyArray(value: unknown): unknown[] | undefined {
  try {
    if (!Array.isArray(value) || value.length > MAX_PREFIXES) return undefined;
    return Array.from(value as unknown[]);
  } catch {
    return undefined;
  }
}

function checkFunction(value: unknown, parameter: string): void {
  if (typeof value !== 'function') throw invalid(parameter, `${parameter} must be a function`);
}

/**
 * Checks a provider definition and returns a frozen copy of it (prefixes sorted longest first), so
 * a definition that is later mutated, or that was malformed, can never run half-checked. Each
 * property is read once; methods stay bound to the object they came from (a class instance works).
 *
 * @param definition The definition to check.
 * @returns A frozen, checked copy.
 * @throws {InvalidInputError} `INVALID_INPUT` naming the bad part (`definition.id`,
 *   `definition.publicPrefixes`, `definition.validation.request`, …).
 *
 * @example
 * ```ts
 * import { defineProvider, mistral } from '@coffer/provider-keys';
 *
 * const copy = defineProvider({ ...mistral, id: 'mistral-eu', displayName: 'Mistral (EU)' });
 * copy.id; // 'mistral-eu'
 * Object.isFrozen(copy); // true
 * ```
 */
export function defineProvider(definition: ProviderDefinition): ProviderDefinition {
  if (typeof definition !== 'object' || definition === null) {
    throw invalid('definition', 'definition must be a ProviderDefinition object');
  }
  const id = read(definition, 'id', 'definition.id');
  if (typeof id !== 'string' || !ID.test(id)) {
    throw invalid(
      'definition.id',
      'definition.id must be 1-32 characters of a-z 0-9 - starting with a letter, e.g. "openai"',
    );
  }
  const displayName = read(definition, 'displayName', 'definition.displayName');
  if (
    typeof displayName !== 'string' ||
    displayName.trim().length === 0 ||
    displayName.length > 64 ||
    CONTROL_OR_SURROGATE.test(displayName)
  ) {
    throw invalid(
      'definition.displayName',
      'definition.displayName must be 1-64 characters of text without control characters',
    );
  }
  const prefixes = copyArray(read(definition, 'publicPrefixes', 'definition.publicPrefixes'));
  if (
    prefixes === undefined ||
    prefixes.length > MAX_PREFIXES ||
    !prefixes.every((p) => typeof p === 'string' && PUBLIC_PREFIX.test(p))
  ) {
    throw invalid(
      'definition.publicPrefixes',
      `definition.publicPrefixes must be an array of at most ${MAX_PREFIXES} strings of 1-16 visible ASCII characters`,
    );
  }
  const checkFormat = read(definition, 'checkFormat', 'definition.checkFormat');
  checkFunction(checkFormat, 'definition.checkFormat');
  const classifyFailure = read(definition, 'classifyFailure', 'definition.classifyFailure');
  checkFunction(classifyFailure, 'definition.classifyFailure');
  const validation = read(definition, 'validation', 'definition.validation');
  if (typeof validation !== 'object' || validation === null) {
    throw invalid('definition.validation', 'definition.validation must be an object');
  }
  const request = read(validation, 'request', 'definition.validation.request');
  checkFunction(request, 'definition.validation.request');
  const interpret = read(validation, 'interpret', 'definition.validation.interpret');
  if (interpret !== undefined) checkFunction(interpret, 'definition.validation.interpret');
  const readSuccessBody = read(
    validation,
    'readSuccessBody',
    'definition.validation.readSuccessBody',
  );
  if (readSuccessBody !== undefined && typeof readSuccessBody !== 'boolean') {
    throw invalid(
      'definition.validation.readSuccessBody',
      'definition.validation.readSuccessBody must be a boolean',
    );
  }
  const checkedValidation: ProviderValidation = Object.freeze({
    request: (request as ProviderValidation['request']).bind(validation),
    ...(readSuccessBody === true ? { readSuccessBody: true } : {}),
    ...(interpret === undefined
      ? {}
      : {
          interpret: (interpret as NonNullable<ProviderValidation['interpret']>).bind(validation),
        }),
  });
  const sortedPrefixes = [...new Set(prefixes as string[])].sort((a, b) => b.length - a.length);
  return Object.freeze({
    id,
    displayName,
    publicPrefixes: Object.freeze(sortedPrefixes),
    checkFormat: (checkFormat as ProviderDefinition['checkFormat']).bind(definition),
    validation: checkedValidation,
    classifyFailure: (classifyFailure as ProviderDefinition['classifyFailure']).bind(definition),
  });
}
