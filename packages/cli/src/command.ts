// The shape of one command. A command group (`api-keys`, `pii`, …) is one file exporting its
// commands; src/commands/index.ts registers each group with one line.
import type { Args, OptionSpecs, PositionalSpec } from './args.js';
import type { ExitCode } from './exit-codes.js';
import type { ResolvedIo } from './io.js';
import type { Output } from './output.js';

/** What a command's `run` gets. */
export interface CommandContext {
  /** The command's parsed options and positionals. */
  readonly args: Args;
  /** Streams, environment, stop signal. */
  readonly io: ResolvedIo;
  /** Printing helpers that follow `--json` and terminal-or-pipe. */
  readonly out: Output;
}

/** One example in a command's help: the command line and what it does. */
export interface CommandExample {
  readonly command: string;
  readonly note: string;
}

/** One command, e.g. `rewrap` or `api-keys mint`. */
export interface CommandSpec {
  /** The words that select it, e.g. `api-keys mint`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The usage line after `coffer `, e.g. `rewrap --db <url> [options]`. */
  readonly usage: string;
  /** Paragraphs shown by `--help` after the usage line. */
  readonly description?: readonly string[];
  readonly options: OptionSpecs;
  readonly positionals?: readonly PositionalSpec[];
  /** At least one; shown by `--help` and run by the tests of docs/cli.md. */
  readonly examples: readonly CommandExample[];
  /** True when the stop signal (Ctrl-C) ends it cleanly; otherwise Ctrl-C ends the process at once. */
  readonly interruptible?: boolean;
  /** True when stdout carries the command's data (`pii hash`): summaries and errors go to stderr. */
  readonly dataOnStdout?: boolean;
  run(ctx: CommandContext): Promise<ExitCode>;
}
