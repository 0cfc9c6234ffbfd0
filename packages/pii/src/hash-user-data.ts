import { CofferError, InvalidInputError } from '@coffer/core';
import { clientIp, clientUserAgent, deviceId } from './client-fields.js';
import { hmacForStorage, hmacHashedForStorage, sha256ForPlatform } from './hash.js';
import { isoCountryCode, normalizeCountry } from './normalize-country.js';
import type { InvalidReason } from './normalized.js';
import { isPepper, type Pepper } from './pepper.js';
import { PII_FIELDS } from './pii-fields.js';
import { preHashed } from './pre-hashed.js';
import { checkFormatted, checkNormalized, checkProfile } from './profiles/check-profile.js';
import { type FieldContext, KEYED, type PlatformProfile } from './profiles/profile.js';
import { type UserData, userDataSchema } from './user-data-schema.js';

/** Options of {@link hashUserData}. */
export interface HashUserDataOptions {
  /** The platform whose rules apply: `meta`, `tiktok`, `google`, `snap`, or `storage`. */
  profile: PlatformProfile;
  /**
   * Country for records without a valid one of their own: supplies a phone's calling code and the
   * US rules for states and ZIP codes. Exactly an officially assigned ISO 3166-1 alpha-2 code, any
   * case (`'US'`, `'gb'`); names and aliases (`'USA'`, `'United States'`, `'UK'`) are refused with
   * `INVALID_INPUT`, unlike a record's own `country`, which accepts a few common names.
   */
  defaultCountry?: string;
  /**
   * Keep the client IP (default false: dropped). A platform that takes it gets it in clear; it must
   * be an IPv4 or IPv6 address, else it is dropped and reported.
   */
  keepIp?: boolean;
  /**
   * Keep the mobile advertising id (default false: dropped). It must be UUID-shaped (IDFA/GAID) and
   * not all zeros, else it is dropped and reported.
   */
  keepDeviceId?: boolean;
  /**
   * For the `storage` profile: HMAC-SHA-256 under this pepper instead of plain SHA-256. Required
   * there; not allowed with a platform profile (platforms need plain SHA-256 to match).
   */
  pepper?: Pepper;
}

/**
 * A field left out of the result, and why. Never contains the value. A field the platform does not
 * take, or an IP or device id not kept, is not "dropped": only an invalid one is.
 */
export interface DroppedField {
  readonly field: keyof UserData;
  readonly reason: InvalidReason;
}

/** The hashed user data, keyed as the platform expects, and what was left out. */
export interface HashedUserData {
  readonly userData: Readonly<Record<string, string>>;
  readonly dropped: readonly DroppedField[];
}

/**
 * The record is not an object of optional strings. Code `INVALID_USER_DATA`, status 400;
 * `details.issues` lists `{ path, code }` pairs (never values).
 *
 * @example
 * ```ts
 * import { InvalidUserDataError } from '@coffer/pii';
 *
 * new InvalidUserDataError([{ path: 'email', code: 'invalid_type' }]).details;
 * // { issues: [{ path: 'email', code: 'invalid_type' }] }
 * ```
 */
export class InvalidUserDataError extends CofferError {
  constructor(issues: ReadonlyArray<{ path: string; code: string }>) {
    super(
      'INVALID_USER_DATA',
      'The user data must be an object whose fields are strings; see details.issues.',
      {
        status: 400,
        details: { issues: issues.map((i) => ({ ...i })) },
      },
    );
  }
}

/**
 * Normalizes and hashes one event's user data for one platform (or for storage): each PII field
 * normalized by the profile's rule and SHA-256 hashed (HMAC with a pepper for `storage`) or, where
 * the platform takes it in clear, normalized only. A field whose raw value is already a SHA-256
 * digest (trimmed, exactly 64 hex; lower-case hex only for `externalId`) passes through
 * lower-cased (keyed with the pepper for `storage`): that is decided on the raw value alone, and
 * every normalized value is hashed. The IP and device id are removed unless kept; fields the profile does not take are
 * removed. Nothing of the input survives in clear except what the platform requires in clear
 * (Google's address fields, the user agent, a kept IP). Invalid fields are dropped and reported.
 *
 * @throws {InvalidUserDataError} `INVALID_USER_DATA` when `record` is not an object of strings.
 * @throws {InvalidInputError} `INVALID_INPUT` for bad options: no profile, or a custom profile that
 *   is malformed (the message names the bad part; a custom rule whose `normalize` or `format`
 *   returns something else than it must is reported the same way, when it does); a pepper missing (or not
 *   made by `createPepper`/`pepperFromEnv`) for `storage`, or given to a platform profile; a
 *   `defaultCountry` that is not an ISO alpha-2 code; `keepIp`/`keepDeviceId` not a boolean.
 * @example
 * ```ts
 * import { hashUserData, meta } from '@coffer/pii';
 *
 * const { userData, dropped } = hashUserData(
 *   { email: ' Joe@Example.com ', phone: '(650) 555-1234', country: 'US', ip: '203.0.113.9' },
 *   { profile: meta },
 * );
 * userData.em; // '2481f36dfc515ca76451aaadf1399026942a01ee50c6d0a61988b43cef039bc2' = sha256('joe@example.com')
 * userData.ph; // '6069d14bf122fdfd931dc7beb58e5dfbba395b1faf05bdcd42d12358d63d8599' = sha256('16505551234')
 * 'client_ip_address' in userData; // false: the IP was dropped
 * dropped; // []
 * ```
 */
