// The command-line harness shared by Bun and Deno: the job (target, expectations, fixture) comes on
// stdin as JSON, the report goes to stdout as one marked JSON line. Only Web APIs and the runtime's
// own globals, so the same file also runs as a browser-conditions bundle (in Bun, Deno and Node).
import { runBench } from '../bench/bench-cases.ts';
import type { RoundOptions } from '../bench/measure.ts';
import {
  type CheckGroup,
  type CheckReport,
  runGroups,
  type TargetExpectations,
} from '../checks/check.ts';
import type { InteropFixture } from '../fixture.ts';

/** The marker before the report line on stdout. */
export const REPORT_MARKER = '@@coffer-runtime-report@@';

/** What the driver sends on stdin. */
export interface CliJob {
  readonly target: string;
  readonly expect: TargetExpectations;
  readonly fixture: InteropFixture;
  /** When set, the job is the bench (bench/bench-cases.ts) instead of the checks. */
  readonly bench?: RoundOptions;
}

interface BunGlobal {
  readonly version: string;
  readonly stdin: { text(): Promise<string> };
}
interface DenoGlobal {
  readonly version: { readonly deno: string };
  readonly stdin: { readonly readable: ReadableStream<Uint8Array> };
  exit(code: number): never;
}
interface NodeProcess {
  readonly version: string;
  readonly versions: { readonly node?: string };
  readonly stdin: AsyncIterable<Uint8Array>;
  exit(code: number): never;
}
const runtime = globalThis as { Bun?: BunGlobal; Deno?: DenoGlobal; process?: NodeProcess };

/** `bun 1.4.5`, `deno 2.9.6` or `node v20.20.2`. */
export function runtimeName(): string {
  if (runtime.Bun !== undefined) return `bun ${runtime.Bun.version}`;
  if (runtime.Deno !== undefined) return `deno ${runtime.Deno.version.deno}`;
  if (runtime.process?.versions.node !== undefined) return `node ${runtime.process.version}`;
  return 'unknown';
}

async function readStdin(): Promise<string> {
  if (runtime.Bun !== undefined) return runtime.Bun.stdin.text();
  if (runtime.Deno !== undefined) return new Response(runtime.Deno.stdin.readable).text();
  if (runtime.process !== undefined) {
    // Node running the Workers bundle (the bench's noble-on-Node reference).
    const chunks: Uint8Array[] = [];
    for await (const chunk of runtime.process.stdin) chunks.push(chunk);
    return new Response(new Blob(chunks)).text();
  }
  throw new Error('this harness runs on Bun, Deno or Node');
}

/** Reads the job, runs `groups`, prints the report, exits (worker threads must not hold it open). */
export async function runCli(groups: readonly CheckGroup[]): Promise<void> {
  const job = JSON.parse(await readStdin()) as CliJob;
  if (job.bench !== undefined) {
    console.log(`${REPORT_MARKER}${JSON.stringify(await runBench(runtimeName(), job.bench))}`);
    (runtime.Deno?.exit ?? runtime.process?.exit)?.(0);
    return;
  }
  const report: CheckReport = await runGroups(
    groups,
    { target: job.target, expect: job.expect, fixture: job.fixture },
    runtimeName(),
  );
  console.log(`${REPORT_MARKER}${JSON.stringify(report)}`);
  (runtime.Deno?.exit ?? runtime.process?.exit)?.(0);
}
