// What a run of the command talks to: its streams, its environment and the stop signal. The binary
// passes the process's own; tests and embedders pass theirs.

/**
 * A stream the command writes to (`process.stdout`, `process.stderr`, or any `Writable`).
 *
 * @example
 * ```ts
 * import { PassThrough } from 'node:stream';
 * import type { CliOutputStream } from '@coffer/cli';
 *
 * const captured: CliOutputStream = new PassThrough(); // not a terminal: plain output
 * ```
 */
export interface CliOutputStream {
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
  /** True when the stream is a terminal: output may then be pretty and progress drawn in place. */
  readonly isTTY?: boolean | undefined;
  /** Terminal width, when it is one. */
  readonly columns?: number | undefined;
}

/**
 * The stream the command reads input from (`process.stdin`): any async iterable of bytes.
 *
 * @example
 * ```ts
 * import { Readable } from 'node:stream';
 * import type { CliInputStream } from '@coffer/cli';
 *
 * const csv: CliInputStream = Readable.from([Buffer.from('email\na@example.com\n')]);
 * ```
 */
export interface CliInputStream extends AsyncIterable<unknown> {
  readonly isTTY?: boolean | undefined;
}

/**
 * The streams, environment and stop signal of one run of `run`. Every field is optional: the
 * process's own are used for the ones left out.
 *
 * @example
 * ```ts
 * import type { CliIo } from '@coffer/cli';
 *
 * const stop = new AbortController();
 * const io: CliIo = { env: { COFFER_DB_URL: 'postgres://app@db.internal/app' }, signal: stop.signal };
 * ```
 */
export interface CliIo {
  /** Input (`pii hash -`); `process.stdin` unless given. */
  stdin?: CliInputStream;
  /** Results and data; `process.stdout` unless given. */
  stdout?: CliOutputStream;
  /** Progress, notes and human-readable errors; `process.stderr` unless given. */
  stderr?: CliOutputStream;
  /** Environment variables (`COFFER_MASTER_KEYS`, `COFFER_DB_URL`, `NO_COLOR`); `process.env` unless given. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * Asks a long command to stop cleanly: `rewrap` after its current batch, `pii hash` after the
   * current chunk. Both then resolve with exit code 130. Other commands finish what they do.
   */
  signal?: AbortSignal;
}

/** A {@link CliIo} with every field filled in. */
export interface ResolvedIo {
  readonly stdin: CliInputStream;
  readonly stdout: CliOutputStream;
  readonly stderr: CliOutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal;
}

/** Fills the gaps of `io` with the process's own streams and environment. */
export function resolveIo(io: CliIo | undefined): ResolvedIo {
  return {
    stdin: io?.stdin ?? process.stdin,
    stdout: io?.stdout ?? process.stdout,
    stderr: io?.stderr ?? process.stderr,
    env: io?.env ?? process.env,
    signal: io?.signal ?? new AbortController().signal,
  };
}

/** Writes `text`, waiting for `drain` when the stream's buffer is full (large outputs). */
export async function writeAll(stream: CliOutputStream, text: string): Promise<void> {
  if (stream.write(text)) return;
  await new Promise<void>((resolve) => {
    stream.once('drain', resolve);
  });
}
