// Spawning the real `coffer` binary (bin/coffer.js, on the TypeScript sources through tsx and the
// @coffer/source condition, as `pnpm coffer` runs it) in a temporary directory, with an
// environment made for the test: nothing of the test runner's own COFFER_* variables leaks in.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The binary as installed: packages/cli/bin/coffer.js. */
export const BIN = join(here, '..', '..', 'bin', 'coffer.js');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The command line that runs the binary: node, its flags, the bin file. */
export function cliCommand(): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: ['--import', TSX, '--conditions=@coffer/source', BIN],
  };
}

/** A base environment: PATH and HOME only, plus the given variables. */
export function cliEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) env[name] = value;
  return env;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Bytes or text for stdin; stdin is closed empty when not given (unless `openStdin`). */
  input?: string | Buffer;
  /** Leave stdin open for the test to write to. */
  openStdin?: boolean;
}

/** Starts the binary; the caller reads its streams. */
export function spawnCli(args: readonly string[], options: CliOptions = {}): ChildProcess {
  const { command, args: prefix } = cliCommand();
  const child = spawn(command, [...prefix, ...args], {
    cwd: options.cwd ?? tmpdir(),
    env: cliEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin?.on('error', () => undefined);
  if (options.input !== undefined) child.stdin?.end(options.input);
  else if (options.openStdin !== true) child.stdin?.end();
  return child;
}

/** Runs the binary to its end. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, options);
  return collect(child);
}

/** Waits for `child` to end, collecting its output. */
export function collect(child: ChildProcess): Promise<CliResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (d: Buffer) => out.push(d));
  child.stderr?.on('data', (d: Buffer) => err.push(d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stdoutBytes = Buffer.concat(out);
      resolve({
        code,
        signal,
        stdout: stdoutBytes.toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        stdoutBytes,
      });
    });
  });
}

/** The one JSON document a `--json` command printed. */
export function json<T = Record<string, unknown>>(text: string): T {
  const lines = text.trim().split('\n');
  if (lines.length !== 1) throw new Error(`expected one JSON line, got ${lines.length}`);
  return JSON.parse(lines[0] as string) as T;
}

/** A temporary directory removed by the returned function. */
export function tempDir(label: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `coffer-cli-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
