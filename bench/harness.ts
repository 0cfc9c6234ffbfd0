// The benchmark harness: measures a subject against a baseline in the same run, alternating the two
// in rounds so machine noise hits both alike, and reports the ratio of their throughputs. Nothing is
// assumed: every number printed or written is one measured here.
import { performance } from 'node:perf_hooks';

/** A named function doing one operation per call (sync or async). */
export interface BenchFn {
  name: string;
  fn: () => unknown;
}

export interface CompareOptions {
  /** Starts with the package name, e.g. `envelope: seal+open 256 B vs node:crypto`. */
  name: string;
  /** The ratio the subject must reach (or stay under, with `atMost`). */
  target: number;
  /** When true the ratio is a cost (subject time / baseline time) and lower is better. */
  atMost?: boolean;
  baseline: BenchFn;
  subject: BenchFn | (() => unknown);
  /** Milliseconds per measuring round per function (default from BENCH_ROUND_MS or 200). */
  roundMs?: number;
  /** Rounds per function (default from BENCH_ROUNDS or 7); the median round counts. */
  rounds?: number;
}

export interface RatioEntry {
  name: string;
  ratio: number;
  baseline: string;
  target: number;
  atMost?: true;
  pass: boolean;
  subjectOpsPerSec: number;
  baselineOpsPerSec: number;
}

export interface ReportEntry {
  name: string;
  value: number;
  unit: string;
  target?: number;
  atMost?: true;
  pass?: boolean;
}

export type BenchEntry = RatioEntry | ReportEntry;

export interface BenchContext {
  /** Measures subject and baseline alternately and records their ratio. */
  compare(options: CompareOptions): Promise<RatioEntry>;
  /** Records a figure that is not a ratio (rows/s, ms of lag), optionally against a target. */
  report(entry: Omit<ReportEntry, 'pass'>): ReportEntry;
  /** Operations per second of one function (median of rounds), for benches that compose figures. */
  measure(fn: () => unknown, options?: { roundMs?: number; rounds?: number }): Promise<number>;
}

const DEFAULT_ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 200);
const DEFAULT_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** Runs `fn` repeatedly for about `ms` milliseconds; returns operations per second. */
async function round(fn: () => unknown, ms: number, isAsync: boolean): Promise<number> {
  let ops = 0;
  let batch = 1;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    if (isAsync) {
      for (let i = 0; i < batch; i++) await fn();
    } else {
      for (let i = 0; i < batch; i++) fn();
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
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function detectAsync(fn: () => unknown): Promise<boolean> {
  const first = fn();
  if (isPromise(first)) {
    await first;
    return true;
  }
  return false;
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(3);
}

export function createBenchContext(entries: BenchEntry[]): BenchContext {
  return {
    async measure(fn, options = {}) {
      const isAsync = await detectAsync(fn);
      const ms = options.roundMs ?? DEFAULT_ROUND_MS;
      await round(fn, ms, isAsync);
      const results: number[] = [];
      for (let i = 0; i < (options.rounds ?? DEFAULT_ROUNDS); i++) {
        results.push(await round(fn, ms, isAsync));
      }
      return median(results);
    },

    async compare(options) {
      const subject: BenchFn =
        typeof options.subject === 'function'
          ? { name: options.name, fn: options.subject }
          : options.subject;
      const ms = options.roundMs ?? DEFAULT_ROUND_MS;
      const rounds = options.rounds ?? DEFAULT_ROUNDS;
      const baseAsync = await detectAsync(options.baseline.fn);
      const subjAsync = await detectAsync(subject.fn);
      // Warm-up: JIT both paths before measuring.
      await round(options.baseline.fn, ms, baseAsync);
      await round(subject.fn, ms, subjAsync);
      const base: number[] = [];
      const subj: number[] = [];
      for (let i = 0; i < rounds; i++) {
        base.push(await round(options.baseline.fn, ms, baseAsync));
        subj.push(await round(subject.fn, ms, subjAsync));
      }
      const baselineOps = median(base);
      const subjectOps = median(subj);
      const ratio = options.atMost ? baselineOps / subjectOps : subjectOps / baselineOps;
      const pass = options.atMost ? ratio <= options.target : ratio >= options.target;
      const entry: RatioEntry = {
        name: options.name,
        ratio: Number(ratio.toFixed(4)),
        baseline: options.baseline.name,
        target: options.target,
        ...(options.atMost ? { atMost: true as const } : {}),
        pass,
        subjectOpsPerSec: Math.round(subjectOps),
        baselineOpsPerSec: Math.round(baselineOps),
      };
      entries.push(entry);
      const bound = options.atMost ? '≤' : '≥';
      console.log(
        `${pass ? 'PASS' : 'MISS'}  ${options.name}: ${ratio.toFixed(3)}x (target ${bound} ${options.target}) ` +
          `[${fmt(subjectOps)} op/s vs ${options.baseline.name} ${fmt(baselineOps)} op/s]`,
      );
      return entry;
    },

    report(r) {
      const pass =
        r.target === undefined ? undefined : r.atMost ? r.value <= r.target : r.value >= r.target;
      const entry: ReportEntry = { ...r, ...(pass === undefined ? {} : { pass }) };
      entries.push(entry);
      const tag = pass === undefined ? 'INFO' : pass ? 'PASS' : 'MISS';
      const bound =
        r.target === undefined ? '' : ` (target ${r.atMost ? '≤' : '≥'} ${r.target} ${r.unit})`;
      console.log(`${tag}  ${r.name}: ${fmt(r.value)} ${r.unit}${bound}`);
      return entry;
    },
  };
}
