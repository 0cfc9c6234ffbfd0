import { CofferError, InvalidInputError } from '@coffer/core';
import { hmacForStorage, isSha256Hex, sha256ForPlatform } from './hash.js';
import { normalizeCountry } from './normalize-fields.js';
import type { InvalidReason } from './normalized.js';
import { isPepper, type Pepper } from './pepper.js';
import { PII_FIELDS, type PiiField } from './pii-fields.js';
import type { FieldContext, PlatformProfile } from './profiles/profile.js';
import { type UserData, userDataSchema } from './user-data-schema.js';

/** Options of {@link hashUserData}. */
export interface HashUserDataOptions {
  /** The platform whose rules apply: `meta`, `tiktok`, `google`, `snap`, or `storage`. */
  profile: PlatformProfile;
  /**
   * Country (ISO 3166-1 alpha-2, any case, e.g. `'US'`) for records without one: supplies a
   * phone's calling code. Anything else is refused with `INVALID_INPUT`.
   */
  defaultCountry?: string;
  /** Keep the client IP (default false: dropped; a platform that takes it gets it in clear). */
  keepIp?: boolean;
  /** Keep the mobile advertising id (default false). */
  keepDeviceId?: boolean;
  /**
   * For the `storage` profile: HMAC-SHA-256 under this pepper instead of plain SHA-256. Required
   * there; not allowed with a platform profile (platforms need plain SHA-256 to match).
   */
  pepper?: Pepper;
}

/** A field left out of the result, and why. Never contains the value. */
export interface DroppedField {
  readonly field: PiiField;
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
 * new InvalidUserDataError([{ path: 'email', code: 'invalid_type' }]).details; // { issues: [...] }
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
 * the platform takes it in clear, normalized only; values already hashed (64 hex) pass through
 * lower-cased. The IP and device id are removed unless kept; fields the profile does not take are
 * removed. Nothing of the input survives in clear except what the platform requires in clear
 * (Google's address fields, the user agent, a kept IP). Invalid fields are dropped and reported.
 *
 * @throws {InvalidUserDataError} `INVALID_USER_DATA` when `record` is not an object of strings.
 * @throws {InvalidInputError} `INVALID_INPUT` for bad options (no profile; a pepper missing for
 *   `storage` or given to a platform profile; a `defaultCountry` that is not an ISO alpha-2 code).
 * @example
 * ```ts
 * import { hashUserData, meta } from '@coffer/pii';
 *
 * const { userData, dropped } = hashUserData(
 *   { email: ' Joe@Example.com ', phone: '(650) 555-1234', country: 'US', ip: '203.0.113.9' },
 *   { profile: meta },
 * );
 * userData.em; // sha256('joe@example.com')
 * userData.ph; // sha256('16505551234')
 * 'client_ip_address' in userData; // false: the IP was dropped
 * dropped; // []
 * ```
 */
export function hashUserData(record: unknown, options: HashUserDataOptions): HashedUserData {
  const profile = options?.profile;
  if (profile === undefined || profile === null || typeof profile.fields !== 'object') {
    throw new InvalidInputError('options.profile is required, e.g. { profile: meta }');
  }
  const storage = profile.name === 'storage';
  if (storage && !isPepper(options.pepper)) {
    throw new InvalidInputError(
      'the storage profile needs options.pepper from createPepper or pepperFromEnv: plain SHA-256 of PII is reversible',
    );
  }
  if (!storage && options.pepper !== undefined) {
    throw new InvalidInputError(
      'a pepper only applies to the storage profile: platforms match plain SHA-256',
    );
  }
  if (
    options.defaultCountry !== undefined &&
    (typeof options.defaultCountry !== 'string' || !normalizeCountry(options.defaultCountry).ok)
  ) {
    throw new InvalidInputError(
      'options.defaultCountry must be an ISO 3166-1 alpha-2 country code such as "US"',
    );
  }
  const fast = readUserData(record);
  if (fast !== undefined) return hashParsed(fast, profile, options);
  // Not an object of optional strings: zod names what is wrong (paths and codes, never values).
  const parsed = userDataSchema.safeParse(record);
  if (!parsed.success) {
    throw new InvalidUserDataError(
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), code: issue.code })),
    );
  }
  return hashParsed(parsed.data, profile, options);
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
  const own = data.country === undefined ? undefined : normalizeCountry(data.country);
  if (own?.ok === true) return own.value;
  if (fallback === undefined) return undefined;
  const normalized = normalizeCountry(fallback);
  return normalized.ok ? normalized.value : undefined;
}

function hashParsed(
  data: UserData,
  profile: PlatformProfile,
  options: HashUserDataOptions,
): HashedUserData {
  const context: FieldContext = { country: countryOf(data, options.defaultCountry) };
  const out: Record<string, string> = {};
  const dropped: DroppedField[] = [];
  const pepper = options.pepper;
  for (const field of PII_FIELDS) {
    const value = data[field];
    if (value === undefined) continue;
    const rule = profile.fields[field];
    if (rule === undefined) continue; // the platform does not take it: removed
    if (rule.hashed && isSha256Hex(value)) {
      out[rule.key] =
        pepper === undefined ? sha256ForPlatform(value) : hmacForStorage(value, pepper);
      continue;
    }
    const normalized = rule.normalize(value, context);
    if (!normalized.ok) {
      dropped.push({ field, reason: normalized.reason });
      continue;
    }
    const wire = rule.format === undefined ? normalized.value : rule.format(normalized.value);
    out[rule.key] = !rule.hashed
      ? wire
      : pepper === undefined
        ? sha256ForPlatform(wire)
        : hmacForStorage(wire, pepper);
  }
  if (options.keepIp === true && profile.ipKey !== null && data.ip !== undefined) {
    const ip = data.ip.trim();
    if (ip.length > 0 && ip.length <= 64) out[profile.ipKey] = ip;
  }
  if (profile.userAgentKey !== null && data.userAgent !== undefined) {
    const agent = data.userAgent.trim();
    if (agent.length > 0 && agent.length <= 1024) out[profile.userAgentKey] = agent;
  }
  if (options.keepDeviceId === true && profile.deviceId !== null && data.deviceId !== undefined) {
    const id = data.deviceId.trim();
    if (id.length > 0 && id.length <= 128) {
      out[profile.deviceId.key] = profile.deviceId.hashed
        ? sha256ForPlatform(id.toLowerCase())
        : id;
    }
  }
  return { userData: out, dropped };
}
