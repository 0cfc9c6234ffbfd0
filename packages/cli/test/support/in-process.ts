// Running `run` in this process with captured streams: for the many argument and error cases that
// need no child process.
import { PassThrough } from 'node:stream';
import { run } from '../../src/index.ts';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `argv` with `env` (nothing of this process's environment) and empty stdin. */
export async function runHere(
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<Ran> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (d: Buffer) => out.push(d));
  stderr.on('data', (d: Buffer) => err.push(d));
  const stdin = new PassThrough();
  stdin.end();
  const code = await run(argv, { stdout, stderr, stdin, env });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}
