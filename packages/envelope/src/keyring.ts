// The keyring: versioned key-encryption keys in memory, one primary, loaded from env text or code.
import {
  constantTimeEqual,
  fromBase64Url,
  InvalidInputError,
  Redacted,
  toBase64Url,
} from '@coffer/core';
import { isPublishedKey } from './_published-keys.js';
import { InvalidKeyringError } from './errors.js';
import type { KeyStatus } from './key-provider.js';

/**
 * Status of a key in a {@link Keyring}: seal with `primary`, open with `primary`/`active`,
 * refuse `retired`. In env text: `*` marks primary, `!` retired, no marker active.
 *
 * @example
 * ```ts
 * import type { KekStatus } from '@coffer/envelope';
 *
 * const status: KekStatus = 'retired';
 * ```
 */
export type KekStatus = 'primary' | 'active' | 'retired';

/**
 * One key given to {@link Keyring.fromKeys}.
 *
 * @example
 * ```ts
 * import { generateKek, type KekInput } from '@coffer/envelope';
 *
 * const input: KekInput = { id: 3, key: generateKek(), status: 'primary' };
 * ```
 */
export interface KekInput {
  /** Key id: a non-negative integer, or 1-32 characters of `A-Z a-z 0-9 . _ -` starting with a letter or digit. */
  id: string | number;
  /** The 32-byte key-encryption key. */
  key: Uint8Array | Redacted<Uint8Array>;
  /** Defaults to `active`. Exactly one key must be `primary`. */
  status?: KekStatus;
}

/**
 * What a {@link Keyring} tells about one key: never key material.
 *
 * @example
 * ```ts
 * import { generateKek, type KekInfo, Keyring } from '@coffer/envelope';
 *
 * const infos: KekInfo[] = Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]).list();
 * infos; // [{ id: '1', status: 'primary' }]
 * ```
 */
export interface KekInfo {
  id: string;
  status: KekStatus;
}

interface Entry {
  readonly key: Uint8Array;
  readonly status: KekStatus;
}

const KEY_LENGTH = 32;
const MAX_KEYS = 64;
const MAX_ENV_LENGTH = 64 * 1024;
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const MARKERS: Readonly<Record<KekStatus, string>> = { primary: '*', active: '', retired: '!' };
const ID_RULE =
  'a key id must be a non-negative integer or 1-32 characters of A-Z a-z 0-9 . _ - starting with a letter or digit';

let readEntry: (keyring: Keyring, kekId: string) => Entry | undefined;
let construct: (entries: ReadonlyMap<string, Entry>, primaryKekId: string) => Keyring;

/** @internal Normalizes and validates a key id; returns undefined when invalid. */
export function normalizeKekId(id: unknown): string | undefined {
  if (typeof id === 'number') {
    return Number.isSafeInteger(id) && id >= 0 && !Object.is(id, -0) ? String(id) : undefined;
  }
  return typeof id === 'string' && ID_PATTERN.test(id) ? id : undefined;
}

function isKekStatus(value: unknown): value is KekStatus {
  return value === 'primary' || value === 'active' || value === 'retired';
}

function build(list: ReadonlyArray<{ id: string; key: Uint8Array; status: KekStatus }>): Keyring {
  if (list.length === 0) {
    throw new InvalidKeyringError(
      'The keyring is empty: give at least one 32-byte key, marked primary (e.g. COFFER_MASTER_KEYS="*1:<key>").',
    );
  }
  if (list.length > MAX_KEYS) {
    throw new InvalidKeyringError(
      `The keyring has ${list.length} keys; at most ${MAX_KEYS} are allowed.`,
      {
        keys: list.length,
      },
    );
  }
  const entries = new Map<string, Entry>();
  const primaries: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const item = list[i] as { id: string; key: Uint8Array; status: KekStatus };
    if (entries.has(item.id)) {
      throw new InvalidKeyringError(
        `Key id "${item.id}" appears more than once; every key needs its own id.`,
        { entry: i + 1, kekId: item.id },
      );
    }
    if (isPublishedKey(item.key)) {
      throw new InvalidKeyringError(
        `Key "${item.id}" is a placeholder: all zero bytes, or a key printed in coffer's own documentation or examples, which anyone can read. Generate a real key with generateKek() and formatKekEntry().`,
        { entry: i + 1, kekId: item.id },
      );
    }
    for (const [otherId, other] of entries) {
      if (constantTimeEqual(other.key, item.key)) {
        throw new InvalidKeyringError(
          `Keys "${otherId}" and "${item.id}" are the same key; each id must have its own key.`,
          { entry: i + 1, kekId: item.id },
        );
      }
    }
    if (item.status === 'primary') primaries.push(item.id);
    entries.set(item.id, { key: item.key, status: item.status });
  }
  if (primaries.length !== 1) {
    throw new InvalidKeyringError(
      primaries.length === 0
        ? 'No key is marked primary: mark the key to seal with, e.g. "*2:<key>" in env text or status: "primary".'
        : `${primaries.length} keys are marked primary (${primaries.join(', ')}); exactly one may be.`,
      { primaries: primaries.length },
    );
  }
  return construct(entries, primaries[0] as string);
}

