import { CofferError, fromBase64Url, InvalidInputError } from '@coffer/core';

/**
 * A pepper was malformed: a key under 32 bytes, a bad or repeated version, no current version, or
 * a value that is not a pepper made by {@link createPepper}. Code `INVALID_PEPPER`. Its message
 * never contains a key, a version name read from the environment, or any part of either.
 *
 * @example
 * ```ts
 * import { InvalidPepperError } from '@coffer/pii';
 *
 * new InvalidPepperError('pepper keys must be at least 32 bytes').code; // 'INVALID_PEPPER'
 * ```
 */
export class InvalidPepperError extends CofferError {
  constructor(message: string) {
    super('INVALID_PEPPER', message, { status: 500 });
  }
}

/**
 * A versioned set of HMAC keys for stored PII hashes; see {@link createPepper}. The object holds
 * only the version names: the keys live in a private table inside this package, so printing,
 * logging or serializing a pepper (`util.inspect`, `JSON.stringify`, `String`) shows no key
 * material, and nothing hands a key back out.
 */
export interface Pepper {
  /** The version new hashes are made with. */
  readonly current: string;
  /** Every version held, current first. */
  readonly versions: readonly string[];
}

// Keys by pepper. A WeakMap, not a property: a pepper cannot be forged from a plain object, and
// its keys cannot be read, changed or printed through it.
const KEYS = new WeakMap<Pepper, ReadonlyMap<string, Uint8Array>>();

const VERSION = /^[A-Za-z0-9_-]{1,16}$/;
const MIN_KEY_BYTES = 32;

/** Whether `value` is a pepper made by {@link createPepper} (a look-alike object is not). */
export function isPepper(value: unknown): value is Pepper {
  return typeof value === 'object' && value !== null && KEYS.has(value as Pepper);
}

/**
 * The key of one version (internal: for the hashers only).
 *
 * @throws {InvalidPepperError} `INVALID_PEPPER` when `pepper` is not a pepper or has no such version.
 */
export function pepperKey(pepper: unknown, version: unknown): Uint8Array {
  const keys = isPepper(pepper) ? KEYS.get(pepper) : undefined;
  if (keys === undefined) {
    throw new InvalidPepperError('not a pepper: make one with createPepper or pepperFromEnv');
  }
  const key = typeof version === 'string' ? keys.get(version) : undefined;
  if (key === undefined) {
    throw new InvalidPepperError('the pepper has no key for that version; see pepper.versions');
  }
  return key;
}

/**
 * A versioned pepper: HMAC keys of at least 32 bytes, by version name, and which one is current.
 * The keys are copied (a later change to the caller's bytes, e.g. `buffer.fill(0)`, changes
 * nothing here) and never handed back. Keep the source outside the database (a secret manager, or
 * the coffer vault). To rotate, add a version, make it current, re-hash stored values (old hashes
 * carry their version prefix, so both can be looked up meanwhile), then drop the old version.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` when `options` or `options.keys` is not an object.
 * @throws {InvalidPepperError} `INVALID_PEPPER` for a key that is not a `Uint8Array` of at least 32
 *   bytes, a version name that is not 1-16 letters, digits, `_` or `-`, or a `current` with no key.
 * @example
 * ```ts
 * import { randomBytes } from '@coffer/core';
 * import { createPepper } from '@coffer/pii';
 *
 * const pepper = createPepper({ current: 'v2', keys: { v1: randomBytes(32), v2: randomBytes(32) } });
 * pepper.versions; // ['v2', 'v1']
 * JSON.stringify(pepper); // '{"current":"v2","versions":["v2","v1"]}'
 * ```
 */
