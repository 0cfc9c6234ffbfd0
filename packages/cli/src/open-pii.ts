// Glue to @coffer/pii: the profiles by name, the pepper for `storage`, the output keys of a
// profile, and the stream hasher.
import {
  type BatchResult,
  google,
  type HashUserDataOptions,
  hashUserDataStream,
  meta,
  type Pepper,
  PII_FIELDS,
  type PlatformProfile,
  pepperFromEnv,
  snap,
  storage,
  tiktok,
  type UserData,
} from '@coffer/pii';
import type { Args, OptionSpecs } from './args.js';
import { configError, usageError } from './cli-error.js';
import { readSecretFile } from './secret-file.js';

/** A field of the user data (`email`, `phone`, …, `ip`, `userAgent`, `deviceId`). */
export type UserDataField = keyof UserData;

/** Every user-data field, PII fields first. */
export const USER_DATA_FIELDS: readonly UserDataField[] = [
  ...PII_FIELDS,
  'ip',
  'userAgent',
  'deviceId',
];

const PROFILES: Readonly<Record<string, PlatformProfile>> = { meta, tiktok, google, snap, storage };

/** The names `--profile` takes. */
export const PROFILE_NAMES: readonly string[] = Object.keys(PROFILES);

/** The environment variable holding the pepper for the storage profile. */
export const PEPPER_VARIABLE = 'COFFER_PII_PEPPER';

/** The `--pepper-file` option. */
export const PEPPER_OPTIONS: OptionSpecs = {
  'pepper-file': {
    type: 'string',
    value: 'file',
    description: `--profile storage: read the pepper from this file (mode 600; the pepper text, or an env file with a ${PEPPER_VARIABLE}= line) instead of ${PEPPER_VARIABLE}.`,
  },
};

/**
 * The profile named `name`.
 *
 * @throws {CliError} `USAGE` (exit 2) for another name.
 */
export function profileByName(name: string): PlatformProfile {
  const profile = Object.hasOwn(PROFILES, name) ? PROFILES[name] : undefined;
  if (profile === undefined) {
    throw usageError(`--profile must be one of ${PROFILE_NAMES.join(', ')}.`, {
      option: 'profile',
    });
  }
  return profile;
}

/**
 * The pepper for `--profile storage`, from `--pepper-file` or `COFFER_PII_PEPPER`.
 *
 * @throws {CliError} `PEPPER_MISSING` or a secret-file error (exit 3).
 * @throws {InvalidPepperError} `INVALID_PEPPER` (exit 3).
 */
export function loadPepper(args: Args, env: Readonly<Record<string, string | undefined>>): Pepper {
  const file = args.string('pepper-file');
  if (file !== undefined) {
    return pepperFromEnv(readSecretFile(file, '--pepper-file', PEPPER_VARIABLE));
  }
  const text = env[PEPPER_VARIABLE];
  if (text === undefined || text.trim() === '') {
    throw configError(
      'PEPPER_MISSING',
      `--profile storage needs a pepper: set ${PEPPER_VARIABLE} or pass --pepper-file <file> (coffer keygen makes one).`,
    );
  }
  return pepperFromEnv(text);
}

/** The output keys for the `fields` present in the input, in the profile's order. */
export function outputKeys(
  profile: PlatformProfile,
  fields: ReadonlySet<UserDataField>,
  options: { keepIp: boolean; keepDeviceId: boolean },
): string[] {
  const keys: string[] = [];
  for (const field of PII_FIELDS) {
    const rule = profile.fields[field];
    if (rule !== undefined && fields.has(field)) keys.push(rule.key);
  }
  if (options.keepIp && profile.ipKey !== null && fields.has('ip')) keys.push(profile.ipKey);
  if (profile.userAgentKey !== null && fields.has('userAgent')) keys.push(profile.userAgentKey);
  if (options.keepDeviceId && profile.deviceId !== null && fields.has('deviceId')) {
    keys.push(profile.deviceId.key);
  }
  return keys;
}

/** The hashed results of `records`, in order, one per record. */
export function hashStream(
  records: AsyncIterable<unknown>,
  options: HashUserDataOptions,
): AsyncGenerator<BatchResult, void, undefined> {
  return hashUserDataStream(records, options);
}
