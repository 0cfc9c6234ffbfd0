// The limiter in front of authentication. An unknown key_id still costs a full bcrypt compare (the
// dummy hash hides which ids exist), and well-formed forged keys are free to make: a flood of them
// spends every core on bcrypt. This guard counts secret compares per client address and per
// key_id and refuses further attempts before they reach bcrypt. It plugs into the API-key
// verifier (`createApiKeyVerifier({ guard })` of @coffer/api-keys), which consults it only for
// keys it would have to compare: cached keys never pay, malformed keys are refused before.
import { InvalidInputError } from '@coffer/core';
import { BucketTable } from './_bucket-table.js';
import { tickNowUs } from './_tick-clock.js';
import {
  type ClientAddressOptions,
  type ClientAddressResolver,
  createClientAddressResolver,
} from './client-address.js';
import { AuthenticationThrottledError, type AuthenticationThrottleReason } from './errors.js';
import { type BucketRule, compileRule, type RateRule } from './policy.js';

/** What the verifier tells the guard about one attempt (`AuthenticationAttempt` of api-keys). */
export interface GuardedAttempt {
  readonly request: unknown;
  readonly keyId: string;
}

/** One refusal, for logs and dashboards (no secret: a key_id and an address key). */
export interface AuthenticationRefusal {
  /** Which limit refused: the client address's or the key_id's. */
  readonly reason: 'address' | 'key_id';
  /**
   * The client address as keyed (IPv4, or an IPv6 prefix); `unknown` when the request's address
   * could not be found (all such requests share one budget); null for a bare `verify(key)`.
   */
  readonly address: string | null;
  readonly keyId: string;
  readonly retryAfterMs: number;
}

/** Options of {@link createAuthenticationGuard}. */
export interface AuthenticationGuardOptions extends ClientAddressOptions {
  /**
   * Secret compares per client address (default 5 per minute, burst 5), or `false`. Every compare
   * counts when it starts; one that verifies is given back, so only failures use it up.
   */
  perAddress?: RateRule | false;
  /**
   * Secret compares per `key_id`, from any address, or `false` (the default: the verifier's own
   * `failedAttempts` throttle already limits failures per `key_id`; turn this on if you turned that
   * off). Counted when a compare starts, so concurrent forgeries of one `key_id` cannot all pass.
   */
  perKeyId?: RateRule | false;
  /** Addresses and key ids remembered, each (default 100,000); least recently used go first. */
  maxEntries?: number;
  /** Finds the client's address instead of `trustProxy` (e.g. `getConnInfo` on Bun or Deno). */
  clientAddress?: ClientAddressResolver;
  /** Called on every refusal. Errors it throws are ignored. */
  onRefusal?: (refusal: AuthenticationRefusal) => void;
  /** Milliseconds on a clock that never goes back (default `performance.now`, read once per task). */
  clock?: () => number;
}

/**
 * The guard: `check` and `record` are what `createApiKeyVerifier({ guard })` calls; pass the
 * whole object.
 */
export interface FailedAuthenticationGuard {
  /**
   * Before a compare: takes one attempt from the client address's and the `key_id`'s budgets, or
   * refuses with `RATE_LIMITED` (429, `retryAfterMs`). Keys the verifier has proven never reach it
   * (cached, or re-compared in their own lane).
   * @throws {AuthenticationThrottledError} `RATE_LIMITED` (status 429, retryable, `details.retryAfterMs`,
   *   `details.reason`).
   */
  check(attempt: GuardedAttempt): void;
  /** After a compare: a verified key gives its attempt back and clears its `key_id`'s count. */
  record(attempt: GuardedAttempt, outcome: 'verified' | 'failed'): void;
}

const DEFAULT_RULE: RateRule = { rate: 5, per: 'minute', burst: 5 };
/** The one budget of every request whose client address cannot be found. */
const UNKNOWN_ADDRESS = 'unknown';

