// The policy table: tier × endpoint class → a rate and a burst. Checked once, when a limiter is
// made, and compiled into the integer parameters GCRA runs on (docs/rate-limits.md).
import { InvalidInputError } from '@coffer/core';

/** The unit of a {@link RateRule}'s `rate`. */
export type RatePeriod = 'second' | 'minute' | 'hour';

/**
 * One bucket's limits: `rate` requests per `per` sustained, and up to `burst` at once from a full
 * bucket. A key that has been quiet long enough may send `burst` requests back to back; after that
 * one request per `per / rate`.
 */
export interface RateRule {
  /** Requests per period, sustained: a positive number (fractions allowed, e.g. 0.5 per second). */
  readonly rate: number;
  /** The period `rate` counts in. */
  readonly per: RatePeriod;
  /** Requests a full bucket admits at once: a whole number from 1 to 1,000,000. */
  readonly burst: number;
}

/** A policy table: for every tier, a rule for every endpoint class. */
export type RatePolicy<Tier extends string, EndpointClass extends string> = {
  readonly [T in Tier]: { readonly [C in EndpointClass]: RateRule };
};

/** The tiers of the partner contract: `standard` (every key's default), `pilot`, `partner`. */
export type DefaultTier = 'standard' | 'pilot' | 'partner';

/** The endpoint classes of the partner contract. */
export type DefaultEndpointClass = 'read-light' | 'write-light' | 'long-running';

/**
 * coffer's documented default policy (docs/rate-limits.md). Each tier's numbers are a starting
 * point, not your partner contract: override any of them (or all) with your own table.
 *
 * | tier | read-light | write-light | long-running |
 * |---|---|---|---|
 * | standard | 300/min, burst 60 | 60/min, burst 20 | 10/min, burst 5 |
 * | pilot | 1,200/min, burst 200 | 240/min, burst 60 | 30/min, burst 10 |
 * | partner | 3,000/min, burst 500 | 600/min, burst 120 | 60/min, burst 20 |
 *
 * @example
 * ```ts
 * import { DEFAULT_RATE_POLICY } from '@coffer/rate-limit';
 *
 * DEFAULT_RATE_POLICY.standard['write-light']; // { rate: 60, per: 'minute', burst: 20 }
 * ```
 */
export const DEFAULT_RATE_POLICY: RatePolicy<DefaultTier, DefaultEndpointClass> = deepFreeze({
  standard: {
    'read-light': { rate: 300, per: 'minute', burst: 60 },
    'write-light': { rate: 60, per: 'minute', burst: 20 },
    'long-running': { rate: 10, per: 'minute', burst: 5 },
  },
  pilot: {
    'read-light': { rate: 1200, per: 'minute', burst: 200 },
    'write-light': { rate: 240, per: 'minute', burst: 60 },
    'long-running': { rate: 30, per: 'minute', burst: 10 },
  },
  partner: {
    'read-light': { rate: 3000, per: 'minute', burst: 500 },
    'write-light': { rate: 600, per: 'minute', burst: 120 },
    'long-running': { rate: 60, per: 'minute', burst: 20 },
  },
});

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (typeof inner === 'object' && inner !== null) deepFreeze(inner);
  }
  return Object.freeze(value);
}

const PERIOD_US: Readonly<Record<RatePeriod, number>> = {
  second: 1_000_000,
  minute: 60_000_000,
  hour: 3_600_000_000,
};

/** Tier and class names travel in headers and Redis keys: short tokens only. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_BURST = 1_000_000;
/** The longest emission interval allowed: one request a day. */
const MAX_INTERVAL_US = 86_400_000_000;

/**
 * @internal One compiled bucket rule: what a store needs to run GCRA on one bucket. The interval
 * is rounded up to a whole microsecond, so a bucket never admits more than its rule.
 */
export interface BucketRule {
  /** The tier this rule belongs to (the tier in effect for a decision). */
  readonly tier: string;
  readonly endpointClass: string;
  /** Microseconds between two requests at the sustained rate (the emission interval T). */
  readonly intervalUs: number;
  /** Requests a full bucket admits at once. */
  readonly burst: number;
  /** `burst × intervalUs`: how far ahead of now a bucket's theoretical arrival time may be. */
  readonly capacityUs: number;
}

/** @internal A checked policy: the rule for every tier and class, found in O(1). */
export interface CompiledPolicy {
  readonly tiers: readonly string[];
  readonly classes: readonly string[];
  /** tier → class → rule. */
  readonly rules: ReadonlyMap<string, ReadonlyMap<string, BucketRule>>;
}

