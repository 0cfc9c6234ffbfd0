// The partner API key format: `<prefix>_<env>_<key_id>_<secret>`.
//
//   prefix  constant product prefix, `lp` by default: 1–6 characters [a-z0-9], starting with a letter
//   env     `live` or `test`
//   key_id  16 Crockford base32 characters (10 random bytes): the public, log-safe handle
//   secret  43 base64url characters without padding (32 bytes): 28 random bytes, then a CRC-32
//           (big-endian) over the ASCII text `<prefix>_<env>_<key_id>_` followed by those 28 bytes
//
// base64url contains `_` and `-`, so a key is matched with one anchored pattern, never split on `_`.
// The full specification, with worked examples, is docs/api-key-format.md.
import {
  fromBase64Url,
  InvalidInputError,
  randomBytes,
  toBase32Crockford,
  toBase64Url,
} from '@coffer/core';
import { crc32 } from './crc32.js';

/** The two environments a key can belong to. */
export type ApiKeyEnv = 'live' | 'test';

/**
 * The prefix used when none is configured: keys look like `lp_live_<key_id>_<secret>`.
 *
 * @example
 * ```ts
 * import { DEFAULT_API_KEY_PREFIX, parseApiKey } from '@coffer/api-keys';
 *
 * parseApiKey('lp_live_...', { prefix: DEFAULT_API_KEY_PREFIX }); // null: not a whole key
 * ```
 */
export const DEFAULT_API_KEY_PREFIX = 'lp';

/** Random bytes in a `key_id`: 10 bytes, exactly 16 Crockford base32 characters. */
const KEY_ID_BYTES = 10;
/** Bytes in the secret, of which the last four are the checksum. */
const SECRET_BYTES = 32;
const SECRET_RANDOM_BYTES = SECRET_BYTES - 4;
const PREFIX_PATTERN = /^[a-z][a-z0-9]{0,5}$/;
// The 43rd base64url character carries 4 data bits and 2 zero bits, so only 16 characters can end a
// canonical 32-byte secret; allowing only those makes the pattern precise for scanners too.
const KEY_ID_CLASS = '[0-9A-HJKMNP-TV-Z]{16}';
const SECRET_CLASS = '[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]';

/** What a well-formed key says about itself. None of it is secret. */
export interface ParsedApiKey {
  /** The product prefix, e.g. `lp`. */
  readonly prefix: string;
  /** `live` or `test`. */
  readonly env: ApiKeyEnv;
  /** The public 16-character handle. */
  readonly keyId: string;
  /** `<prefix>_<env>_<key_id>`: safe to log and to show in a list of keys. */
  readonly start: string;
}

/** Options shared by the format functions. */
export interface ApiKeyFormatOptions {
  /** The product prefix (default `lp`): 1–6 characters [a-z0-9], starting with a letter. */
  prefix?: string;
}

/**
 * Checks a prefix and returns it. Six characters at most keep the whole key within bcrypt's
 * 72-byte input limit (6 + 1 + 4 + 1 + 16 + 1 + 43 = 72).
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when the prefix does not fit the rule.
 */
export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !PREFIX_PATTERN.test(prefix)) {
    throw new InvalidInputError(
      'prefix must be 1-6 characters of [a-z0-9] starting with a letter, e.g. "lp"',
      { details: { parameter: 'prefix' } },
    );
  }
  return prefix;
}

interface CompiledFormat {
  readonly prefix: string;
  readonly length: number;
  readonly pattern: RegExp;
}

const compiled = new Map<string, CompiledFormat>();

function formatFor(prefix: string): CompiledFormat {
  let format = compiled.get(prefix);
  if (format === undefined) {
    checkPrefix(prefix);
    format = {
      prefix,
      length: prefix.length + 66,
      pattern: new RegExp(`^${prefix}_(live|test)_(${KEY_ID_CLASS})_(${SECRET_CLASS})$`),
    };
    compiled.set(prefix, format);
  }
  return format;
}

/**
 * Parses a key and checks its checksum, offline: no database, no bcrypt. Returns what the key says
 * about itself, or `null` when it is not a well-formed key of this prefix. A `ParsedApiKey` is not
 * proof the key is genuine; only verification is.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `options.prefix` is not a valid prefix (never
 *   for the key itself: any key value, of any type, just yields `null`).
 * @example
 * ```ts
 * import { parseApiKey } from '@coffer/api-keys';
 *
 * parseApiKey('lp_live_not-a-key'); // null
 * ```
 */