/** `options.variable`, checked: an environment variable name, or undefined. */
function envVariableName(options: unknown): string | undefined {
  if (options === undefined) return undefined;
  const variable =
    typeof options === 'object' && options !== null
      ? (options as { variable?: unknown }).variable
      : null;
  if (variable === undefined) return undefined;
  if (typeof variable !== 'string' || !ENV_NAME.test(variable)) {
    throw new InvalidInputError(
      'options.variable must be the name of an environment variable, e.g. "COFFER_MASTER_KEYS"',
      { details: { parameter: 'variable' } },
    );
  }
  return variable;
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function parseEnvEntry(
  raw: string,
  position: number,
  source: string,
): { id: string; key: Uint8Array; status: KekStatus } {
  const entry = raw.trim();
  const where = `Entry ${position} of ${source}`;
  if (entry.length === 0) {
    throw new InvalidKeyringError(`${where} is empty (a stray comma?).`, { entry: position });
  }
  let status: KekStatus = 'active';
  let rest = entry;
  if (entry.startsWith('*')) {
    status = 'primary';
    rest = entry.slice(1);
  } else if (entry.startsWith('!')) {
    status = 'retired';
    rest = entry.slice(1);
  }
  const colon = rest.indexOf(':');
  if (colon < 0) {
    throw new InvalidKeyringError(
      `${where} must look like <id>:<key>, optionally marked "*" (primary) or "!" (retired), e.g. "*2:<base64url key>".`,
      { entry: position },
    );
  }
  const id = normalizeKekId(rest.slice(0, colon));
  if (id === undefined) {
    throw new InvalidKeyringError(`${where} has an invalid id: ${ID_RULE}.`, { entry: position });
  }
  const keyText = rest.slice(colon + 1);
  let key: Uint8Array | undefined;
  if (keyText.length === 43) {
    try {
      key = fromBase64Url(keyText);
    } catch {
      key = undefined;
    }
  }
  if (key === undefined || key.length !== KEY_LENGTH) {
    throw new InvalidKeyringError(
      `${where} (id "${id}") does not hold a key: a key is 32 bytes written as 43 characters of unpadded base64url (A-Z a-z 0-9 - _). Generate one with generateKek() and formatKekEntry().`,
      { entry: position, kekId: id },
    );
  }
  return { id, key, status };
}

/**
 * Versioned key-encryption keys (KEKs) held in memory: exactly one `primary` (new values are
 * sealed under it), any number of `active` keys (still open values and can be rewrapped from) and
 * `retired` keys (refused with `RETIRED_KEK`). It never prints key material: `String`,
 * `JSON.stringify` and `util.inspect` show ids and statuses only.
 *
 * Give it to {@link createLocalKeyProvider}.
 *
 * @example
 * ```ts
 * import { Keyring } from '@coffer/envelope';
 *
 * // COFFER_MASTER_KEYS="*2:<base64url key>,1:<base64url key>", from your secret manager.
 * const keyring = Keyring.fromEnv(process.env.COFFER_MASTER_KEYS, { variable: 'COFFER_MASTER_KEYS' });
 * keyring.primaryKekId; // '2'
 * keyring.list(); // [{ id: '2', status: 'primary' }, { id: '1', status: 'active' }]
 * ```
 */
export class Keyring {
  readonly #entries: ReadonlyMap<string, Entry>;
  /** Id of the primary key, the one new values are sealed under. */
  readonly primaryKekId: string;

  private constructor(entries: ReadonlyMap<string, Entry>, primaryKekId: string) {
    this.#entries = entries;
    this.primaryKekId = primaryKekId;
    Object.freeze(this);
  }

  static {
    readEntry = (keyring, kekId) => keyring.#entries.get(kekId);
    construct = (entries, primaryKekId) => new Keyring(entries, primaryKekId);
    Object.defineProperty(Keyring.prototype, Symbol.for('nodejs.util.inspect.custom'), {
      value(this: Keyring): string {
        return this.toString();
      },
      enumerable: false,
    });
  }

  /**
   * Parses keyring env text such as the value of `COFFER_MASTER_KEYS`: comma-separated entries
   * `<id>:<key>`, the key 32 bytes as unpadded base64url (43 characters), the primary marked `*`
   * and retired keys marked `!`. Whitespace around entries is ignored. Errors name the entry by
   * position and never contain key text.
   *
   * Pass `process.env.X` as it is (`string | undefined`) and the variable's name as
   * `options.variable`: an unset variable is then reported as "COFFER_MASTER_KEYS is not set"
   * rather than as malformed text (never convert it with `String()`, which turns an unset variable
   * into the text `"undefined"`).
   *
   * @param text e.g. `"*2:<base64url>,1:<base64url>,!0:<base64url>"`, or `undefined` when the
   *   variable is not set.
   * @param options `variable`: the name of the environment variable the text came from, used in
   *   error messages (a name only, never its value).
   * @throws {InvalidKeyringError} `INVALID_KEYRING` when the text is missing (`undefined`), not a
   *   string, empty, has a malformed entry, a key that is not 32 canonical base64url bytes, a
   *   placeholder key (all zero, or printed in coffer's docs), a duplicate id or key, or not
   *   exactly one primary.
   * @throws {InvalidInputError} `INVALID_INPUT` when `options.variable` is not an environment
   *   variable name.
   * @example
   * ```ts
   * import { Keyring } from '@coffer/envelope';
   *
   * // COFFER_MASTER_KEYS="*2:<base64url key>,1:<base64url key>", from your secret manager.
   * const keyring = Keyring.fromEnv(process.env.COFFER_MASTER_KEYS, { variable: 'COFFER_MASTER_KEYS' });
   * keyring.primaryKekId; // '2'
   *
   * Keyring.fromEnv(undefined, { variable: 'COFFER_MASTER_KEYS' });
   * // throws INVALID_KEYRING: 'COFFER_MASTER_KEYS is not set. …'
   * ```
   */
  static fromEnv(text: string | undefined, options: { variable?: string } = {}): Keyring {
    const variable = envVariableName(options);
    const source = variable ?? 'the keyring text';
    const which = variable ?? 'the environment variable (e.g. COFFER_MASTER_KEYS)';
    const example =
      'e.g. "*1:<base64url key>" (make one with formatKekEntry({ id: 1, status: \'primary\' }))';
    if (text === undefined) {
      throw new InvalidKeyringError(
        variable === undefined
          ? `The keyring text is undefined: is the environment variable (e.g. COFFER_MASTER_KEYS) set? Pass its name as Keyring.fromEnv(text, { variable: 'COFFER_MASTER_KEYS' }) to name it in errors.`
          : `${variable} is not set. Set it to the keyring text, ${example}, from your secret manager.`,
        variable === undefined ? undefined : { variable },
      );
    }
    if (typeof text !== 'string') {
      throw new InvalidKeyringError(
        `Keyring text must be a string; is ${which} set? Pass process.env values as they are, without String().`,
      );
    }
    if (text.length > MAX_ENV_LENGTH) {
      throw new InvalidKeyringError(`${cap(source)} is longer than ${MAX_ENV_LENGTH} characters.`);
    }
    if (text.trim().length === 0) {
      throw new InvalidKeyringError(
        `${cap(source)} is empty; is ${which} set? Expected ${example}.`,
      );
    }
    if (text.trim() === 'undefined' || text.trim() === 'null') {
      throw new InvalidKeyringError(
        `${cap(source)} is the text "${text.trim()}": an unset variable converted with String()? Pass process.env values as they are; expected ${example}.`,
      );
    }
    const parts = text.split(',');
    if (parts.length > MAX_KEYS) {
      throw new InvalidKeyringError(
        `${cap(source)} has ${parts.length} entries; at most ${MAX_KEYS} are allowed.`,
      );
    }
    return build(parts.map((part, i) => parseEnvEntry(part, i + 1, source)));
  }

  /**
   * Builds a keyring from keys held in code (from a secret manager, tests). Keys are copied.
   *
   * @throws {InvalidKeyringError} `INVALID_KEYRING` when the list is empty or too long, an id is
   *   invalid or repeated, a key is not 32 bytes (or is all zero, or repeated), a status is unknown,
   *   or not exactly one key is primary.
   * @example
   * ```ts
   * import { generateKek, Keyring } from '@coffer/envelope';
   *
   * const keyring = Keyring.fromKeys([
   *   { id: 2, key: generateKek(), status: 'primary' },
   *   { id: 1, key: generateKek() },
   * ]);
   * keyring.status('1'); // 'active'
   * ```
   */
  static fromKeys(keys: ReadonlyArray<KekInput>): Keyring {
    if (!Array.isArray(keys)) {
      throw new InvalidKeyringError('fromKeys expects an array of { id, key, status? }.');
    }
    if (keys.length > MAX_KEYS) {
      throw new InvalidKeyringError(
        `The keyring has ${keys.length} keys; at most ${MAX_KEYS} are allowed.`,
      );
    }
    const list = keys.map((item: unknown, i) => {
      const position = i + 1;
      if (typeof item !== 'object' || item === null) {
        throw new InvalidKeyringError(`Key ${position} must be an object { id, key, status? }.`, {
          entry: position,
        });
      }
      const { id: rawId, key: rawKey, status: rawStatus } = item as Record<string, unknown>;
      const id = normalizeKekId(rawId);
      if (id === undefined) {
        throw new InvalidKeyringError(`Key ${position} has an invalid id: ${ID_RULE}.`, {
          entry: position,
        });
      }
      const status = rawStatus ?? 'active';
      if (!isKekStatus(status)) {
        throw new InvalidKeyringError(
          `Key "${id}" has an unknown status; use "primary", "active" or "retired".`,
          { entry: position, kekId: id },
        );
      }
      const key = Redacted.isRedacted(rawKey) ? rawKey.expose() : rawKey;
      if (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH) {
        throw new InvalidKeyringError(
          `Key "${id}" must be a 32-byte Uint8Array (or a Redacted one); generate one with generateKek().`,
          { entry: position, kekId: id },
        );
      }
      // A copy with its own memory: `slice()` on a Node Buffer would share the caller's bytes.
      const copy = new Uint8Array(KEY_LENGTH);
      copy.set(key);
      return { id, key: copy, status };
    });
    return build(list);
  }

  /**
   * Status of a key id: `primary`, `active`, `retired`, or `unknown` when the keyring lacks it.
   *
   * @example
   * ```ts
   * import { generateKek, Keyring } from '@coffer/envelope';
   *
   * const keyring = Keyring.fromKeys([{ id: 'k1', key: generateKek(), status: 'primary' }]);
   * keyring.status('k1'); // 'primary'
   * keyring.status('k9'); // 'unknown'
   * ```
   */
  status(kekId: string): KeyStatus {
    return this.#entries.get(kekId)?.status ?? 'unknown';
  }

  /**
   * Ids and statuses of every key, in configuration order. No key material.
   *
   * @example
   * ```ts
   * import { generateKek, Keyring } from '@coffer/envelope';
   *
   * Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]).list(); // [{ id: '1', status: 'primary' }]
   * ```
   */
  list(): KekInfo[] {
    return [...this.#entries].map(([id, entry]) => ({ id, status: entry.status }));
  }

  /**
   * The keyring as env text (`*2:<key>,1:<key>`), wrapped in `Redacted` because it holds the keys.
   *
   * @example
   * ```ts
   * import { formatKekEntry, Keyring } from '@coffer/envelope';
   *
   * const text = formatKekEntry({ id: 1, status: 'primary' }).expose();
   * Keyring.fromEnv(text).toEnv().expose() === text; // true
   * ```
   */
  toEnv(): Redacted<string> {
    return new Redacted(
      [...this.#entries]
        .map(([id, entry]) => `${MARKERS[entry.status]}${id}:${toBase64Url(entry.key)}`)
        .join(','),
    );
  }

  /**
   * `{ primaryKekId, keys: [{ id, status }] }`: safe to log, no key material.
   *
   * @example
   * ```ts
   * import { generateKek, Keyring } from '@coffer/envelope';
   *
   * JSON.stringify(Keyring.fromKeys([{ id: 1, key: generateKek(), status: 'primary' }]));
   * // '{"primaryKekId":"1","keys":[{"id":"1","status":"primary"}]}'
   * ```
   */
  toJSON(): { primaryKekId: string; keys: KekInfo[] } {
    return { primaryKekId: this.primaryKekId, keys: this.list() };
  }

  /**
   * Ids with their markers, no key material; `util.inspect` prints the same.
   *
   * @example
   * ```ts
   * import { generateKek, Keyring } from '@coffer/envelope';
   *
   * String(Keyring.fromKeys([
   *   { id: 2, key: generateKek(), status: 'primary' },
   *   { id: 1, key: generateKek(), status: 'retired' },
   * ])); // 'Keyring(*2, !1)'
   * ```
   */
  toString(): string {
    const ids = [...this.#entries].map(([id, entry]) => `${MARKERS[entry.status]}${id}`);
    return `Keyring(${ids.join(', ')})`;
  }
}

/** @internal The key and status of `kekId`, for the local provider. */
export function keyringEntry(keyring: Keyring, kekId: string): Entry | undefined {
  return readEntry(keyring, kekId);
}
