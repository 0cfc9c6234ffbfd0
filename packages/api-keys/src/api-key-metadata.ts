// A key's free-form metadata: a plain JSON object the host links to the key (e.g. the `vault_id`
// of a partner's webhook signing secret). Checked once at the boundary, then stored as JSON text.
import { InvalidInputError } from '@coffer/core';

/** A JSON value: what {@link ApiKeyMetadata} may hold. */
export type ApiKeyJsonValue =
  | string
  | number
  | boolean
  | null
  | readonly ApiKeyJsonValue[]
  | { readonly [key: string]: ApiKeyJsonValue };

/** A key's metadata: a plain JSON object, at most {@link API_KEY_METADATA_MAX_BYTES} serialized. */
export type ApiKeyMetadata = { readonly [key: string]: ApiKeyJsonValue };

/**
 * The cap on a key's metadata: 4 KiB of UTF-8 JSON. Keep references (a `vault_id`, a customer id)
 * in metadata, not documents.
 *
 * @example
 * ```ts
 * import { API_KEY_METADATA_MAX_BYTES } from '@coffer/api-keys';
 *
 * API_KEY_METADATA_MAX_BYTES; // 4096
 * ```
 */
export const API_KEY_METADATA_MAX_BYTES = 4096;

const MAX_DEPTH = 16;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function invalid(why: string): InvalidInputError {
  // The value itself is never echoed: a careless caller may put a secret in it.
  return new InvalidInputError(`metadata ${why}`, { details: { parameter: 'metadata' } });
}

function checkString(value: string): void {
  if (value.includes('\u0000')) throw invalid('must not contain U+0000 (NUL) in a key or string');
  // A lone surrogate has no UTF-8 form: PostgreSQL's jsonb and MySQL's JSON refuse it.
  if (LONE_SURROGATE.test(value))
    throw invalid('must not contain a lone surrogate (invalid Unicode)');
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function copyJson(value: unknown, depth: number): ApiKeyJsonValue {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    checkString(value);
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw invalid('numbers must be finite (JSON has no NaN or Infinity)');
    return Object.is(value, -0) ? 0 : value;
  }
  if (typeof value !== 'object') {
    throw invalid(`must be JSON: a ${typeof value} is not serialisable`);
  }
  if (depth >= MAX_DEPTH) throw invalid(`must not nest deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) {
    const out: ApiKeyJsonValue[] = [];
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw invalid('arrays must not have holes');
      out.push(copyJson(value[i], depth + 1));
    }
    return out;
  }
  if (!isPlainObject(value)) {
    throw invalid('must be plain JSON objects and arrays (no Date, Map, class instance)');
  }
  const out: Record<string, ApiKeyJsonValue> = {};
  for (const key of Object.keys(value)) {
    checkString(key);
    Object.defineProperty(out, key, {
      value: copyJson((value as Record<string, unknown>)[key], depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  if (Object.getOwnPropertySymbols(value).length > 0) throw invalid('must not have symbol keys');
  return out;
}

/**
 * @internal Checks `value` is a plain JSON object within the cap and returns a detached copy.
 * @throws {InvalidInputError} `INVALID_INPUT` (`details.parameter` `metadata`) otherwise.
 */
export function requireMetadata(value: unknown): ApiKeyMetadata {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('must be a plain JSON object, e.g. { "webhookSecret": "<vault id>" }');
  }
  const copy = copyJson(value, 0) as ApiKeyMetadata;
  const bytes = new TextEncoder().encode(JSON.stringify(copy)).length;
  if (bytes > API_KEY_METADATA_MAX_BYTES) {
    throw invalid(
      `is ${bytes} bytes as JSON; the cap is ${API_KEY_METADATA_MAX_BYTES}. Keep references (ids) in it, not documents.`,
    );
  }
  return copy;
}

/** @internal A deep copy of stored metadata, so no caller can change another's. */
export function copyMetadata(value: ApiKeyMetadata): ApiKeyMetadata {
  // Most keys have none: no serialising on the verifier's record reads for them.
  for (const _ in value) return JSON.parse(JSON.stringify(value)) as ApiKeyMetadata;
  return {};
}
