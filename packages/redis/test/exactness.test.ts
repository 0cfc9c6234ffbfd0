// Exactness across processes: 4 real processes send 1,000 requests each at one bucket through
// Redis (with the local denial cache on). Between the first and the last request the bucket is
// never idle, so GCRA admits exactly burst + floor(elapsed / T): the count must lie between that
// bound computed on Redis TIME taken inside the run (minus one for the last interval) and the
// same bound over the whole run — and never above it.
import { afterAll, expect, it } from 'vitest';
import { runTogether } from './exactness-children.js';
import { REDIS_URL, removePrefix, uniquePrefix } from './redis-server.js';

const prefix = uniquePrefix('exactness');
afterAll(() => removePrefix(prefix));

it('4 processes × 1,000 requests at one bucket admit exactly burst + rate × elapsed, never more', async () => {
  const rate = 20;
  const burst = 20;
  const intervalUs = 1_000_000 / rate;
  const reports = await runTogether(4, [
    REDIS_URL,
    prefix,
    'one-bucket',
    '1000',
    '2',
    String(rate),
    String(burst),
  ]);
  const admitted = reports.reduce((n, r) => n + r.admitted, 0);
  const start = Math.min(...reports.map((r) => r.firstBefore));
  const end = Math.max(...reports.map((r) => r.lastAfter));
  const innerStart = Math.min(...reports.map((r) => r.firstAfter));
  const innerEnd = Math.max(...reports.map((r) => r.lastBefore));
  const most = burst + Math.floor((end - start) / intervalUs);
  const least = burst + Math.floor((innerEnd - innerStart) / intervalUs) - 1;
  expect(reports.every((r) => r.fallbacks === 0)).toBe(true);
  expect(admitted).toBeLessThanOrEqual(most);
  expect(admitted).toBeGreaterThanOrEqual(least);
  expect(most - least).toBeLessThanOrEqual(3); // the bounds are tight: this is exact
  // Floods cost nothing: most refusals were answered without a round trip.
  const viaStore = reports.reduce((n, r) => n + r.viaStore, 0);
  expect(viaStore).toBeLessThan(4000 / 2);
}, 120_000);
