// The limiter: policy lookup, the store round trip (or none, in memory), the local memory of
// denials ("floods cost nothing"), and what happens while a shared store is slow or down.
import { InvalidInputError } from '@coffer/core';
import type { RateLimitDecision, RateLimitSource } from './decision.js';
import { createMemoryRateLimitStore, isMemoryRateLimitStore } from './memory-store.js';
import {
  type BucketRule,
  type CompiledPolicy,
  compilePolicy,
  DEFAULT_RATE_POLICY,
  type DefaultEndpointClass,
  type DefaultTier,
  type RatePolicy,
} from './policy.js';
import type { RateLimitStore } from './rate-limit-store.js';

/**
 * What the limiter does while its store fails or answers later than `storeTimeoutMs`:
 * `local` — decide with an in-memory limiter in this process (the same policy, per process);
 * `allow` — let every request through; `deny` — refuse every request (429).
 */
export type StoreErrorMode = 'local' | 'allow' | 'deny';

/**
 * A change in the store's health, for logs and alerts: it failed (the first failure after a
 * healthy period; `fallback` says what decides meanwhile), or it answered again.
 */
export type RateLimitStoreEvent =
  | {
      readonly type: 'store-unavailable';
      /** `timeout`: no answer within `storeTimeoutMs`; `error`: the store threw or rejected. */
      readonly reason: 'timeout' | 'error';
      /** What the store threw (absent on a timeout). May be a client library's error. */
      readonly error?: unknown;
      readonly fallback: StoreErrorMode;
    }
  | {
      readonly type: 'store-recovered';
      /** Milliseconds from the first failure to this answer. */
      readonly downMs: number;
    };

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions<Tier extends string, EndpointClass extends string> {
  /** The policy table (default {@link DEFAULT_RATE_POLICY}). */
  policy?: RatePolicy<Tier, EndpointClass>;
  /**
   * The tier used for a key whose tier the policy does not define (default `standard` when the
   * policy has it, else the policy's first tier). A request never fails because of its key's tier.
   */
  defaultTier?: NoInfer<Tier>;
  /** Where buckets live (default: a new in-memory store, per process). */
  store?: RateLimitStore;
  /** How long one store call may take before its fallback decides (default 50 ms; shared stores only). */
  storeTimeoutMs?: number;
  /** What decides while the store fails (default `local`). */
  onStoreError?: StoreErrorMode;
  /**
   * After a failure, how long requests go straight to the fallback before one of them tries the
   * store again (default 1000 ms). One request at a time probes; recovery needs no action.
   */
  retryStoreAfterMs?: number;
  /**
   * Remember the store's denials in this process until the bucket can admit again, and answer
   * requests for a denied bucket locally, without a round trip (default on, shared stores only).
   * `false` turns it off; `{ maxEntries }` bounds it (default 100,000 buckets).
   */
  denialCache?: boolean | { maxEntries?: number };
  /** Called with every decision (for counters and dashboards). Errors it throws are ignored. */
  onDecision?: (decision: RateLimitDecision<Tier, EndpointClass>) => void;
  /** Called when the store fails or recovers. Errors it throws are ignored. */
  onStoreEvent?: (event: RateLimitStoreEvent) => void;
}

/** What to decide: whose bucket, which tier's numbers, which class. */
export interface RateLimitRequest<Tier extends string, EndpointClass extends string> {
  /** The bucket's owner: an API key's `key_id` (1-256 characters). */
  readonly keyId: string;
  /** The key's tier; one the policy lacks means the limiter's `defaultTier`. */
  readonly tier: Tier | (string & {});
  readonly endpointClass: EndpointClass;
}

/** A rate limiter: see {@link createRateLimiter}. */
export interface RateLimiter<Tier extends string = string, EndpointClass extends string = string> {
  /** The policy's tiers. */
  readonly tiers: readonly Tier[];
  /** The policy's endpoint classes. */
  readonly endpointClasses: readonly EndpointClass[];
  /**
   * Decides one request: takes one from the bucket of `(keyId, endpointClass)` under the tier's
   * rule, or refuses. Synchronous with a local store (the default), a promise with a shared one;
   * `await` works for both. Never rejects for store trouble (see `onStoreError`).
   *
   * @throws {InvalidInputError} `INVALID_INPUT` for an empty or over-long `keyId` or an endpoint
   *   class the policy does not define.
   */
  limit(
    request: RateLimitRequest<Tier, EndpointClass>,
  ): RateLimitDecision<Tier, EndpointClass> | Promise<RateLimitDecision<Tier, EndpointClass>>;
  /** Whether `name` is one of the policy's endpoint classes. */
  hasEndpointClass(name: unknown): name is EndpointClass;
}

