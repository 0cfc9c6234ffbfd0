// A portable copy of bench/harness.ts's comparison (that one needs node:perf_hooks and
// process.env): warm both functions up, alternate baseline and subject in rounds, take the median
// round of each, and return subject throughput ÷ baseline throughput. Runs in workerd, Bun, Deno.

/** One operation per call, sync or async. */
export type Op = () => unknown;

export interface RoundOptions {
  readonly rounds: number;
  readonly roundMs: number;
}

export interface Ratio {
  readonly ratio: number;
  readonly subjectOpsPerSec: number;
  readonly baselineOpsPerSec: number;
}

const isPromise = (value: unknown): value is Promise<unknown> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';

async function round(fn: Op, ms: number): Promise<number> {
  let ops = 0;
  let batch = 1;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < batch; i++) {
      const r = fn();
      if (isPromise(r)) await r;
    }
    ops += batch;
    elapsed = performance.now() - start;
    if (elapsed < ms / 20) batch *= 2;
  }
  return (ops * 1000) / elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Subject throughput ÷ baseline throughput, measured alternately. */
export async function compare(baseline: Op, subject: Op, options: RoundOptions): Promise<Ratio> {
  await round(baseline, options.roundMs);
  await round(subject, options.roundMs);
  const base: number[] = [];
  const subj: number[] = [];
  for (let i = 0; i < options.rounds; i++) {
    base.push(await round(baseline, options.roundMs));
    subj.push(await round(subject, options.roundMs));
  }
  const baselineOpsPerSec = median(base);
  const subjectOpsPerSec = median(subj);
  return {
    ratio: subjectOpsPerSec / baselineOpsPerSec,
    subjectOpsPerSec: Math.round(subjectOpsPerSec),
    baselineOpsPerSec: Math.round(baselineOpsPerSec),
  };
}
