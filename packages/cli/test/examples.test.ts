// The @example blocks of the package's public TSDoc, run as written.
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  type CliInputStream,
  type CliIo,
  type CliOutputStream,
  EXIT_CODES,
  type ExitCode,
  run,
} from '../src/index.ts';

describe('TSDoc examples', () => {
  it('EXIT_CODES', () => {
    expect(EXIT_CODES.incomplete).toBe(6);
    expect(Object.values(EXIT_CODES).includes(130)).toBe(true);
  });

  it('run', async () => {
    const stdout = new PassThrough();
    const code = await run(['keygen', '--only', 'pepper', '--json'], { stdout });
    expect(code === EXIT_CODES.ok).toBe(true);
    expect(JSON.parse(String(stdout.read())).pepper.version).toBe('v1');
  });

  it('ExitCode', () => {
    const retryLater = (code: ExitCode) =>
      code === EXIT_CODES.database || code === EXIT_CODES.interrupted;
    expect(retryLater(4)).toBe(true);
  });

  it('CliOutputStream, CliInputStream and CliIo, driving a run', async () => {
    const captured: CliOutputStream = new PassThrough();
    const csv: CliInputStream = Readable.from([Buffer.from('email\na@example.com\n')]);
    const stop = new AbortController();
    const io: CliIo = {
      env: { COFFER_DB_URL: 'postgres://app@db.internal/app' },
      signal: stop.signal,
    };
    const stderr = new PassThrough();
    const code = await run(['pii', 'hash', '--profile', 'meta', '-'], {
      ...io,
      stdin: csv,
      stdout: captured,
      stderr,
    });
    expect(code).toBe(EXIT_CODES.ok);
    expect(String((captured as PassThrough).read()).split('\n')[0]).toBe('em');
  });
});