export function hashUserData(record: unknown, options: HashUserDataOptions): HashedUserData {
  const checked = checkOptions(options);
  const fast = readUserData(record);
  if (fast !== undefined) return hashParsed(fast, checked);
  // Not an object of optional strings: zod names what is wrong (paths and codes, never values).
  const parsed = userDataSchema.safeParse(record);
  if (!parsed.success) {
    throw new InvalidUserDataError(
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), code: issue.code })),
    );
  }
  return hashParsed(parsed.data, checked);
}

/** Options after {@link checkOptions}: every one validated. */
export interface CheckedOptions {
  /** The profile as checked: a snapshot of a custom one, the package's own as it is. */
  readonly profile: PlatformProfile;
  /** False for a custom profile, whose normalize and format results are checked as they come. */
  readonly builtIn: boolean;
  readonly pepper: Pepper | undefined;
  readonly defaultCountry: string | undefined;
  readonly keepIp: boolean;
  readonly keepDeviceId: boolean;
}

/**
 * Validates {@link HashUserDataOptions} once (the batch and stream APIs call it before any record).
 *
 * @throws {InvalidInputError} `INVALID_INPUT` for bad options.
 */
export function checkOptions(options: HashUserDataOptions): CheckedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidInputError('options are required, e.g. { profile: meta }');
  }
  const { profile: platform, builtIn } = checkProfile(options.profile);
  // Keyed (storage) by a property only this package can set, never by the profile's name.
  const keyed = platform[KEYED] === true;
  const pepper: unknown = options.pepper;
  if (keyed && !isPepper(pepper)) {
    throw new InvalidInputError(
      'the storage profile needs options.pepper from createPepper or pepperFromEnv: plain SHA-256 of PII is reversible',
    );
  }
  if (!keyed && pepper !== undefined) {
    throw new InvalidInputError(
      'a pepper only applies to the storage profile: platforms match plain SHA-256',
    );
  }
  const defaultCountry: unknown = options.defaultCountry;
  let country: string | undefined;
  if (defaultCountry !== undefined) {
    country = isoCountryCode(defaultCountry);
    if (country === undefined) {
      throw new InvalidInputError(
        'options.defaultCountry must be an ISO 3166-1 alpha-2 country code such as "US" or "GB" (not a name, not "UK")',
      );
    }
  }
  for (const flag of ['keepIp', 'keepDeviceId'] as const) {
    const value: unknown = options[flag];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new InvalidInputError(`options.${flag} must be true or false`);
    }
  }
  return {
    profile: platform,
    builtIn,
    pepper: keyed ? (pepper as Pepper) : undefined,
    defaultCountry: country,
    keepIp: options.keepIp === true,
    keepDeviceId: options.keepDeviceId === true,
  };
}

const USER_DATA_KEYS: readonly (keyof UserData)[] = Object.keys(
  userDataSchema.shape,
) as (keyof UserData)[];

/**
 * The hot path of {@link userDataSchema}: when `record` is a non-array object whose known fields are
 * all strings or absent, the same result as `parse` (unknown fields left out) without zod's cost;
 * otherwise `undefined`, and zod reports the issues.
 */
function readUserData(record: unknown): UserData | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return undefined;
  const source = record as Record<string, unknown>;
  const data: Record<string, string> = {};
  for (const key of USER_DATA_KEYS) {
    const value = source[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') return undefined;
    data[key] = value;
  }
  return data as UserData;
}

function countryOf(data: UserData, fallback: string | undefined): string | undefined {
  // The record's own country if it is a valid one; an invalid one never overrides the default.
  const own = data.country === undefined ? undefined : normalizeCountry(data.country);
  return own?.ok === true ? own.value : fallback;
}

function hashParsed(data: UserData, options: CheckedOptions): HashedUserData {
  const { profile, pepper } = options;
  const context: FieldContext = { country: countryOf(data, options.defaultCountry) };
  const out: Record<string, string> = {};
  const dropped: DroppedField[] = [];
  for (const field of PII_FIELDS) {
    const value = data[field];
    if (value === undefined) continue;
    const rule = profile.fields[field];
    if (rule === undefined) continue; // the platform does not take it: removed
    // Already hashed, judged on the raw value only; everything else is normalized and hashed.
    const digest = rule.hashed ? preHashed(field, value) : undefined;
    if (digest !== undefined) {
      out[rule.key] = pepper === undefined ? digest : hmacHashedForStorage(digest, pepper);
      continue;
    }
    const result = rule.normalize(value, context);
    const normalized = options.builtIn ? result : checkNormalized(result, field);
    if (!normalized.ok) {
      dropped.push({ field, reason: normalized.reason });
      continue;
    }
    const formatted = rule.format === undefined ? normalized.value : rule.format(normalized.value);
    const wire = options.builtIn ? formatted : checkFormatted(formatted, field);
    out[rule.key] = !rule.hashed
      ? wire
      : pepper === undefined
        ? sha256ForPlatform(wire)
        : hmacForStorage(wire, pepper);
  }
  if (options.keepIp && profile.ipKey !== null && data.ip !== undefined) {
    const ip = clientIp(data.ip);
    if (ip.ok) out[profile.ipKey] = ip.value;
    else dropped.push({ field: 'ip', reason: ip.reason });
  }
  if (profile.userAgentKey !== null && data.userAgent !== undefined) {
    const agent = clientUserAgent(data.userAgent);
    if (agent.ok) out[profile.userAgentKey] = agent.value;
    else dropped.push({ field: 'userAgent', reason: agent.reason });
  }
  const device = profile.deviceId;
  if (options.keepDeviceId && device !== null && data.deviceId !== undefined) {
    const id = deviceId(data.deviceId, device.lowerCase);
    if (!id.ok) dropped.push({ field: 'deviceId', reason: id.reason });
    else out[device.key] = device.hashed ? sha256ForPlatform(id.value) : id.value;
  }
  return { userData: out, dropped };
}
