import {
  type CofferError,
  InvalidInputError,
  randomBytes,
  toBase64Url,
  utf8Encode,
} from '@coffer/core';
import bcrypt from 'bcryptjs';
import platform from '#platform';
import type { HasherPlatform } from './_platform.js';
import { HasherError } from './errors.js';

/**
 * bcrypt reads at most 72 bytes of its input and silently ignores the rest, so the hasher refuses
 * longer input. Every coffer key fits (the prefix is at most 6 characters: 6 + 66 = 72).
 *
 * @example
 * ```ts
 * import { BCRYPT_MAX_INPUT_BYTES } from '@coffer/api-keys';
 *
 * new TextEncoder().encode('lp_live_' + 'A'.repeat(16) + '_' + 'A'.repeat(43)).length <= BCRYPT_MAX_INPUT_BYTES; // true
 * ```
 */
export const BCRYPT_MAX_INPUT_BYTES = 72;

/**
 * Turns API keys into stored hashes and checks keys against them. The verifier and manager only
 * talk to this interface, so a host can import existing hashes or use another scheme (for example
 * dispatching on the hash's prefix) behind the same contract.
 *
 * @example
 * ```ts
 * import { type ApiKeyHasher, createBcryptHasher } from '@coffer/api-keys';
 *
 * const hasher: ApiKeyHasher = createBcryptHasher({ cost: 12 });
 * ```
 */
export interface ApiKeyHasher {
  /** Hashes a full API key for storage. */
  hash(key: string): Promise<string>;
  /**
   * Whether `key` matches `hash`. Resolves false (never rejects) for a malformed or foreign hash,
   * and takes as long for a wrong key, or a hash it cannot read, as for the right one.
   */
  verify(key: string, hash: string): Promise<boolean>;
  /**
   * A hash of a random value nobody knows, at the same cost as new hashes. The verifier checks the
   * presented key against it when the `key_id` is unknown, so an unknown id costs the same time.
   */
  dummyHash(): Promise<string>;
  /** Releases threads or connections the hasher holds. */
  close(): Promise<void>;
}

/** Options of {@link createBcryptHasher}. */
export interface BcryptHasherOptions {
  /** bcrypt cost factor, 4–31 (default 12: about 350 ms per hash on a 2020s server core in bcryptjs). */
  cost?: number;
  /**
   * Worker threads running bcrypt off the event loop (default: the number of CPU cores). `0` runs
   * bcryptjs's asynchronous mode on the main thread, which yields between rounds but still burns
   * main-thread CPU: for scripts and tests, not for servers. In runtimes without worker threads
   * (Cloudflare Workers, browsers) the default is `0`, every hash and compare runs to the end on the
   * request's own thread (no timers, which a Worker cancels when the request answers) and counts
   * against its CPU time, and any other value is refused (docs/runtimes.md).
   */
  threads?: number;
  /**
   * Highest cost a stored hash may have to be compared (default: `cost` + 2, at most 31). A hash
   * above it — a corrupt or planted row — is treated like an unreadable one (one compare against
   * the dummy, then `false`) instead of tying up a worker for minutes or days: each cost step
   * doubles the time, and cost 31 takes days.
   */
  maxStoredCost?: number;
}

function assertKeyInput(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new InvalidInputError('key must be a non-empty string', {
      details: { parameter: 'key' },
    });
  }
  // Counted in bytes: bcrypt truncates at 72 bytes, which would let two keys differing only after
  // byte 72 share a hash. coffer's key format is at most 72 bytes; longer input is refused.
  if (key.length > BCRYPT_MAX_INPUT_BYTES || utf8Encode(key).length > BCRYPT_MAX_INPUT_BYTES) {
    throw new InvalidInputError(
      `bcrypt reads only the first ${BCRYPT_MAX_INPUT_BYTES} bytes of its input; this key is longer, so it is refused rather than silently truncated`,
      { details: { parameter: 'key', maxBytes: BCRYPT_MAX_INPUT_BYTES } },
    );
  }
}

const BCRYPT_HASH = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/** A failure inside bcrypt itself, without its message (bcryptjs messages can echo the input). */
function bcryptFailed(): CofferError {
  return new HasherError('failed');
}

