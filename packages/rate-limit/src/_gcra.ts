// The generic cell rate algorithm on one bucket, in whole microseconds (doubles hold them exactly
// up to 2^53 µs, about 285 years). State is one number per bucket: the theoretical arrival time
// (TAT) of the next request at the sustained rate. A request at `now` is admitted when
// `max(tat, now) + T − burst·T ≤ now`, i.e. the bucket is not more than `burst` intervals ahead;
// admitting moves the TAT one interval T on. The Redis store runs the same arithmetic in Lua.

/**
 * One GCRA step. Returns the new TAT when admitted, or `-(µs until admitted)` when refused; the
 * caller stores the TAT only on admission. `tat` is the stored TAT (anything ≤ now means "full").
 */
export function gcraStep(tat: number, now: number, intervalUs: number, capacityUs: number): number {
  const next = Math.max(tat, now) + intervalUs;
  const allowAt = next - capacityUs;
  return allowAt > now ? -(allowAt - now) : next;
}
