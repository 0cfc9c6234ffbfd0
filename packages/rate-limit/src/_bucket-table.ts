// GCRA buckets in process memory: one entry per id (a key id, a client address), holding one TAT
// per endpoint class it has used. Bounded: past `maxEntries` ids the least recently used goes.
// The recency order is refreshed at most once a second per entry, so a busy key costs one Map
// lookup per decision, not a delete and a re-insert.
import { gcraStep } from './_gcra.js';

interface Entry {
  /** Endpoint classes in use, and the TAT of each at the same index (µs). */
  readonly classes: string[];
  readonly tats: number[];
  /** When this entry last moved to the back of the recency order (µs). */
  bumpedAt: number;
}

const BUMP_EVERY_US = 1_000_000;

export class BucketTable {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** One GCRA step at `now` (µs): see `RateLimitStore.take` for the signed result. */
  take(
    id: string,
    endpointClass: string,
    now: number,
    intervalUs: number,
    capacityUs: number,
  ): number {
    const entry = this.#entry(id, now);
    const classes = entry.classes;
    let i = 0;
    while (i < classes.length && classes[i] !== endpointClass) i++;
    if (i === classes.length) {
      classes.push(endpointClass);
      entry.tats.push(0);
    }
    const tats = entry.tats;
    const step = gcraStep(tats[i] as number, now, intervalUs, capacityUs);
    if (step < 0) return step;
    tats[i] = step;
    return step - now;
  }

  /** Gives back one request taken at or before `now` (never below a full bucket). */
  refund(id: string, endpointClass: string, now: number, intervalUs: number): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    const i = entry.classes.indexOf(endpointClass);
    const tat = entry.tats[i];
    if (tat === undefined) return;
    entry.tats[i] = Math.max(now, tat - intervalUs);
  }

  delete(id: string): void {
    this.#entries.delete(id);
  }

  #entry(id: string, now: number): Entry {
    const map = this.#entries;
    let entry = map.get(id);
    if (entry === undefined) {
      entry = { classes: [], tats: [], bumpedAt: now };
      map.set(id, entry);
      if (map.size > this.#maxEntries) {
        const oldest = map.keys().next();
        if (oldest.done !== true) map.delete(oldest.value);
      }
    } else if (now - entry.bumpedAt >= BUMP_EVERY_US || now < entry.bumpedAt) {
      entry.bumpedAt = now;
      map.delete(id);
      map.set(id, entry);
    }
    return entry;
  }
}
