// `resolve` and what it keeps in this process (internal): the answers per (owner, provider) —
// the customer's key (warm), or the fallback when the customer has no usable key (negative) —
// the platform keys, the keys a reported rate limit makes it skip, the refs it handed out, and the
// throttled last-used writes.
import { isCofferError, Redacted } from '@coffer/core';
import type { Emit } from './_event-hook.js';
import { findKey, type KeyPin, mutate } from './_key-entries.js';
import { type ProviderKeysSettings, providerId } from './_options.js';
import { effectiveStatus, readMeta } from './_stored-key.js';
import { ProviderKeyUnavailableError } from './errors.js';
import type {
  FallbackReason,
  ProviderKeyRef,
  ResolvedProviderKey,
} from './resolved-provider-key.js';

/** What a ref stands for (kept out of the object the caller holds). */
export interface RefData {
  owner: string;
  provider: string;
  source: 'customer' | 'platform';
  id: string | undefined;
  version: number | undefined;
}

/** A cached answer of `resolve`. */
type Cached =
  | {
      kind: 'customer';
      expiresAt: number;
      result: ResolvedProviderKey;
      /** `result`, settled: what a warm resolve returns (no promise made per call). */
      settled: Promise<ResolvedProviderKey>;
      data: RefData;
      lastUsedWrittenAt: number;
    }
  | {
      kind: 'fallback';
      expiresAt: number;
      reason: FallbackReason;
      provider: string;
      /** The platform key's answer, or `undefined` when there is no platform key. */
      result: ResolvedProviderKey | undefined;
      /** `result`, settled, when there is one. */
      settled: Promise<ResolvedProviderKey> | undefined;
    };

/** `resolve`, and what `reportFailure` and the write operations need of its state. */
export interface Resolver {
  /** `ProviderKeys.resolve`. */
  resolve(owner: unknown, provider: unknown): Promise<ResolvedProviderKey>;
  /** What a ref this resolver made stands for, `undefined` for any other. */
  refData(ref: ProviderKeyRef): RefData | undefined;
  /** Whether the cached answer for (owner, provider) is a customer key other than `pin`. */
  cachesAnotherKey(owner: string, provider: string, pin: KeyPin): boolean;
  /**
   * Makes `resolve` fall back from the key `pin` until `until`. The table holds at most
   * `maxCacheEntries` keys: when full, the expired entries go, then the oldest.
   */
  rateLimit(owner: string, provider: string, pin: KeyPin, until: number, now: number): void;
  /** Forgets what is cached for (owner, provider), and makes a load already under way not fill it. */
  invalidate(owner: string, provider: string): void;
  /** Waits for pending last-used writes. */
  flush(): Promise<void>;
}

