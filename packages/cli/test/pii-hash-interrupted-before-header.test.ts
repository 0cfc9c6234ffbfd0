// Ctrl-C while `pii hash -` still waits for its first line (a producer that has not started
// writing): the run reported "The input has no header row" (exit 2) — a bad file — instead of
// an interruption. Now it is exit 130 with the summary saying interrupted, and no output. Run in
// process (`run` with the stop signal the binary wires to SIGINT): a child cannot tell when its
// handler is installed, and before that SIGINT just kills it.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES, run } from '../src/index.ts';

describe('pii hash interrupted before the header', () => {
  it.each([
    ['while waiting for the first byte', ''],
    ['in the middle of the header line', 'ema'],
  ])('%s: exit 130 with interrupted: true, not a usage error', async (_name, partial) => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const err: Buffer[] = [];
    const out: Buffer[] = [];
    stdout.on('data', (d: Buffer) => out.push(d));
    stderr.on('data', (d: Buffer) => err.push(d));
    if (partial !== '') stdin.write(partial);
    const stop = new AbortController();
    const running = run(['pii', 'hash', '--profile', 'meta', '--json', '-'], {
      stdin,
      stdout,
      stderr,
      env: {},
      signal: stop.signal,
    });
    setTimeout(() => stop.abort(), 50);
    const code = await running;
    const text = Buffer.concat(err).toString();
    expect(code, text).toBe(EXIT_CODES.interrupted);
    expect(Buffer.concat(out).toString()).toBe('');
    const summary = JSON.parse(text.trim().split('\n').at(-1) ?? '');
    expect(summary).toMatchObject({ event: 'summary', interrupted: true, rows: 0, written: 0 });
    stdin.destroy();
  });
});
