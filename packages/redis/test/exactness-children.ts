// The processes of the exactness tests: each runs fixtures/exactness-child.ts, says "ready" once
// connected, starts on "go" and reports what it saw as one JSON line.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('./fixtures/exactness-child.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

export interface ChildReport {
  admitted: number;
  /** `remaining` of each admitted decision, in the order this process saw them. */
  remaining: number[];
  viaStore: number;
  fallbacks: number;
  firstBefore: number;
  firstAfter: number;
  lastBefore: number;
  lastAfter: number;
}

export interface RunningChild {
  readonly process: ChildProcess;
  readonly ready: Promise<void>;
  readonly report: Promise<ChildReport>;
}

/** Args: url, prefix, keyId, count, gapMs, rate (per second), burst. */
export function runChild(args: string[]): RunningChild {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@coffer/source', child, ...args],
    { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const report = new Promise<ChildReport>((resolve, reject) => {
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('ready\n')) onReady();
    });
    proc.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || line === undefined) reject(new Error(`child exited ${code}: ${out}`));
      else resolve(JSON.parse(line) as ChildReport);
    });
  });
  return { process: proc, ready, report };
}

/** Starts `n` children, waits until all are connected, then lets them go at once. */
export async function runTogether(n: number, args: string[]): Promise<ChildReport[]> {
  const children = Array.from({ length: n }, () => runChild(args));
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.process.stdin?.end('go\n');
  return Promise.all(children.map((c) => c.report));
}
