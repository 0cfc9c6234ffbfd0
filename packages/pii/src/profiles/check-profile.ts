// The shape of a platform profile, checked where it enters (options.profile): a custom or malformed
// profile is refused with INVALID_INPUT naming the bad part, before it can send a value in clear
// under an undefined key or crash on a missing rule.
import { InvalidInputError } from '@coffer/core';
import type { InvalidReason, Normalized } from '../normalized.js';
import { PII_FIELDS, type PiiField } from '../pii-fields.js';
import { type DeviceIdRule, type FieldRule, KEYED, type PlatformProfile } from './profile.js';

/** The package's own profiles (each mapped to itself): deeply frozen, so checked once, when made. */
const BUILT_IN = new WeakMap<object, PlatformProfile>();

/** Freezes one of the package's profiles (and its tables) and marks it as already checked. */
export function builtIn(profile: PlatformProfile): PlatformProfile {
  const checked = checkProfile(profile).profile;
  for (const rule of Object.values(checked.fields)) Object.freeze(rule);
  Object.freeze(checked.fields);
  if (checked.deviceId !== null) Object.freeze(checked.deviceId);
  Object.freeze(checked.sources);
  Object.freeze(checked);
  BUILT_IN.set(checked, checked);
  return checked;
}

/** A profile after {@link checkProfile}: a snapshot safe to use for the whole call. */
export interface CheckedProfile {
  readonly profile: PlatformProfile;
  /** False for a custom profile: the results of its functions are checked as they come. */
  readonly builtIn: boolean;
}

// A parameter name: what a platform API or a database column could take, and never "__proto__",
// which would silently drop the value from a plain object.
const KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const FIELDS: ReadonlySet<string> = new Set(PII_FIELDS);
const REASONS: ReadonlySet<string> = new Set<InvalidReason>([
  'not_a_string',
  'empty',
  'too_long',
  'invalid_format',
]);

const bad = (part: string, should: string): InvalidInputError =>
  new InvalidInputError(`options.profile${part} ${should}`);

function isObject(value: unknown): value is Record<string | symbol, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function key(value: unknown, part: string): string {
  if (typeof value !== 'string' || !KEY.test(value) || value === '__proto__') {
    throw bad(part, 'must be a parameter name (letters, digits, _; at most 64)');
  }
  return value;
}

function keyOrNull(value: unknown, part: string): string | null {
  return value === null ? null : key(value, part);
}

function rule(value: unknown, part: string): FieldRule {
  if (!isObject(value)) throw bad(part, 'must be a field rule { key, hashed, normalize, rule }');
  const { hashed, normalize, format, rule: text } = value;
  if (typeof hashed !== 'boolean') throw bad(`${part}.hashed`, 'must be true or false');
  if (typeof normalize !== 'function') throw bad(`${part}.normalize`, 'must be a function');
  if (format !== undefined && typeof format !== 'function') {
    throw bad(`${part}.format`, 'must be a function when present');
  }
  if (typeof text !== 'string') throw bad(`${part}.rule`, 'must be a string');
  return {
    key: key(value.key, `${part}.key`),
    hashed,
    normalize: normalize as FieldRule['normalize'],
    ...(format === undefined ? {} : { format: format as NonNullable<FieldRule['format']> }),
    rule: text,
  };
}

function deviceIdRule(value: unknown): DeviceIdRule | null {
  if (value === null) return null;
  if (!isObject(value)) throw bad('.deviceId', 'must be null or { key, hashed, lowerCase }');
  const { hashed, lowerCase } = value;
  if (typeof hashed !== 'boolean') throw bad('.deviceId.hashed', 'must be true or false');
  if (typeof lowerCase !== 'boolean') throw bad('.deviceId.lowerCase', 'must be true or false');
  return { key: key(value.key, '.deviceId.key'), hashed, lowerCase };
}

/**
 * Checks `value` as a {@link PlatformProfile} and returns a snapshot of it (each property read
 * once, so a getter cannot change the profile between the check and its use); the package's own
 * profiles are returned as they are.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` naming the first bad part: not an object, a field
 *   that is not a PII field, a rule without `normalize`, a key that is not a parameter name, two
 *   outputs under one key, `ipKey`/`userAgentKey`/`deviceId` missing, or a keyed (storage) profile
 *   that would keep anything in clear.
 */
export function checkProfile(value: unknown): CheckedProfile {
  if (!isObject(value)) throw bad('', 'is required, e.g. { profile: meta }');
  const own = BUILT_IN.get(value);
  if (own !== undefined) return { profile: own, builtIn: true };
  const { name, fields, sources } = value;
  if (typeof name !== 'string') throw bad('.name', 'must be a string');
  if (!isObject(fields)) throw bad('.fields', 'must be an object of field rules');
  const checked: Partial<Record<PiiField, FieldRule>> = {};
  for (const field of Object.keys(fields)) {
    if (!FIELDS.has(field)) throw bad('.fields', `has an unknown field; use one of ${PII_FIELDS}`);
    checked[field as PiiField] = rule(fields[field], `.fields.${field}`);
  }
  const ipKey = keyOrNull(value.ipKey, '.ipKey');
  const userAgentKey = keyOrNull(value.userAgentKey, '.userAgentKey');
  const deviceId = deviceIdRule(value.deviceId);
  if (!Array.isArray(sources) || !sources.every((s) => typeof s === 'string')) {
    throw bad('.sources', 'must be an array of strings');
  }
  const keys = [...Object.values(checked).map((r) => r.key), ipKey, userAgentKey, deviceId?.key];
  const named = keys.filter((k): k is string => typeof k === 'string');
  if (new Set(named).size !== named.length) throw bad('', 'puts two outputs under one key');
  const keyed = value[KEYED] === true;
  if (
    keyed &&
    (Object.values(checked).some((r) => !r.hashed) ||
      ipKey !== null ||
      userAgentKey !== null ||
      deviceId !== null)
  ) {
    throw bad(
      '',
      'is keyed (storage): every field must be hashed, and no IP, user agent or device id',
    );
  }
  const profile: PlatformProfile = {
    name,
    fields: checked,
    ipKey,
    userAgentKey,
    deviceId,
    sources: [...(sources as string[])],
    ...(keyed ? { [KEYED]: true as const } : {}),
  };
  return { profile, builtIn: false };
}

/**
 * A custom rule's `normalize` result, checked: `{ ok: true, value: string }` or `{ ok: false,
 * reason }` with a known reason.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` naming the field when it is anything else.
 */
export function checkNormalized(result: unknown, field: PiiField): Normalized {
  if (isObject(result)) {
    if (result.ok === true && typeof result.value === 'string') return result as Normalized;
    if (result.ok === false && typeof result.reason === 'string' && REASONS.has(result.reason)) {
      return result as Normalized;
    }
  }
  throw bad(
    `.fields.${field}.normalize`,
    'must return { ok: true, value } or { ok: false, reason }',
  );
}

/**
 * A custom rule's `format` result, checked to be a string.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` naming the field when it is not.
 */
export function checkFormatted(result: unknown, field: PiiField): string {
  if (typeof result === 'string') return result;
  throw bad(`.fields.${field}.format`, 'must return a string');
}