export function createPepper(options: {
  current: string;
  keys: Readonly<Record<string, Uint8Array>>;
}): Pepper {
  if (options === null || typeof options !== 'object') {
    throw new InvalidInputError('createPepper needs { current, keys }');
  }
  const source: unknown = options.keys;
  if (source === null || typeof source !== 'object') {
    throw new InvalidInputError('createPepper needs keys: an object of version name → key bytes');
  }
  const keys = new Map<string, Uint8Array>();
  for (const [version, key] of Object.entries(source)) {
    if (!VERSION.test(version)) {
      throw new InvalidPepperError(
        'pepper versions must be 1-16 characters of letters, digits, _ or -',
      );
    }
    if (!(key instanceof Uint8Array) || key.length < MIN_KEY_BYTES) {
      throw new InvalidPepperError('pepper keys must be Uint8Arrays of at least 32 random bytes');
    }
    // A copy, not a view: `Buffer#slice` (and `subarray`) would share the caller's memory.
    keys.set(version, new Uint8Array(key));
  }
  const current: unknown = options.current;
  if (typeof current !== 'string' || !keys.has(current)) {
    throw new InvalidPepperError('the current pepper version has no key; add it to keys');
  }
  const versions = Object.freeze([current, ...[...keys.keys()].filter((v) => v !== current)]);
  const pepper: Pepper = Object.freeze({ current, versions });
  KEYS.set(pepper, keys);
  return pepper;
}

/**
 * Reads a pepper from an environment string `"*v2:<base64url>,v1:<base64url>"` (the `*` marks the
 * current version), the same shape as coffer's master keys. Exactly one entry is marked current;
 * each version appears once. Errors name the entry by its position, never by its text.
 *
 * @throws {InvalidPepperError} `INVALID_PEPPER` (status 500: the server is misconfigured) when the
 *   string is unset or malformed: an entry without `:`, a bad version name, text that is not
 *   base64url, a key under 32 bytes (the message says how to generate one), a repeated version, no
 *   `*` or more than one.
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
  const keys = new Map<string, Uint8Array>();
  let current: string | undefined;
  const parts = value.split(',');
  for (let i = 0; i < parts.length; i++) {
    // Messages say which entry (by position) and what rule: never any of the entry's text, which
    // may be a key written in the wrong place.
    const entry = (parts[i] ?? '').trim();
    const at = `pepper entry ${i + 1} of ${parts.length}`;
    const star = entry.startsWith('*');
    const colon = entry.indexOf(':');
    if (colon < 0) {
      throw new InvalidPepperError(`${at} must look like v1:<base64url> (*v1:… for the current)`);
    }
    const version = entry.slice(star ? 1 : 0, colon);
    if (!VERSION.test(version)) {
      throw new InvalidPepperError(
        `${at} has a bad version name: 1-16 letters, digits, _ or - before the ":"`,
      );
    }
    if (keys.has(version)) throw new InvalidPepperError(`${at} repeats a version`);
    if (star && current !== undefined) {
      throw new InvalidPepperError(`${at} is a second current version (*); mark exactly one`);
    }
    let key: Uint8Array;
    try {
      key = fromBase64Url(entry.slice(colon + 1));
    } catch {
      throw new InvalidPepperError(`${at} is not valid base64url`);
    }
    if (key.length < MIN_KEY_BYTES) {
      // The configuration text is wrong, not a caller's bytes: say which entry, what it needs and
      // how to make one (never the key, nor its length).
      throw new InvalidPepperError(
        `${at} has a key of fewer than ${MIN_KEY_BYTES} bytes: the pepper setting (the text given ` +
          'to pepperFromEnv, e.g. an environment variable) is misconfigured. Give every version ' +
          `a key of at least ${MIN_KEY_BYTES} random bytes in base64url, such as the output of ` +
          `node -e "console.log(require('node:crypto').randomBytes(32).toString('base64url'))"`,
      );
    }
    keys.set(version, key);
    if (star) current = version;
  }
  if (current === undefined) {
    throw new InvalidPepperError('no pepper entry is marked current: put * before one version');
  }
  return createPepper({ current, keys: Object.fromEntries(keys) });
}