function bad(part: string, message: string): InvalidInputError {
  return new InvalidInputError(`rate policy: ${message}`, { details: { parameter: part } });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** @internal Turns one rule into GCRA parameters; `part` names it in errors. */
export function compileRule(
  rule: unknown,
  part: string,
  tier: string,
  endpointClass: string,
): BucketRule {
  if (!isPlainObject(rule)) {
    throw bad(part, `${part} must be an object { rate, per, burst }`);
  }
  const { rate, per, burst } = rule;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
    throw bad(`${part}.rate`, `${part}.rate must be a positive number`);
  }
  if (per !== 'second' && per !== 'minute' && per !== 'hour') {
    throw bad(`${part}.per`, `${part}.per must be "second", "minute" or "hour"`);
  }
  if (typeof burst !== 'number' || !Number.isSafeInteger(burst) || burst < 1 || burst > MAX_BURST) {
    throw bad(`${part}.burst`, `${part}.burst must be a whole number from 1 to ${MAX_BURST}`);
  }
  const exactUs = PERIOD_US[per] / rate;
  // Rounded up, so a bucket never admits more than its rule; a rate given as a float quotient
  // (1e6 / 3e6 per second) is off by far less than a microsecond and means the whole number.
  const nearest = Math.round(exactUs);
  const intervalUs = Math.abs(exactUs - nearest) < 1e-6 ? nearest : Math.ceil(exactUs);
  if (exactUs < 1 || intervalUs > MAX_INTERVAL_US) {
    throw bad(
      `${part}.rate`,
      `${part}.rate must allow between one request a day and one a microsecond`,
    );
  }
  for (const key of Object.keys(rule)) {
    if (key !== 'rate' && key !== 'per' && key !== 'burst') {
      throw bad(`${part}.${key}`, `${part} has an unknown field "${key}"`);
    }
  }
  return Object.freeze({ tier, endpointClass, intervalUs, burst, capacityUs: intervalUs * burst });
}

/**
 * @internal Checks a policy table and compiles it. Every tier must define every class (the
 * classes of the first tier are the set); names are short tokens.
 */
export function compilePolicy(policy: unknown): CompiledPolicy {
  if (!isPlainObject(policy)) throw bad('policy', 'policy must be an object of tiers');
  const tiers = Object.keys(policy);
  if (tiers.length === 0) throw bad('policy', 'policy must define at least one tier');
  const first = tiers[0] as string;
  const firstRules = policy[first];
  if (!isPlainObject(firstRules)) {
    throw bad(`policy.${first}`, `policy.${first} must be an object of endpoint classes`);
  }
  const classes = Object.keys(firstRules);
  if (classes.length === 0) {
    throw bad(`policy.${first}`, `policy.${first} must define at least one endpoint class`);
  }
  for (const endpointClass of classes) {
    if (!NAME.test(endpointClass)) {
      throw bad(
        `policy.${first}.${endpointClass}`,
        `endpoint class "${endpointClass.slice(0, 64)}" must be 1-64 letters, digits, . _ -`,
      );
    }
  }
  const rules = new Map<string, ReadonlyMap<string, BucketRule>>();
  for (const tier of tiers) {
    if (!NAME.test(tier)) {
      throw bad(
        `policy.${tier.slice(0, 64)}`,
        `tier "${tier.slice(0, 64)}" must be 1-64 letters, digits, . _ -`,
      );
    }
    const byClass = policy[tier];
    if (!isPlainObject(byClass)) {
      throw bad(`policy.${tier}`, `policy.${tier} must be an object of endpoint classes`);
    }
    const compiled = new Map<string, BucketRule>();
    for (const endpointClass of classes) {
      if (!Object.hasOwn(byClass, endpointClass)) {
        throw bad(
          `policy.${tier}.${endpointClass}`,
          `tier "${tier}" has no rule for endpoint class "${endpointClass}"; every tier needs every class`,
        );
      }
      const part = `policy.${tier}.${endpointClass}`;
      compiled.set(endpointClass, compileRule(byClass[endpointClass], part, tier, endpointClass));
    }
    for (const endpointClass of Object.keys(byClass)) {
      if (!compiled.has(endpointClass)) {
        throw bad(
          `policy.${tier}.${endpointClass.slice(0, 64)}`,
          `unknown endpoint class "${endpointClass.slice(0, 64)}" in tier "${tier}"; every tier must have the same classes`,
        );
      }
    }
    rules.set(tier, compiled);
  }
  return { tiers, classes, rules };
}
