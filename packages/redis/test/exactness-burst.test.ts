// Exactness across processes that does not depend on timing. The 4-process test in
// exactness.test.ts bounds admissions by Redis TIME around the run, which checks the rate but
// leaves a request or two of slack and needs the processes to keep the bucket busy. Here the
// bucket cannot refill during the run (one request per 1,000 s), so the policy allows exactly
// `burst` however the machine schedules the processes: 4 × 1,000 concurrent requests (batched,
// with the denial cache) must admit exactly the burst, and the Remaining they were told must be
// burst−1, …, 1, 0, each exactly once — no two admissions saw the same bucket state.
import { afterAll, expect, it } from 'vitest';
import { runTogether } from './exactness-children.js';
import { REDIS_URL, removePrefix, uniquePrefix } from './redis-server.js';

const prefix = uniquePrefix('exactness-burst');
afterAll(() => removePrefix(prefix));

it('4 processes × 1,000 requests at a bucket that cannot refill admit exactly the burst, each Remaining once', async () => {
  const burst = 60;
  const reports = await runTogether(4, [
    REDIS_URL,
    prefix,
    'burst-bucket',
    '1000',
    '0',
    '0.001',
    String(burst),
  ]);
  expect(reports.every((r) => r.fallbacks === 0)).toBe(true);
  const admitted = reports.reduce((n, r) => n + r.admitted, 0);
  expect(admitted).toBe(burst);
  const told = reports.flatMap((r) => r.remaining).sort((a, b) => a - b);
  expect(told).toEqual(Array.from({ length: burst }, (_, i) => i));
  // Floods cost nothing: after its first refusal, each process answers the rest locally.
  const viaStore = reports.reduce((n, r) => n + r.viaStore, 0);
  expect(viaStore).toBeLessThan(burst + 4 * 16);
}, 120_000);
