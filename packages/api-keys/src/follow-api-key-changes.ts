// Joins a change feed to a verifier: every message names a key, an organization or everything,
// and the verifier re-reads that state on its next use. A lost connection may have lost messages,
// so losing it and getting it back both invalidate everything; polling (`stateTtlMs`) still bounds
// staleness while the feed is down.
import { InvalidInputError } from '@coffer/core';
import type { ApiKeyChangeSource } from './api-key-change-feed.js';
import { parseApiKeyChangeMessage } from './api-key-change-message.js';
import type { ApiKeyInvalidation } from './verifier.js';

/** What a follower invalidates: an `ApiKeyVerifier`, or anything with the same `invalidate`. */
export interface ApiKeyInvalidationTarget {
  invalidate(target?: ApiKeyInvalidation): void;
}

/** Options of {@link followApiKeyChanges}. */
export interface FollowApiKeyChangesOptions {
  /**
   * Receives what went wrong: a source's connection errors (passed with `disconnected`) and
   * errors thrown by the target's `invalidate`. Default: ignored. Never receives a message's text.
   */
  onError?: (error: unknown) => void;
}

/** Counters of a follower, for the host's metrics. */
export interface ApiKeyChangeFollowerStats {
  /** Messages received. */
  readonly received: number;
  /** Messages that parsed and were applied. */
  readonly applied: number;
  /** Messages that did not parse (not JSON, another version, a bad field, too long): ignored. */
  readonly ignored: number;
  /** Times the source said it was listening (the first time included). */
  readonly connects: number;
  /** Times the source lost its connection (reports while it was already lost are not counted). */
  readonly disconnects: number;
  /** Whether the source is listening now. */
  readonly connected: boolean;
}

/** A running follower; see {@link followApiKeyChanges}. */
export interface ApiKeyChangeFollower {
  /** The counters so far. */
  stats(): ApiKeyChangeFollowerStats;
  /** Stops following (unsubscribes from the source). Idempotent. */
  stop(): Promise<void>;
}

/**
 * Distinct keys or organizations gathered in one turn before it is cheaper to drop everything (each
 * targeted invalidation walks the verifier's cache once).
 */
const MAX_BATCH = 32;

/**
 * Follows a change feed: each message makes `target` (a verifier) re-read the key, the
 * organization or everything it names, at once instead of within `stateTtlMs`. When the source
 * connects (the first time too) and when it loses its connection, everything is invalidated:
 * messages may have been missed. (Failed reconnects while it is down invalidate nothing more:
 * the verifier's polling serves until it is back.) A message that does not parse is ignored and counted (`stats()`),
 * never thrown. Messages that arrive together (one network read) are applied in one pass, and a
 * flood naming more than 32 keys or organizations in one pass becomes one invalidation of
 * everything, so a burst costs at most one pass over the verifier's cache per read.
 *
 * Keep the verifier's `stateTtlMs`: it is what bounds staleness while the feed is down.
 *
 * @param target The verifier (or anything with its `invalidate`).
 * @param source Where messages come from.
 * @param options Error sink.
 * @returns The follower: counters and `stop()`.
 * @throws {InvalidInputError} `INVALID_INPUT` when `target` or `source` is not one.
 *
 * @example
 * ```ts
 * import {
 *   type ApiKeyChangeHandlers,
 *   type ApiKeyChangeSource,
 *   type ApiKeyInvalidation,
 *   followApiKeyChanges,
 * } from '@coffer/api-keys';
 *
 * let feed: ApiKeyChangeHandlers | undefined;
 * const source: ApiKeyChangeSource = {
 *   subscribe(handlers) {
 *     feed = handlers;
 *     handlers.connected();
 *     return async () => {
 *       feed = undefined;
 *     };
 *   },
 * };
 * const invalidated: Array<ApiKeyInvalidation | undefined> = [];
 * const follower = followApiKeyChanges({ invalidate: (t) => invalidated.push(t) }, source);
 * feed?.message('{"v":1,"type":"revoked","keyId":"0123456789ABCDEF","organizationId":"org_1"}');
 * feed?.message('garbage');
 * await Promise.resolve(); // messages are applied at the end of the turn
 * invalidated; // [undefined, { keyId: '0123456789ABCDEF' }]: everything on connect, then the key
 * follower.stats().ignored; // 1
 * await follower.stop();
 * ```
 */
export function followApiKeyChanges(
  target: ApiKeyInvalidationTarget,
  source: ApiKeyChangeSource,
  options: FollowApiKeyChangesOptions = {},
): ApiKeyChangeFollower {
  if (typeof target?.invalidate !== 'function') {
    throw new InvalidInputError('target must have an invalidate function (an ApiKeyVerifier).', {
      details: { parameter: 'target' },
    });
  }
  if (typeof source?.subscribe !== 'function') {
    throw new InvalidInputError('source must be an ApiKeyChangeSource (with subscribe).', {
      details: { parameter: 'source' },
    });
  }
  const onError = options.onError ?? (() => {});
  const report = (error: unknown): void => {
    try {
      onError(error);
    } catch {
      // A failing error sink must not break the feed.
    }
  };
  let received = 0;
  let applied = 0;
  let ignored = 0;
  let connects = 0;
  let disconnects = 0;
  let connected = false;
  let stopped = false;

  // What this turn's messages name; flushed once at the end of the turn.
  const keys = new Set<string>();
  const organizations = new Set<string>();
  let everything = false;
  let scheduled = false;

  const invalidate = (what?: ApiKeyInvalidation): void => {
    try {
      target.invalidate(what);
    } catch (error) {
      report(error);
    }
  };

  const flush = (): void => {
    scheduled = false;
    if (stopped) return;
    if (everything || keys.size + organizations.size > MAX_BATCH) {
      invalidate();
    } else {
      for (const keyId of keys) invalidate({ keyId });
      for (const organizationId of organizations) invalidate({ organizationId });
    }
    everything = false;
    keys.clear();
    organizations.clear();
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(flush);
  };

  const everythingNow = (): void => {
    everything = true;
    keys.clear();
    organizations.clear();
    // At once: the connection changed, and what comes next must be judged on fresh reads.
    flush();
  };

  const unsubscribe = source.subscribe({
    message(text) {
      if (stopped) return;
      received += 1;
      const message = parseApiKeyChangeMessage(text);
      if (message === null) {
        ignored += 1;
        return;
      }
      applied += 1;
      if (everything) return;
      if (message.keyId !== undefined) keys.add(message.keyId);
      else if (message.organizationId !== undefined) organizations.add(message.organizationId);
      else everything = true;
      if (keys.size + organizations.size > MAX_BATCH) {
        // Nothing more to remember this turn: everything goes.
        everything = true;
        keys.clear();
        organizations.clear();
      }
      schedule();
    },
    connected() {
      if (stopped) return;
      connects += 1;
      connected = true;
      everythingNow();
    },
    disconnected(error) {
      if (stopped) return;
      if (error !== undefined) report(error);
      // Only the first report of a loss invalidates: while the source keeps failing to reconnect,
      // polling serves, and the reconnect invalidates everything again.
      if (!connected) return;
      disconnects += 1;
      connected = false;
      everythingNow();
    },
  });

  let stopping: Promise<void> | undefined;
  return {
    stats: () => ({ received, applied, ignored, connects, disconnects, connected }),
    stop() {
      stopping ??= (async () => {
        stopped = true;
        connected = false;
        await unsubscribe();
      })();
      return stopping;
    },
  };
}
