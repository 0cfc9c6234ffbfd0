// Node-side plumbing shared by the checks and the bench drivers: the Workers-style bundles, the
// runtime processes (job on stdin, marked JSON line on stdout), Deno's permissions, miniflare.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import type { TargetExpectations } from './checks/check.ts';
import { type CliJob, REPORT_MARKER } from './entries/cli-io.ts';
import type { InteropFixture } from './fixture.ts';
import { bunBinary, COMPATIBILITY_DATE, denoBinary, runtimesDir, workersBuild } from './targets.ts';

export const NATIVE: TargetExpectations = { cryptoBackend: 'node', workerThreads: true };
export const PORTABLE: TargetExpectations = { cryptoBackend: 'noble', workerThreads: false };
const TIMEOUT_MS = 300_000;

/** Bundles `entry` (relative to runtimes/) the way a Workers build would; returns the file. */
export async function bundle(entry: string, outDir: string, name: string): Promise<string> {
  const result = await build(workersBuild(join(runtimesDir, entry)));
  const js = result.outputFiles?.[0]?.text;
  if (js === undefined) throw new Error(`esbuild wrote nothing for ${entry}`);
  const file = join(outDir, `${name}.mjs`);
  writeFileSync(file, js);
  return file;
}

/** Runs a harness process: the job on stdin, the result from the marked stdout line. */
export function runCliProcess<T>(command: string, args: string[], job: CliJob): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: runtimesDir, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(REPORT_MARKER));
      if (line === undefined) {
        reject(
          new Error(
            `${job.target} exited ${code} without a report:\n${(stderr || stdout).slice(-3000)}`,
          ),
        );
        return;
      }
      resolve(JSON.parse(line.slice(REPORT_MARKER.length)) as T);
    });
    // A harness that dies at start-up closes stdin early: the exit code and stderr tell why.
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(job));
  });
}

/**
 * Deno's permissions, as narrow as the checks allow: read the repository, write temporary SQLite
 * files, listen on and call 127.0.0.1 (the Express example), the OS facts node:os reports.
 */
export const DENO_RUN = [
  'run',
  '--no-lock',
  '--no-prompt',
  '--allow-read',
  `--allow-write=${tmpdir()}`,
  '--allow-env',
  '--allow-net=127.0.0.1',
  '--allow-sys',
];

/** A runtime process to run a harness in. */
export interface CliTarget {
  readonly name: string;
  readonly expect: TargetExpectations;
  readonly command: string;
  readonly args: readonly string[];
}

/** Bun and Deno, natively (their own resolution of the sources) and from the Workers bundle. */
export function cliTargets(portableScript: string): CliTarget[] {
  const bun = bunBinary();
  const deno = denoBinary();
  return [
    {
      name: 'bun',
      expect: NATIVE,
      command: bun,
      args: ['--conditions=@coffer/source', 'src/entries/bun.ts'],
    },
    { name: 'bun (Workers bundle)', expect: PORTABLE, command: bun, args: [portableScript] },
    {
      name: 'deno',
      expect: NATIVE,
      command: deno,
      args: [...DENO_RUN, '--sloppy-imports', '--conditions=@coffer/source', 'src/entries/deno.ts'],
    },
    {
      name: 'deno (Workers bundle)',
      expect: PORTABLE,
      command: deno,
      args: [...DENO_RUN, portableScript],
    },
  ];
}

/** A Miniflare instance running `script` with the run's fixture bound (no compatibility flags). */
export function workerdFor(script: string, fixture: InteropFixture, target: string): Miniflare {
  return new Miniflare({
    modules: true,
    script: readFileSync(script, 'utf8'),
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { FIXTURE: fixture, TARGET: target, EXPECT: PORTABLE },
  });
}
