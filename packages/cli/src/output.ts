// Where a command's words go. Results go to stdout (JSON with --json, pretty on a terminal, plain
// and parseable in a pipe); notes, progress and human-readable errors go to stderr, so a pipe
// receives only the result.
import { type CliOutputStream, type ResolvedIo, writeAll } from './io.js';
import { type Style, styleFor } from './style.js';

/** Printing helpers of one run. */
export interface Output {
  /** `--json` was given: results are one JSON document. */
  readonly json: boolean;
  /** stdout is a terminal and `--json` was not given: results may be formatted for people. */
  readonly pretty: boolean;
  /** Styles for stdout (identity unless pretty and colour allowed). */
  readonly style: Style;
  /** Styles for stderr. */
  readonly errStyle: Style;
  /** The stream results go to: stdout, or stderr for commands whose stdout carries data. */
  readonly resultStream: CliOutputStream;
  /** Writes text to stdout (a newline is added). */
  print(text: string): Promise<void>;
  /** Writes one JSON document (one line) to the result stream. */
  result(value: unknown): Promise<void>;
  /** Writes a line to stderr. */
  note(text: string): void;
}

/** The helpers for `io`, following `--json` and whether stdout is a terminal. */
export function createOutput(io: ResolvedIo, json: boolean, dataOnStdout: boolean): Output {
  const pretty = !json && io.stdout.isTTY === true;
  const resultStream = dataOnStdout ? io.stderr : io.stdout;
  return {
    json,
    pretty,
    style: pretty ? styleFor(io.stdout, io.env) : styleFor({}, io.env),
    errStyle: styleFor(io.stderr, io.env),
    resultStream,
    print: (text) => writeAll(io.stdout, `${text}\n`),
    result: (value) => writeAll(resultStream, `${JSON.stringify(value)}\n`),
    note: (text) => {
      io.stderr.write(`${text}\n`);
    },
  };
}
