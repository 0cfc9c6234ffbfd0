// How a client learns that a cached secret reached its TTL without reading a clock on every read
// (a clock read costs ~100 ns here, ten Map lookups). Where timers outlive the call that set them
// and can be unref'd (Node, Bun), an unref'd timer clears the entry's "hot" slot at the TTL, and a
// warm read is one property check. Elsewhere (Cloudflare Workers cancel a request's timers when it
// answers; Deno's timers have no unref) the client compares the clock on every read instead.

/** A scheduled expiry; `cancel` is idempotent. */
export interface Expiry {
  cancel(): void;
}

/**
 * Calls `expire` after `ms` through an unref'd timer, or returns `undefined` when this runtime's
 * timers cannot be unref'd (the caller then checks the clock on each read).
 */
export function scheduleExpiry(ms: number, expire: () => void): Expiry | undefined {
  if (typeof setTimeout !== 'function') return undefined;
  const handle: unknown = setTimeout(expire, ms);
  const unref = (handle as { unref?: unknown } | null)?.unref;
  if (typeof handle !== 'object' || handle === null || typeof unref !== 'function') {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
    return undefined;
  }
  unref.call(handle);
  return { cancel: () => clearTimeout(handle as ReturnType<typeof setTimeout>) };
}
