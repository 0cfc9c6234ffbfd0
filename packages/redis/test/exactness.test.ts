// Exactness across processes: 4 real processes send 1,000 requests each at one bucket through
// Redis (with the local denial cache on). Between the first and the last request the bucket is
// never idle, so GCRA admits exactly burst + floor(elapsed / T): the count must lie between that
// bound computed on Redis TIME taken inside the run (minus one for the last interval) and the
// same bound over the whole run — and never above it.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { REDIS_URL, removePrefix, uniquePrefix } from './redis-server.js';

const prefix = uniquePrefix('exactness');
afterAll(() => removePrefix(prefix));

const child = fileURLToPath(new URL('./fixtures/exactness-child.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

interface Report {
  admitted: number;
  viaStore: number;
  fallbacks: number;
  firstBefore: number;
  firstAfter: number;
  lastBefore: number;
  lastAfter: number;
}

function run(args: string[]): {
  process: ChildProcess;
  ready: Promise<void>;
  report: Promise<Report>;
} {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@coffer/source', child, ...args],
    {
      cwd: root,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  let out = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const report = new Promise<Report>((resolve, reject) => {
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('ready\n')) onReady();
    });
    proc.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || line === undefined) reject(new Error(`child exited ${code}: ${out}`));
      else resolve(JSON.parse(line) as Report);
    });
  });
  return { process: proc, ready, report };
}

it('4 processes × 1,000 requests at one bucket admit exactly burst + rate × elapsed, never more', async () => {
  const rate = 20;
  const burst = 20;
  const intervalUs = 1_000_000 / rate;
  const children = Array.from({ length: 4 }, () =>
    run([REDIS_URL, prefix, 'one-bucket', '1000', '2', String(rate), String(burst)]),
  );
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.process.stdin?.end('go\n');
  const reports = await Promise.all(children.map((c) => c.report));
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