interface DenialEntry {
  /** Local clock (ms) until which the store would refuse this bucket. */
  readonly until: number;
  readonly rule: BucketRule;
}

const MAX_KEY_ID = 256;
const TIMED_OUT: unique symbol = Symbol('timed out');

/** A store timeout shared by the decisions of one tick (see `deadline()` in the limiter). */
interface SharedDeadline {
  users: number;
  readonly expired: Promise<typeof TIMED_OUT>;
  release(): void;
}

function positive(value: number | undefined, fallback: number, name: string, min: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new InvalidInputError(`${name} must be an integer of at least ${min}`, {
      details: { parameter: name },
    });
  }
  return v;
}

/** Builds the decision for a store's signed answer `r` (µs) under `rule`. */
function decisionOf<T extends string, C extends string>(
  keyId: string,
  rule: BucketRule,
  r: number,
  source: RateLimitSource,
): RateLimitDecision<T, C> {
  if (r > 0) {
    return {
      allowed: true,
      keyId,
      tier: rule.tier as T,
      endpointClass: rule.endpointClass as C,
      limit: rule.burst,
      remaining: Math.max(0, Math.floor((rule.capacityUs - r) / rule.intervalUs)),
      resetMs: Math.ceil(r / 1000),
      retryAfterMs: 0,
      source,
    };
  }
  const retryUs = -r;
  return {
    allowed: false,
    keyId,
    tier: rule.tier as T,
    endpointClass: rule.endpointClass as C,
    limit: rule.burst,
    remaining: 0,
    resetMs: Math.ceil((retryUs + rule.capacityUs - rule.intervalUs) / 1000),
    retryAfterMs: Math.max(1, Math.ceil(retryUs / 1000)),
    source,
  };
}

/**
 * Whether `r` is a store answer the limiter can use: a whole number of µs, an admission no further
 * ahead than the bucket holds, or a refusal of any length (a key moved to a smaller tier may wait
 * longer than its new bucket holds).
 */
function validAnswer(r: unknown, rule: BucketRule): r is number {
  return typeof r === 'number' && Number.isSafeInteger(r) && r !== 0 && r <= rule.capacityUs;
}

class StoreAnswerError extends Error {
  constructor() {
    super('the rate-limit store answered with something that is not a bucket state');
    this.name = 'StoreAnswerError';
  }
}

/**
 * Creates a rate limiter: GCRA buckets per `(keyId, endpointClass)`, the numbers from the policy
 * table by the key's tier. GCRA keeps one number per bucket, admits exactly `burst` at once and
 * then `rate` per period, and knows exactly when the next request will be admitted, which is what
 * `Retry-After` says (docs/decisions.md, D24).
 *
 * With a shared store (Redis) each decision is one round trip, except for buckets this process has
 * seen denied: those are refused locally until the store would admit again, so a flood from one
 * key costs no round trips. The store may be slow or down: after `storeTimeoutMs` the
 * `onStoreError` fallback decides and `onStoreEvent` hears about it; the store is tried again
 * every `retryStoreAfterMs`, and is used again as soon as it answers.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` for a malformed policy (its `details.parameter`
 *   names the part, e.g. `policy.pilot.write-light.rate`) or malformed options.
 * @example
 * ```ts
 * import { createRateLimiter } from '@coffer/rate-limit';
 *
 * const limiter = createRateLimiter(); // the default policy, in memory
 * const decision = await limiter.limit({ keyId: '01HX9Y6K7EJ4T2AB', tier: 'standard', endpointClass: 'write-light' });
 * decision.allowed; // true
 * decision.limit; // 20 (standard write-light burst)
 * decision.remaining; // 19
 *
 * // Custom tiers and classes are type-checked from the table:
 * const custom = createRateLimiter({
 *   policy: {
 *     free: { search: { rate: 1, per: 'second', burst: 5 }, export: { rate: 2, per: 'hour', burst: 1 } },
 *     paid: { search: { rate: 20, per: 'second', burst: 50 }, export: { rate: 1, per: 'minute', burst: 3 } },
 *   },
 *   defaultTier: 'free',
 * });
 * custom.endpointClasses; // ['search', 'export']
 * ```
 */
export function createRateLimiter<
  Tier extends string = DefaultTier,
  EndpointClass extends string = DefaultEndpointClass,