function refusal(
  reason: AuthenticationThrottleReason,
  retryAfterMs: number,
): AuthenticationThrottledError {
  // Refusals are what a flood is answered with, thousands a second: their stack says nothing (it
  // is always this line), and capturing it is most of their cost.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new AuthenticationThrottledError(reason, retryAfterMs);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Creates the limiter in front of authentication, for `createApiKeyVerifier({ guard })`. It keeps
 * one GCRA budget of secret compares per client address (and, with `perKeyId`, one per `key_id`)
 * in this process's memory: each instance protects its own CPU, which is what bcrypt spends. By default the client
 * address is the socket's peer; behind a load balancer say which proxies to believe
 * (`trustProxy`), or every client shares the balancer's budget.
 *
 * Attempts count when they start, not when they fail, so a burst of concurrent forged keys from one
 * address cannot all slip past the check before the first compare ends. A request whose address
 * cannot be found (a Fetch `Request` on Hono without `honoClientAddress()`) counts against one
 * budget shared by all such requests; a bare `verifier.verify(key)` has no address budget.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` for malformed rules (naming the part, e.g.
 *   `perAddress.rate`), `trustProxy`, `ipv6PrefixBits` or `maxEntries`.
 * @example
 * ```ts
 * import { createApiKeyVerifier, createBcryptHasher, createMemoryApiKeyStore } from '@coffer/api-keys';
 * import { createAuthenticationGuard } from '@coffer/rate-limit';
 *
 * const guard = createAuthenticationGuard({
 *   trustProxy: { hops: 1 }, // one load balancer in front of the app
 *   perAddress: { rate: 10, per: 'minute', burst: 10 },
 * });
 * const verifier = createApiKeyVerifier({
 *   store: createMemoryApiKeyStore(),
 *   hasher: createBcryptHasher({ cost: 4 }), // tests only; keep the default 12 in production
 *   guard,
 * });
 * ```
 */
export function createAuthenticationGuard(
  options: AuthenticationGuardOptions = {},
): FailedAuthenticationGuard {
  const rule = (value: RateRule | false | undefined, part: string): BucketRule | null =>
    value === false ? null : compileRule(value ?? DEFAULT_RULE, part, 'guard', part);
  const perAddress = rule(options.perAddress, 'perAddress');
  const perKeyId = options.perKeyId === undefined ? null : rule(options.perKeyId, 'perKeyId');
  const maxEntries = options.maxEntries ?? 100_000;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
    throw new InvalidInputError('maxEntries must be a positive integer', {
      details: { parameter: 'maxEntries' },
    });
  }
  if (options.clientAddress !== undefined && typeof options.clientAddress !== 'function') {
    throw new InvalidInputError('clientAddress must be a function (request) => string | null', {
      details: { parameter: 'clientAddress' },
    });
  }
  const addressOf = options.clientAddress ?? createClientAddressResolver(options);
  const clock = options.clock;
  const nowUs = clock === undefined ? tickNowUs : () => Math.round(clock() * 1000);
  const addresses = new BucketTable(maxEntries);
  const keyIds = new BucketTable(maxEntries);
  // Which address each attempt in flight was counted against, so `record` gives back the same one.
  const counted = new WeakMap<GuardedAttempt, string>();

  const tell = (r: AuthenticationRefusal): void => {
    try {
      options.onRefusal?.(r);
    } catch {
      // Dashboards must not change decisions.
    }
  };

  // A request whose address cannot be found (a Fetch Request without honoClientAddress, a
  // resolver that throws) shares one budget with every other such request: a guard that silently
  // stopped limiting would be worse. A bare `verify(key)` has no request and no address budget.
  const addressKey = (attempt: GuardedAttempt): string | null => {
    if (attempt.request === undefined) return null;
    try {
      const found = addressOf(attempt.request);
      return typeof found === 'string' && found.length > 0 ? found : UNKNOWN_ADDRESS;
    } catch {
      return UNKNOWN_ADDRESS;
    }
  };

  return {
    check(attempt) {
      const now = nowUs();
      const address = perAddress === null ? null : addressKey(attempt);
      if (perAddress !== null && address !== null) {
        const r = addresses.take(address, '', now, perAddress.intervalUs, perAddress.capacityUs);
        if (r < 0) {
          const retryAfterMs = Math.ceil(-r / 1000);
          tell({ reason: 'address', address, keyId: attempt.keyId, retryAfterMs });
          throw refusal('address', retryAfterMs);
        }
        counted.set(attempt, address);
      }
      if (perKeyId !== null) {
        const r = keyIds.take(attempt.keyId, '', now, perKeyId.intervalUs, perKeyId.capacityUs);
        if (r < 0) {
          if (perAddress !== null && address !== null) {
            addresses.refund(address, '', now, perAddress.intervalUs);
            counted.delete(attempt);
          }
          const retryAfterMs = Math.ceil(-r / 1000);
          tell({ reason: 'key_id', address, keyId: attempt.keyId, retryAfterMs });
          throw refusal('key_id', retryAfterMs);
        }
      }
    },
    record(attempt, outcome) {
      if (outcome !== 'verified') return;
      // The client proved the key: the attempt it took is given back, to its address and to the
      // key_id, so the owner's own use leaves no trace a guesser could read. Nothing more: a success
      // that reset the key_id's budget would turn a guesser's 429 back into 401 and tell them the
      // key_id exists and is in use (the oracle D10 closes for the verifier's own throttle).
      const now = nowUs();
      const address = counted.get(attempt);
      if (address !== undefined && perAddress !== null) {
        addresses.refund(address, '', now, perAddress.intervalUs);
      }
      if (perKeyId !== null) keyIds.refund(attempt.keyId, '', now, perKeyId.intervalUs);
    },
  };
}