export function parseApiKey(key: unknown, options: ApiKeyFormatOptions = {}): ParsedApiKey | null {
  const format = formatFor(options.prefix ?? DEFAULT_API_KEY_PREFIX);
  if (typeof key !== 'string' || key.length !== format.length) return null;
  const match = format.pattern.exec(key);
  if (match === null) return null;
  const env = match[1] as ApiKeyEnv;
  const keyId = match[2] ?? '';
  const secret = fromBase64Url(match[3] ?? '');
  const start = `${format.prefix}_${env}_${keyId}`;
  const expected = crc32(`${start}_`, secret, SECRET_RANDOM_BYTES);
  const actual =
    (((secret[28] ?? 0) << 24) |
      ((secret[29] ?? 0) << 16) |
      ((secret[30] ?? 0) << 8) |
      (secret[31] ?? 0)) >>>
    0;
  if (expected !== actual) return null;
  return { prefix: format.prefix, env, keyId, start };
}

/**
 * Whether `key` is a well-formed API key of this prefix with a correct checksum. Offline and cheap:
 * use it in secret scanners, log scrubbers and before any lookup.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `options.prefix` is not a valid prefix.
 * @example
 * ```ts
 * import { isWellFormedApiKey } from '@coffer/api-keys';
 *
 * isWellFormedApiKey('lp_live_0000000000000000_' + 'A'.repeat(43)); // false: bad checksum
 * ```
 */
export function isWellFormedApiKey(key: unknown, options: ApiKeyFormatOptions = {}): boolean {
  return parseApiKey(key, options) !== null;
}

/**
 * A fresh regular expression that finds candidate API keys of `prefix` inside arbitrary text (logs,
 * commits, pastes), for secret scanning. It is global (`g`), so it is returned new on each call.
 * A match is only a candidate: confirm it with {@link isWellFormedApiKey}, which checks the CRC-32.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `prefix` is not a valid prefix.
 * @example
 * ```ts
 * import { apiKeyScanPattern, isWellFormedApiKey } from '@coffer/api-keys';
 *
 * const text = 'deploy log: LAYERS_API_KEY=lp_live_... (redacted)';
 * const leaks = [...text.matchAll(apiKeyScanPattern())].map((m) => m[0]).filter((k) => isWellFormedApiKey(k));
 * leaks.length; // 0
 * ```
 */
export function apiKeyScanPattern(prefix: string = DEFAULT_API_KEY_PREFIX): RegExp {
  checkPrefix(prefix);
  return new RegExp(
    `(?<![A-Za-z0-9_-])${prefix}_(?:live|test)_${KEY_ID_CLASS}_${SECRET_CLASS}(?![A-Za-z0-9_-])`,
    'g',
  );
}

/**
 * The scanner pattern for the default `lp` prefix, as a source string (for tools outside
 * JavaScript: it is plain PCRE/RE2-compatible apart from the lookarounds at either end).
 *
 * @example
 * ```ts
 * import { API_KEY_SCAN_PATTERN_SOURCE } from '@coffer/api-keys';
 *
 * new RegExp(API_KEY_SCAN_PATTERN_SOURCE, 'g');
 * ```
 */
export const API_KEY_SCAN_PATTERN_SOURCE: string = apiKeyScanPattern().source;

/** A freshly generated key string and its public parts. */
export interface GeneratedApiKey extends ParsedApiKey {
  /** The full key. Secret: returned once to the caller, never stored. */
  readonly key: string;
}

/** Generates a new random key. Internal: callers mint through the manager. */
export function generateApiKey(prefix: string, env: ApiKeyEnv, keyId?: string): GeneratedApiKey {
  const format = formatFor(prefix);
  const id = keyId ?? toBase32Crockford(randomBytes(KEY_ID_BYTES));
  const start = `${format.prefix}_${env}_${id}`;
  const secret = new Uint8Array(SECRET_BYTES);
  secret.set(randomBytes(SECRET_RANDOM_BYTES));
  const sum = crc32(`${start}_`, secret, SECRET_RANDOM_BYTES);
  secret[28] = sum >>> 24;
  secret[29] = (sum >>> 16) & 0xff;
  secret[30] = (sum >>> 8) & 0xff;
  secret[31] = sum & 0xff;
  return { prefix: format.prefix, env, keyId: id, start, key: `${start}_${toBase64Url(secret)}` };
}

/** Whether `keyId` has the shape of a key id (16 Crockford base32 characters). */
export function isKeyId(keyId: unknown): keyId is string {
  return typeof keyId === 'string' && KEY_ID_ONLY.test(keyId);
}

const KEY_ID_ONLY = new RegExp(`^${KEY_ID_CLASS}$`);