>(options: RateLimiterOptions<Tier, EndpointClass> = {}): RateLimiter<Tier, EndpointClass> {
  const policy: CompiledPolicy = compilePolicy(options.policy ?? DEFAULT_RATE_POLICY);
  const defaultTier: string =
    options.defaultTier ??
    (policy.rules.has('standard') ? 'standard' : (policy.tiers[0] as string));
  const defaultRules = policy.rules.get(defaultTier);
  if (defaultRules === undefined) {
    throw new InvalidInputError(
      `defaultTier "${String(defaultTier).slice(0, 64)}" is not in the policy`,
      {
        details: { parameter: 'defaultTier' },
      },
    );
  }
  const store = options.store ?? createMemoryRateLimitStore();
  if (
    typeof store !== 'object' ||
    store === null ||
    typeof store.take !== 'function' ||
    typeof store.local !== 'boolean'
  ) {
    throw new InvalidInputError('store must be a RateLimitStore ({ local, take })', {
      details: { parameter: 'store' },
    });
  }
  const trusted = isMemoryRateLimitStore(store);
  const timeoutMs = positive(options.storeTimeoutMs, 50, 'storeTimeoutMs', 1);
  const retryAfterFailureMs = positive(options.retryStoreAfterMs, 1000, 'retryStoreAfterMs', 1);
  const mode = options.onStoreError ?? 'local';
  if (mode !== 'local' && mode !== 'allow' && mode !== 'deny') {
    throw new InvalidInputError('onStoreError must be "local", "allow" or "deny"', {
      details: { parameter: 'onStoreError' },
    });
  }
  const denialOption = options.denialCache ?? true;
  const denialMax =
    denialOption === false
      ? 0
      : positive(
          denialOption === true ? undefined : denialOption.maxEntries,
          100_000,
          'denialCache.maxEntries',
          1,
        );
  const onDecision = options.onDecision;
  const onStoreEvent = options.onStoreEvent;
  const tiers = policy.tiers as readonly Tier[];
  const classes = policy.classes as readonly EndpointClass[];

  // Shared stores only: the denial cache, the fallback and the health state.
  const denials = new Map<string, DenialEntry>();
  const fallback = mode === 'local' ? createMemoryRateLimitStore() : undefined;
  let down = false;
  let downSince = 0;
  let retryAt = 0;
  let probing = false;

  const emit = (event: RateLimitStoreEvent): void => {
    if (onStoreEvent === undefined) return;
    try {
      onStoreEvent(event);
    } catch {
      // A failing listener must not change a decision.
    }
  };

  const finish = (
    decision: RateLimitDecision<Tier, EndpointClass>,
  ): RateLimitDecision<Tier, EndpointClass> => {
    if (onDecision !== undefined) {
      try {
        onDecision(decision);
      } catch {
        // Dashboards must not change decisions.
      }
    }
    return decision;
  };

  // The last (tier, class) looked up and its rule: most traffic repeats a few pairs, and two
  // string comparisons are cheaper than two Map lookups.
  let lastTier: unknown;
  let lastClass: unknown;
  let lastRule: BucketRule | undefined;

  function ruleFor(request: RateLimitRequest<Tier, EndpointClass>): BucketRule {
    if (typeof request !== 'object' || request === null) {
      throw new InvalidInputError('limit() takes { keyId, tier, endpointClass }', {
        details: { parameter: 'request' },
      });
    }
    const { keyId, tier, endpointClass } = request;
    if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > MAX_KEY_ID) {
      throw new InvalidInputError(`keyId must be a string of 1-${MAX_KEY_ID} characters`, {
        details: { parameter: 'keyId' },
      });
    }
    if (tier === lastTier && endpointClass === lastClass && lastRule !== undefined) return lastRule;
    const byClass = (typeof tier === 'string' && policy.rules.get(tier)) || defaultRules;
    const rule = typeof endpointClass === 'string' ? byClass?.get(endpointClass) : undefined;
    if (rule !== undefined) {
      lastTier = tier;
      lastClass = endpointClass;
      lastRule = rule;
    }
    if (rule === undefined) {
      throw new InvalidInputError(
        `endpointClass must be one of the policy's classes (${policy.classes.join(', ')})`,
        { details: { parameter: 'endpointClass' } },
      );
    }
    return rule;
  }

  function fallbackDecision(
    keyId: string,
    rule: BucketRule,
  ): RateLimitDecision<Tier, EndpointClass> {
    if (fallback !== undefined) {
      return decisionOf(keyId, rule, fallback.take(keyId, rule), 'fallback-local');
    }
    if (mode === 'allow') {
      return decisionOf(keyId, rule, rule.intervalUs, 'fallback-allow');
    }
    return decisionOf(
      keyId,
      rule,
      -Math.min(rule.capacityUs, retryAfterFailureMs * 1000),
      'fallback-deny',
    );
  }

  function failed(reason: 'timeout' | 'error', error: unknown, now: number): void {
    probing = false;
    retryAt = now + retryAfterFailureMs;
    if (down) return;
    down = true;
    downSince = now;
    emit(
      reason === 'timeout'
        ? { type: 'store-unavailable', reason, fallback: mode }
        : { type: 'store-unavailable', reason, error, fallback: mode },
    );
  }

  function recovered(now: number): void {
    probing = false;
    if (!down) return;
    down = false;
    emit({ type: 'store-recovered', downMs: Math.max(0, Math.round(now - downSince)) });
  }

  function remember(bucket: string, rule: BucketRule, sentAt: number, r: number): void {
    // The store refused at its own time t ≥ sentAt and admits again at t + (-r). Counting from
    // sentAt ends the local denial no later than the store's, so no request the store would admit
    // is refused here; and the store cannot admit anything for this bucket before then.
    denials.delete(bucket);
    denials.set(bucket, { until: sentAt + -r / 1000, rule });
    if (denials.size > denialMax) {
      const oldest = denials.keys().next();
      if (oldest.done !== true) denials.delete(oldest.value);
    }
  }

  // One store timeout per tick: decisions asked for in the same synchronous run (a burst of
  // concurrent requests) started within microseconds of each other, so they share one timer, which
  // is cleared when the last of them has its answer. A timer per decision cost more than the
  // decision's own work on a busy Redis path.
  let tickDeadline: SharedDeadline | null = null;

  function deadline(): SharedDeadline {
    if (tickDeadline !== null) {
      tickDeadline.users += 1;
      return tickDeadline;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const shared: SharedDeadline = {
      users: 1,
      expired: new Promise<typeof TIMED_OUT>((resolve) => {
        timer = setTimeout(resolve, timeoutMs, TIMED_OUT);
        timer.unref?.();
      }),
      release() {
        shared.users -= 1;
        if (shared.users === 0 && tickDeadline !== shared) clearTimeout(timer);
      },
    };
    tickDeadline = shared;
    queueMicrotask(() => {
      tickDeadline = null;
      if (shared.users === 0) clearTimeout(timer);
    });
    return shared;
  }

  async function remote(
    keyId: string,
    rule: BucketRule,
    bucket: string,
    now: number,
  ): Promise<RateLimitDecision<Tier, EndpointClass>> {
    let shared: SharedDeadline | undefined;
    let answer: unknown;
    try {
      const pending = store.take(keyId, rule);
      if (typeof pending === 'number') {
        answer = pending;
      } else {
        shared = deadline();
        answer = await Promise.race([pending, shared.expired]);
      }
    } catch (error) {
      shared?.release();
      failed('error', error, performance.now());
      return finish(fallbackDecision(keyId, rule));
    }
    shared?.release();
    if (answer === TIMED_OUT) {
      failed('timeout', undefined, performance.now());
      return finish(fallbackDecision(keyId, rule));
    }
    if (!validAnswer(answer, rule)) {
      failed('error', new StoreAnswerError(), performance.now());
      return finish(fallbackDecision(keyId, rule));
    }
    recovered(performance.now());
    if (answer < 0 && denialMax > 0) remember(bucket, rule, now, answer);
    return finish(decisionOf(keyId, rule, answer, 'store'));
  }

  function limit(
    request: RateLimitRequest<Tier, EndpointClass>,
  ): RateLimitDecision<Tier, EndpointClass> | Promise<RateLimitDecision<Tier, EndpointClass>> {
    const rule = ruleFor(request);
    const keyId = request.keyId;
    if (trusted) {
      // The built-in memory store: synchronous, never throws, always a valid answer.
      return finish(decisionOf(keyId, rule, store.take(keyId, rule) as number, 'store'));
    }
    if (store.local) {
      let r: unknown;
      try {
        r = store.take(keyId, rule);
      } catch (error) {
        failed('error', error, performance.now());
        return finish(fallbackDecision(keyId, rule));
      }
      // A local store answers synchronously; anything else is a broken store.
      if (!validAnswer(r, rule)) {
        failed('error', new StoreAnswerError(), performance.now());
        return finish(fallbackDecision(keyId, rule));
      }
      if (down) recovered(performance.now());
      return finish(decisionOf(keyId, rule, r, 'store'));
    }
    const now = performance.now();
    const bucket = `${keyId}\n${rule.endpointClass}`;
    if (denialMax > 0) {
      const denied = denials.get(bucket);
      if (denied !== undefined) {
        if (now < denied.until && denied.rule === rule) {
          const retryUs = Math.ceil((denied.until - now) * 1000);
          return finish(decisionOf(keyId, rule, -Math.max(1, retryUs), 'denial-cache'));
        }
        denials.delete(bucket);
      }
    }
    if (down && (probing || now < retryAt)) {
      return finish(fallbackDecision(keyId, rule));
    }
    if (down) probing = true;
    return remote(keyId, rule, bucket, now);
  }

  return {
    tiers,
    endpointClasses: classes,
    limit,
    hasEndpointClass: (name: unknown): name is EndpointClass =>
      typeof name === 'string' && policy.classes.includes(name),
  };
}
