// Boundary checks for public inputs (internal). Messages name the parameter, never the value.
import { InvalidInputError, utf8Encode } from '@coffer/core';
import { MAX_VALUE_BYTES, ValueTooLargeError } from './errors.js';
import { isVaultId } from './uuid-v7.js';
import type { JsonObject } from './vault-store.js';

const LONE_SURROGATE = /\p{Surrogate}/u;
const CONTROL = /\p{Cc}/u;
const KIND = /^[a-z0-9][a-z0-9._:-]{0,63}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const STATUS = /^[a-z0-9][a-z0-9._:-]{0,31}$/;
const MAX_METADATA_BYTES = 8192;

function invalid(parameter: string, message: string): InvalidInputError {
  return new InvalidInputError(message, { details: { parameter } });
}

export function checkObject(value: unknown, parameter: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(parameter, `${parameter} must be an object`);
  }
  return value as Record<string, unknown>;
}

export function checkId(id: unknown): string {
  if (!isVaultId(id)) {
    throw invalid('id', 'id must be a vault id: a lowercase UUID string as returned by put');
  }
  return id;
}

export function checkText(value: unknown, parameter: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw invalid(
      parameter,
      `${parameter} must be a non-empty string of at most ${max} characters`,
    );
  }
  if (LONE_SURROGATE.test(value) || CONTROL.test(value)) {
    throw invalid(parameter, `${parameter} must be well-formed Unicode without control characters`);
  }
  return value;
}

export function checkKind(kind: unknown): string {
  if (typeof kind !== 'string' || !KIND.test(kind)) {
    throw invalid(
      'kind',
      'kind must be 1-64 characters of a-z 0-9 . _ : - starting with a letter or digit, e.g. "meta-capi-token"',
    );
  }
  return kind;
}

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw invalid(
      'name',
      'name must be 1-128 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit, e.g. "openai" or "billing:stripe"',
    );
  }
  return name;
}

/** An optional name: `undefined` and `null` are no name. */
export function checkOptionalName(name: unknown): string | null {
  return name === undefined || name === null ? null : checkName(name);
}

/** A status, or `null` to have none. */
export function checkStatus(status: unknown): string | null {
  if (status === null) return null;
  if (typeof status !== 'string' || !STATUS.test(status)) {
    throw invalid(
      'status',
      'status must be null or 1-32 characters of a-z 0-9 . _ : - starting with a letter or digit, e.g. "active"',
    );
  }
  return status;
}

export function checkOwner(owner: unknown): string {
  return checkText(owner, 'owner', 256);
}

export function checkLabel(label: unknown): string | null {
  if (label === undefined || label === null) return null;
  return checkText(label, 'label', 256);
}

/**
 * Metadata text every store keeps as it is: no U+0000 (PostgreSQL's jsonb cannot hold it) and no
 * unpaired surrogate (not UTF-8, refused by jsonb), in keys and strings alike. Refused here, for
 * every store, so an app never works on one store and fails on another.
 */
function checkJsonText(text: string): void {
  if (text.includes('\u0000') || LONE_SURROGATE.test(text)) {
    throw invalid(
      'metadata',
      'metadata keys and strings must not contain the NUL character (U+0000) or an unpaired UTF-16 surrogate: not every store can keep them. Remove them (other control characters are fine).',
    );
  }
}

function checkJson(value: unknown, depth: number): void {
  if (depth > 16) throw invalid('metadata', 'metadata is nested more than 16 levels deep');
  if (typeof value === 'string') {
    checkJsonText(value);
    return;
  }
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid('metadata', 'metadata numbers must be finite');
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) checkJson(item, depth + 1);
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const key of Object.keys(value)) checkJsonText(key);
    for (const item of Object.values(value)) checkJson(item, depth + 1);
    return;
  }
  throw invalid(
    'metadata',
    'metadata must hold only JSON values (plain objects, arrays, strings, finite numbers, booleans, null)',
  );
}

export function checkMetadata(metadata: unknown): JsonObject {
  if (metadata === undefined) return {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw invalid('metadata', 'metadata must be a plain JSON object');
  }
  checkJson(metadata, 0);
  const text = JSON.stringify(metadata);
  if (utf8Encode(text).length > MAX_METADATA_BYTES) {
    throw invalid(
      'metadata',
      `metadata must serialize to at most ${MAX_METADATA_BYTES} bytes of JSON`,
    );
  }
  return JSON.parse(text) as JsonObject;
}

export function checkValue(value: unknown): string | Uint8Array {
  let size: number;
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) {
      throw invalid(
        'value',
        'value must be well-formed Unicode (it has a lone surrogate); pass bytes instead',
      );
    }
    // A UTF-16 code unit encodes to 1-3 UTF-8 bytes: encode only when the bound is in doubt.
    size =
      value.length > MAX_VALUE_BYTES
        ? MAX_VALUE_BYTES + 1
        : value.length * 3 <= MAX_VALUE_BYTES
          ? value.length // under the cap either way; only emptiness matters
          : utf8Encode(value).length;
  } else if (value instanceof Uint8Array) {
    size = value.length;
  } else {
    throw invalid('value', 'value must be a string or a Uint8Array');
  }
  if (size === 0) throw invalid('value', 'value must not be empty');
  if (size > MAX_VALUE_BYTES) throw new ValueTooLargeError(MAX_VALUE_BYTES);
  return value;
}

export function checkVersion(version: unknown, parameter: string): number {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw invalid(parameter, `${parameter} must be a positive integer`);
  }
  return version;
}

export function checkIntInRange(
  value: unknown,
  parameter: string,
  min: number,
  max: number,
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(parameter, `${parameter} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** An optional option that must be a function when given (e.g. `clock`). */
export function checkOptionalFunction<T>(value: unknown, parameter: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalid(parameter, `${parameter} must be a function`);
  return value as T;
}

/** An optional audit sink: an object with an `emit` function. */
export function checkAuditSink<T>(value: unknown): T | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as { emit?: unknown }).emit !== 'function'
  ) {
    throw invalid('audit', 'audit must be a sink: an object with an emit(event) function');
  }
  return value as T;
}

/** Optional preview functions by kind: a plain object whose values are functions. */
export function checkPreviews<T>(value: unknown): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('previews', 'previews must be an object of preview functions by kind');
  }
  for (const [kind, fn] of Object.entries(value)) {
    if (!KIND.test(kind)) {
      throw invalid('previews', 'previews keys must be kinds (1-64 characters of a-z 0-9 . _ : -)');
    }
    if (typeof fn !== 'function') {
      throw invalid('previews', `previews["${kind}"] must be a function`);
    }
  }
  return value as T;
}

/** An optional key provider: checked for the two methods the vault calls. */
export function checkProvider<T>(value: unknown): T | undefined {
  if (value === undefined) return undefined;
  const p = value as { primaryKekId?: unknown; keyStatus?: unknown } | null;
  if (
    typeof p !== 'object' ||
    p === null ||
    typeof p.primaryKekId !== 'function' ||
    typeof p.keyStatus !== 'function'
  ) {
    throw invalid(
      'provider',
      'provider must be a KeyProvider, e.g. createLocalKeyProvider(keyring)',
    );
  }
  return value as T;
}
