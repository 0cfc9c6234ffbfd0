import { CofferError, fromBase64Url, InvalidInputError } from '@coffer/core';

/**
 * A pepper was malformed: fewer than 32 bytes, a bad version name, or no key for the current
 * version. Code `INVALID_PEPPER`.
 *
 * @example
 * ```ts
 * import { InvalidPepperError } from '@coffer/pii';
 *
 * new InvalidPepperError('pepper v1 must be at least 32 bytes').code; // 'INVALID_PEPPER'
 * ```
 */
export class InvalidPepperError extends CofferError {
  constructor(message: string) {
    super('INVALID_PEPPER', message, { status: 500 });
  }
}

/** A versioned set of HMAC keys for stored PII hashes; see {@link createPepper}. */
export interface Pepper {
  /** The version new hashes are made with. */
  readonly current: string;
  /** Every version held, current first. */
  readonly versions: readonly string[];
  /**
   * The key of one version.
   * @throws {InvalidPepperError} `INVALID_PEPPER` for an unknown version.
   */
  key(version: string): Uint8Array;
}

const VERSION = /^[A-Za-z0-9_-]{1,16}$/;

/**
 * A versioned pepper: HMAC keys of at least 32 bytes, by version name, and which one is current.
 * Keep it outside the database (a secret manager, or the coffer vault). To rotate, add a version,
 * make it current, re-hash stored values (old hashes carry their version prefix, so both can be
 * looked up meanwhile), then drop the old version.
 *
 * @throws {InvalidPepperError} `INVALID_PEPPER` for a key under 32 bytes, a bad version name, or a
 *   `current` with no key.
 * @example
 * ```ts
 * import { randomBytes } from '@coffer/core';
 * import { createPepper } from '@coffer/pii';
 *
 * const pepper = createPepper({ current: 'v2', keys: { v1: randomBytes(32), v2: randomBytes(32) } });
 * pepper.versions; // ['v2', 'v1']
 * ```
 */
export function createPepper(options: {
  current: string;
  keys: Readonly<Record<string, Uint8Array>>;
}): Pepper {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('createPepper needs { current, keys }');
  }
  const keys = new Map<string, Uint8Array>();
  for (const [version, key] of Object.entries(options.keys ?? {})) {
    if (!VERSION.test(version)) {
      throw new InvalidPepperError(
        'pepper versions must be 1-16 characters of letters, digits, _ or -',
      );
    }
    if (!(key instanceof Uint8Array) || key.length < 32) {
      throw new InvalidPepperError(
        `pepper ${version} must be a Uint8Array of at least 32 random bytes`,
      );
    }
    keys.set(version, key.slice());
  }
  const current = options.current;
  if (typeof current !== 'string' || !keys.has(current)) {
    throw new InvalidPepperError('the current pepper version has no key; add it to keys');
  }
  const versions = [current, ...[...keys.keys()].filter((v) => v !== current)];
  return {
    current,
    versions,
    key(version) {
      const key = keys.get(version);
      if (key === undefined)
        throw new InvalidPepperError(
          `no pepper key for version ${JSON.stringify(version).slice(0, 40)}`,
        );
      return key;
    },
  };
}

/**
 * Reads a pepper from an environment string `"*v2:<base64url>,v1:<base64url>"` (the `*` marks the
 * current version), the same shape as coffer's master keys.
 *
 * @throws {InvalidPepperError} `INVALID_PEPPER` when the string is malformed or names no current key.
 * @example
 * ```ts
 * import { pepperFromEnv } from '@coffer/pii';
 *
 * const pepper = pepperFromEnv(`*v1:${'A'.repeat(43)}`);
 * pepper.current; // 'v1'
 * ```
 */
export function pepperFromEnv(value: string | undefined): Pepper {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidPepperError(
      'the pepper is not set; set it to "*v1:<base64url of 32+ random bytes>"',
    );
  }
  const keys: Record<string, Uint8Array> = {};
  let current: string | undefined;
  for (const part of value.split(',')) {
    const entry = part.trim();
    const star = entry.startsWith('*');
    const colon = entry.indexOf(':');
    if (colon < 0) throw new InvalidPepperError('each pepper entry must look like v1:<base64url>');
    const version = entry.slice(star ? 1 : 0, colon);
    let key: Uint8Array;
    try {
      key = fromBase64Url(entry.slice(colon + 1));
    } catch {
      throw new InvalidPepperError(`pepper ${version.slice(0, 16)} is not valid base64url`);
    }
    keys[version] = key;
    if (star) current = version;
  }
  return createPepper({ current: current ?? '', keys });
}