/**
 * The default {@link ApiKeyHasher}: bcrypt (bcryptjs, pure JavaScript) at cost 12, in a pool of
 * worker threads so compares never block the event loop. Refuses input over 72 bytes instead of
 * truncating. Hashes are standard `$2b$` strings, so hashes made by other bcrypt libraries verify.
 *
 * @throws {InvalidInputError} `INVALID_INPUT` for a cost outside 4–31, a `maxStoredCost` below
 *   `cost` or above 31, a negative thread count, or a thread count above 0 in a runtime without
 *   worker threads (Cloudflare Workers, browsers); `hash()` and `verify()` throw it for a key over
 *   72 bytes. `verify()` rejects with `HASHER_FAILED` only when bcrypt itself fails (a worker died);
 *   a hash it cannot read, or whose cost is above `maxStoredCost`, resolves `false`.
 * @example
 * ```ts
 * import { createBcryptHasher } from '@coffer/api-keys';
 *
 * const hasher = createBcryptHasher({ cost: 4, threads: 1 }); // cost 4: tests only
 * const hash = await hasher.hash('lp_test_0000000000000000_example');
 * await hasher.verify('lp_test_0000000000000000_example', hash); // true
 * await hasher.close();
 * ```
 */
export function createBcryptHasher(options: BcryptHasherOptions = {}): ApiKeyHasher {
  return createBcryptHasherOn(platform, options);
}

/** @internal {@link createBcryptHasher} on a given platform (tests run both on Node). */
export function createBcryptHasherOn(
  platform: HasherPlatform,
  options: BcryptHasherOptions = {},
): ApiKeyHasher {
  const cost = options.cost ?? 12;
  if (!Number.isInteger(cost) || cost < 4 || cost > 31) {
    throw new InvalidInputError('cost must be an integer from 4 to 31 (12 recommended)', {
      details: { parameter: 'cost' },
    });
  }
  const maxStoredCost = options.maxStoredCost ?? Math.min(31, cost + 2);
  if (!Number.isInteger(maxStoredCost) || maxStoredCost < cost || maxStoredCost > 31) {
    throw new InvalidInputError('maxStoredCost must be an integer from cost to 31', {
      details: { parameter: 'maxStoredCost' },
    });
  }
  /** Whether `stored` is a bcrypt hash this hasher will compare (shape and cost). */
  const readable = (stored: unknown): stored is string => {
    if (typeof stored !== 'string') return false;
    const match = BCRYPT_HASH.exec(stored);
    const rounds = Number(match?.[1]);
    return match !== null && rounds >= 4 && rounds <= maxStoredCost;
  };
  const { createThreadPool } = platform;
  const threads = options.threads ?? (createThreadPool === null ? 0 : platform.parallelism());
  if (!Number.isInteger(threads) || threads < 0 || threads > 256) {
    throw new InvalidInputError('threads must be an integer from 0 to 256', {
      details: { parameter: 'threads' },
    });
  }
  if (threads > 0 && createThreadPool === null) {
    throw new InvalidInputError(
      'This runtime has no worker threads (Cloudflare Workers, browsers): leave threads out or pass 0, and bcrypt runs on the calling thread.',
      { details: { parameter: 'threads' } },
    );
  }
  const pool = threads === 0 || createThreadPool === null ? null : createThreadPool(threads);
  // Without worker threads (Workers, browsers) bcrypt runs to the end inside the call. bcryptjs's
  // asynchronous mode goes on in timers, and a Worker cancels a request's timers when it answers:
  // a hash started in one request and awaited in a later one (the dummy hash) would never finish.
  const runToEnd = createThreadPool === null;
  let dummy: Promise<string> | null = null;

  const hash = async (key: string): Promise<string> => {
    assertKeyInput(key);
    if (pool === null) return runToEnd ? bcrypt.hashSync(key, cost) : bcrypt.hash(key, cost);
    const result = await pool.run({ op: 'hash', key, cost });
    return String(result);
  };

  const compare = async (key: string, stored: string): Promise<boolean> => {
    if (pool !== null) return (await pool.run({ op: 'compare', key, hash: stored })) === true;
    try {
      return runToEnd ? bcrypt.compareSync(key, stored) : await bcrypt.compare(key, stored);
    } catch {
      throw bcryptFailed();
    }
  };

  const dummyHash = (): Promise<string> => {
    if (dummy === null) {
      const made = hash(toBase64Url(randomBytes(32)));
      dummy = made;
      // A failed attempt (e.g. a worker died) is not remembered: the next call tries again.
      made.catch(() => {
        if (dummy === made) dummy = null;
      });
    }
    return dummy;
  };

  return {
    hash,
    async verify(key, stored) {
      assertKeyInput(key);
      if (!readable(stored)) {
        // Not a bcrypt hash (corrupt, or another scheme): still pay one compare, so the answer
        // takes as long as for a real hash and the timing does not single such records out.
        await compare(key, await dummyHash());
        return false;
      }
      return compare(key, stored);
    },
    dummyHash,
    async close() {
      await pool?.close();
    },
  };
}
