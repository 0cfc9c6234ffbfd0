// A key's rate-limit tier: a short name the host's rate limiter maps to a policy. The manager
// accepts only the tiers it is configured with; the store keeps whatever the manager wrote.
import { InvalidInputError } from '@coffer/core';

/**
 * The tier a key gets when minted or imported without one.
 *
 * @example
 * ```ts
 * import { DEFAULT_API_KEY_TIER } from '@coffer/api-keys';
 *
 * DEFAULT_API_KEY_TIER; // 'standard'
 * ```
 */
export const DEFAULT_API_KEY_TIER = 'standard';

/**
 * The tiers a manager accepts unless configured otherwise (`tiers` option), in the order of the
 * partner contract: `standard` (the default), `pilot`, `partner`.
 *
 * @example
 * ```ts
 * import { DEFAULT_API_KEY_TIERS } from '@coffer/api-keys';
 *
 * DEFAULT_API_KEY_TIERS.includes('pilot'); // true
 * ```
 */
export const DEFAULT_API_KEY_TIERS: readonly string[] = Object.freeze([
  'standard',
  'pilot',
  'partner',
]);

// A tier travels in an HTTP header (`X-RateLimit-Tier`) and a SQL column: a short token only.
const TIER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Whether `value` is a well-formed tier name (1–64 of letters, digits, `.`, `_`, `-`). */
export function isTierName(value: unknown): value is string {
  return typeof value === 'string' && TIER_NAME.test(value);
}

/** The manager's `tiers` option, checked; the default tier must be among them. */
export function resolveTiers(tiers: readonly string[] | undefined): ReadonlySet<string> {
  if (tiers === undefined) return new Set(DEFAULT_API_KEY_TIERS);
  if (!Array.isArray(tiers) || tiers.length === 0 || tiers.length > 100) {
    throw new InvalidInputError('tiers must be an array of 1-100 tier names', {
      details: { parameter: 'tiers' },
    });
  }
  for (const tier of tiers as unknown[]) {
    if (!isTierName(tier)) {
      throw new InvalidInputError(
        'each tier must be 1-64 characters of letters, digits and . _ -, e.g. "partner"',
        { details: { parameter: 'tiers' } },
      );
    }
  }
  if (!tiers.includes(DEFAULT_API_KEY_TIER)) {
    throw new InvalidInputError(
      `tiers must include "${DEFAULT_API_KEY_TIER}", the tier of keys minted without one`,
      { details: { parameter: 'tiers' } },
    );
  }
  return new Set(tiers);
}

/** The tier of a mint or import input: the default when absent, else one of `tiers`. */
export function requireTier(value: unknown, tiers: ReadonlySet<string>): string {
  if (value === undefined) return DEFAULT_API_KEY_TIER;
  if (typeof value !== 'string' || !tiers.has(value)) {
    throw new InvalidInputError(
      `tier must be one of the manager's tiers (${[...tiers].join(', ')})`,
      { details: { parameter: 'tier' } },
    );
  }
  return value;
}