/** A {@link Resolver} over `settings`; `emit` reports a failed last-used write. */
export function createResolver(settings: ProviderKeysSettings, emit: Emit): Resolver {
  const {
    providers,
    vault,
    reader,
    platformKeys,
    clock,
    ttl,
    negativeTtl,
    maxEntries,
    lastUsedInterval,
    defaultActor,
  } = settings;
  const refs = new WeakMap<ProviderKeyRef, RefData>();
  const cache = new Map<string, Cached>();
  const loading = new Map<string, Promise<Cached>>();
  const rateLimited = new Map<string, { id: string; version: number; until: number }>();
  const platformCache = new Map<string, { key: Redacted<string> | undefined; expiresAt: number }>();
  const pending = new Set<Promise<void>>();
  /** Bumped by every local change: a load that started before one does not fill the cache. */
  let changes = 0;

  const cacheKey = (owner: string, provider: string): string => `${owner}\u0000${provider}`;

  function makeRef(data: RefData): ProviderKeyRef {
    const ref: ProviderKeyRef = Object.freeze({
      owner: data.owner,
      provider: data.provider,
      source: data.source,
    });
    refs.set(ref, data);
    return ref;
  }

  function invalidate(owner: string, provider: string): void {
    changes++;
    const key = cacheKey(owner, provider);
    cache.delete(key);
    loading.delete(key);
    rateLimited.delete(key);
  }

  function remember(key: string, value: Cached): void {
    if (cache.size >= maxEntries && !cache.has(key)) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    cache.set(key, value);
  }

  /** The platform key of `provider` (cached for the TTL); `failed` when the host's source threw. */
  async function platformKey(
    provider: string,
  ): Promise<{ key: Redacted<string> | undefined; failed: boolean }> {
    const now = clock();
    const hit = platformCache.get(provider);
    if (hit !== undefined && hit.expiresAt > now) return { key: hit.key, failed: false };
    if (platformKeys === undefined) return { key: undefined, failed: false };
    let key: Redacted<string> | undefined;
    try {
      const given: unknown = await platformKeys(provider);
      if (typeof given === 'string' && given.length > 0) key = new Redacted(given);
      else if (Redacted.isRedacted(given)) {
        const text = (given as Redacted<unknown>).expose();
        if (typeof text === 'string' && text.length > 0) key = given as Redacted<string>;
      }
    } catch {
      // The host's source failed: no platform key this time, asked again next time.
      return { key: undefined, failed: true };
    }
    platformCache.set(provider, { key, expiresAt: now + ttl });
    return { key, failed: false };
  }

  /** The fallback answer: the platform key with a ref, or `undefined` when there is none. */
  async function fallback(
    owner: string,
    provider: string,
    reason: FallbackReason,
  ): Promise<{ result: ResolvedProviderKey | undefined; failed: boolean }> {
    const { key, failed } = await platformKey(provider);
    if (key === undefined) return { result: undefined, failed };
    const ref = makeRef({ owner, provider, source: 'platform', id: undefined, version: undefined });
    return {
      result: Object.freeze({ source: 'platform', provider, key, ref, fallbackReason: reason }),
      failed,
    };
  }

  async function fallbackEntry(
    owner: string,
    provider: string,
    reason: FallbackReason,
  ): Promise<Cached> {
    const { result, failed } = await fallback(owner, provider, reason);
    // A failed platform source is not remembered: the next resolve asks it again.
    const expiresAt = failed ? 0 : clock() + negativeTtl;
    return {
      kind: 'fallback',
      expiresAt,
      reason,
      provider,
      result,
      settled: result === undefined ? undefined : Promise.resolve(result),
    };
  }

  async function load(owner: string, provider: string): Promise<Cached> {
    const started = changes;
    const scoped = vault.forOwner(owner);
    let answer: Cached | undefined;
    for (let attempt = 0; attempt < 3 && answer === undefined; attempt++) {
      const e = await findKey(scoped, provider);
      if (e === undefined) {
        answer = await fallbackEntry(owner, provider, 'no_key');
        break;
      }
      const meta = readMeta(e.metadata);
      const status = effectiveStatus(e, meta);
      if (status !== 'active') {
        answer = await fallbackEntry(owner, provider, status);
        break;
      }
      const now = clock();
      try {
        const value = await reader.forOwner(owner).reveal(e.id, {
          actor: defaultActor,
          purpose: `call ${provider}`,
          version: e.version,
        });
        const data: RefData = { owner, provider, source: 'customer', id: e.id, version: e.version };
        const result: ResolvedProviderKey = Object.freeze({
          source: 'customer',
          provider,
          key: value,
          ref: makeRef(data),
        });
        answer = {
          kind: 'customer',
          expiresAt: now + ttl,
          result,
          settled: Promise.resolve(result),
          data,
          lastUsedWrittenAt: meta.lastUsedAt ?? 0,
        };
      } catch (error) {
        // Rotated past the version, deleted or destroyed between the two reads: read again.
        if (!isCofferError(error, 'NOT_FOUND') && !isCofferError(error, 'DELETED')) throw error;
      }
    }
    if (answer === undefined) {
      answer = { ...(await fallbackEntry(owner, provider, 'no_key')), expiresAt: 0 };
    } else if (changes === started && answer.expiresAt > 0) {
      remember(cacheKey(owner, provider), answer);
    }
    return answer;
  }

  function touch(entry: Extract<Cached, { kind: 'customer' }>, now: number): void {
    entry.lastUsedWrittenAt = now;
    const { owner, provider, id, version } = entry.data;
    if (id === undefined || version === undefined) return;
    const write = mutate(
      vault,
      owner,
      provider,
      (_e, meta) =>
        meta.lastUsedAt !== undefined && meta.lastUsedAt >= now
          ? undefined
          : { meta: { ...meta, lastUsedAt: now } },
      { id, version },
      defaultActor,
    ).then(
      () => undefined,
      (error: unknown) =>
        emit({
          type: 'background_write_failed',
          owner,
          provider,
          code: isCofferError(error) ? error.code : 'UNKNOWN',
          at: new Date(clock()),
        }),
    );
    pending.add(write);
    void write.finally(() => pending.delete(write));
  }

  async function answer(hit: Cached, key: string, now: number): Promise<ResolvedProviderKey> {
    if (hit.kind === 'fallback') {
      if (hit.result === undefined) throw new ProviderKeyUnavailableError(hit.provider, hit.reason);
      return hit.result;
    }
    const limit = rateLimited.get(key);
    if (limit !== undefined) {
      if (limit.until > now && limit.id === hit.data.id && limit.version === hit.data.version) {
        const { result } = await fallback(hit.data.owner, hit.data.provider, 'rate_limited');
        if (result === undefined) {
          throw new ProviderKeyUnavailableError(hit.data.provider, 'rate_limited');
        }
        return result;
      }
      rateLimited.delete(key);
    }
    if (now - hit.lastUsedWrittenAt >= lastUsedInterval) touch(hit, now);
    return hit.result;
  }

  /**
   * The warm path returns the cached, settled promise of the answer without making one per call;
   * everything else (a miss, an expired answer, a rate-limited key) goes through `resolveSlow`.
   */
  function resolve(owner: unknown, provider: unknown): Promise<ResolvedProviderKey> {
    if (typeof owner === 'string' && typeof provider === 'string') {
      const key = cacheKey(owner, provider);
      const hit = cache.get(key);
      if (hit !== undefined) {
        const now = clock();
        if (hit.expiresAt > now) {
          if (hit.kind === 'fallback') {
            if (hit.settled !== undefined) return hit.settled;
          } else if (rateLimited.size === 0 || !rateLimited.has(key)) {
            if (now - hit.lastUsedWrittenAt >= lastUsedInterval) touch(hit, now);
            return hit.settled;
          }
        }
      }
    }
    return resolveSlow(owner, provider);
  }

  async function resolveSlow(owner: unknown, provider: unknown): Promise<ResolvedProviderKey> {
    if (typeof owner === 'string' && typeof provider === 'string') {
      const key = cacheKey(owner, provider);
      const hit = cache.get(key);
      if (hit !== undefined) {
        const now = clock();
        if (hit.expiresAt > now) return answer(hit, key, now);
        cache.delete(key);
      }
    }
    const id = providerId(providers, provider);
    const scopedOwner = vault.forOwner(owner as string).owner; // INVALID_INPUT for a bad owner
    const key = cacheKey(scopedOwner, id);
    let inFlight = loading.get(key);
    if (inFlight === undefined) {
      inFlight = load(scopedOwner, id);
      loading.set(key, inFlight);
      const settled = inFlight;
      void settled.then(
        () => loading.get(key) === settled && loading.delete(key),
        () => loading.get(key) === settled && loading.delete(key),
      );
    }
    return answer(await inFlight, key, clock());
  }

  function refData(ref: ProviderKeyRef): RefData | undefined {
    return refs.get(ref);
  }

  function cachesAnotherKey(owner: string, provider: string, pin: KeyPin): boolean {
    const current = cache.get(cacheKey(owner, provider));
    return (
      current !== undefined &&
      current.kind === 'customer' &&
      (current.data.id !== pin.id || current.data.version !== pin.version)
    );
  }

  function rateLimit(
    owner: string,
    provider: string,
    pin: KeyPin,
    until: number,
    now: number,
  ): void {
    const key = cacheKey(owner, provider);
    if (!rateLimited.has(key) && rateLimited.size >= maxEntries) {
      for (const [k, v] of rateLimited) if (v.until <= now) rateLimited.delete(k);
      const oldest = rateLimited.keys().next();
      if (rateLimited.size >= maxEntries && oldest.done !== true) rateLimited.delete(oldest.value);
    }
    rateLimited.set(key, { ...pin, until });
  }

  async function flush(): Promise<void> {
    while (pending.size > 0) await Promise.all([...pending]);
  }

  return { resolve, refData, cachesAnotherKey, rateLimit, invalidate, flush };
}
