// A declaration's rotation schedule: how often it is rotated and how long earlier versions stay
// accepted for verification. Durations are milliseconds or short text ('90s', '15m', '12h', '30d').
import { InvalidInputError } from '@coffer/core';

/** A duration: milliseconds, or an integer followed by `ms`, `s`, `m`, `h` or `d` (`'30d'`). */
export type SecretDuration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

/**
 * How many earlier versions stay accepted for verification (`{ versions: 1 }`: the previous one),
 * or for how long after they were replaced (`{ for: '24h' }`).
 */
export type SecretRetention = { readonly versions: number } | { readonly for: SecretDuration };

/** What a declaration says about rotation (the `rotation` option of every mode). */
export interface SecretRotationOptions {
  /**
   * How often `rotateDue()` rotates a random or generated secret; for a static secret, when it is
   * reported due (the operator rotates it with `set`). No interval: never due.
   */
  readonly every?: SecretDuration;
  /** Earlier versions accepted for verification; default `{ versions: 1 }` (the previous one). */
  readonly retain?: SecretRetention;
}

/** A rotation schedule resolved to milliseconds, as sources and the manager see it. */
export interface SecretRotationPolicy {
  /** Interval in ms, or `null` when the secret is never due. */
  readonly intervalMs: number | null;
  /** Retention: a count of earlier versions, or a time after replacement in ms. */
  readonly retain:
    | { readonly kind: 'versions'; readonly versions: number }
    | { readonly kind: 'duration'; readonly ms: number };
}

/** At most this many earlier versions are accepted (16 with the current one). */
export const MAX_RETAINED_VERSIONS = 15;
const MAX_DURATION_MS = 10 * 365 * 86_400_000;
const MIN_INTERVAL_MS = 1000;
const UNIT: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** The default: no interval, the previous version accepted. */
export const DEFAULT_ROTATION_POLICY: SecretRotationPolicy = Object.freeze({
  intervalMs: null,
  retain: Object.freeze({ kind: 'versions' as const, versions: 1 }),
});

function duration(value: unknown, parameter: string, min: number): number {
  let ms: number | undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) ms = value;
  else if (typeof value === 'string') {
    const m = /^([0-9]{1,10})(ms|s|m|h|d)$/.exec(value);
    const unit = m?.[2] === undefined ? undefined : UNIT[m[2]];
    if (m?.[1] !== undefined && unit !== undefined) ms = Number(m[1]) * unit;
  }
  if (ms === undefined || ms < min || ms > MAX_DURATION_MS) {
    throw new InvalidInputError(
      `${parameter} must be a duration from ${min} ms to 10 years: milliseconds or text such as '90s', '15m', '12h', '30d'`,
      { details: { parameter } },
    );
  }
  return ms;
}

/**
 * Checks a declaration's `rotation` option and resolves it to milliseconds.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` on a malformed interval or retention.
 */
export function rotationPolicy(options: unknown): SecretRotationPolicy {
  if (options === undefined) return DEFAULT_ROTATION_POLICY;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidInputError("rotation must be an object such as { every: '30d' }", {
      details: { parameter: 'rotation' },
    });
  }
  const { every, retain } = options as { every?: unknown; retain?: unknown };
  const intervalMs =
    every === undefined ? null : duration(every, 'rotation.every', MIN_INTERVAL_MS);
  let resolved: SecretRotationPolicy['retain'] = DEFAULT_ROTATION_POLICY.retain;
  if (retain !== undefined) {
    const r = retain as { versions?: unknown; for?: unknown } | null;
    const versions = r?.versions;
    if (typeof r !== 'object' || r === null || (versions === undefined) === (r.for === undefined)) {
      throw new InvalidInputError(
        "rotation.retain must be { versions: n } or { for: '24h' }, not both",
        { details: { parameter: 'rotation.retain' } },
      );
    }
    if (versions !== undefined) {
      if (
        typeof versions !== 'number' ||
        !Number.isSafeInteger(versions) ||
        versions < 0 ||
        versions > MAX_RETAINED_VERSIONS
      ) {
        throw new InvalidInputError(
          `rotation.retain.versions must be an integer from 0 to ${MAX_RETAINED_VERSIONS}`,
          { details: { parameter: 'rotation.retain.versions' } },
        );
      }
      resolved = Object.freeze({ kind: 'versions', versions });
    } else {
      resolved = Object.freeze({ kind: 'duration', ms: duration(r.for, 'rotation.retain.for', 0) });
    }
  }
  return Object.freeze({ intervalMs, retain: resolved });
}
