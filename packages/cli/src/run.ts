// One run of the command line: pick the command, parse its arguments, run it, and turn any error
// into a message (or a JSON error) and an exit code. Nothing here calls process.exit: the binary
// does, with the code this returns.
import { isCofferError } from '@coffer/core';
import { parseCommandArgs } from './args.js';
import { CliError, usageError } from './cli-error.js';
import type { CommandSpec } from './command.js';
import { COMMANDS } from './commands/index.js';
import { databaseFailure } from './db-errors.js';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';
import { commandHelp, GLOBAL_OPTIONS, globalHelp, groupHelp } from './help.js';
import { type CliIo, type ResolvedIo, resolveIo, writeAll } from './io.js';
import { createOutput } from './output.js';
import { groupCommands, resolveCommand } from './resolve-command.js';
import { printable, styleFor } from './style.js';
import { cliVersion } from './version.js';

const BY_CODE: Readonly<Record<string, ExitCode>> = {
  INVALID_INPUT: EXIT_CODES.usage,
  INVALID_ENCODING: EXIT_CODES.usage,
  INVALID_KEYRING: EXIT_CODES.config,
  INVALID_PEPPER: EXIT_CODES.config,
  KEY_PROVIDER_FAILED: EXIT_CODES.config,
  STORE_OPEN_FAILED: EXIT_CODES.database,
  STORE_BUSY: EXIT_CODES.database,
  MIGRATION_FAILED: EXIT_CODES.database,
  NOT_FOUND: EXIT_CODES.refused,
  KEY_REVOKED: EXIT_CODES.refused,
  API_KEY_CONFLICT: EXIT_CODES.refused,
  KEYS_MISSING: EXIT_CODES.incomplete,
  UNKNOWN_KEK: EXIT_CODES.incomplete,
  RETIRED_KEK: EXIT_CODES.incomplete,
  DECRYPT_FAILED: EXIT_CODES.incomplete,
};

interface Failure {
  readonly exitCode: ExitCode;
  readonly code: string;
  readonly message: string;
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/** What to tell about `error`: coffer's own messages as they are, others by their type only. */
function failureOf(error: unknown): Failure {
  if (error instanceof CliError) {
    return {
      exitCode: error.exitCode,
      code: error.code,
      message: error.message,
      details: error.details,
    };
  }
  if (isCofferError(error)) {
    const exitCode = Object.hasOwn(BY_CODE, error.code)
      ? (BY_CODE[error.code] as ExitCode)
      : EXIT_CODES.internal;
    return { exitCode, code: error.code, message: error.message, details: error.details };
  }
  const database = databaseFailure(error);
  if (database !== undefined) {
    return {
      exitCode: database.exitCode,
      code: database.code,
      message: database.message,
      details: database.details,
    };
  }
  // A foreign message may quote input or a connection string: only the type is shown.
  const name = error instanceof Error ? error.name : typeof error;
  return {
    exitCode: EXIT_CODES.internal,
    code: 'INTERNAL',
    message: `Unexpected error (${name}). This is a bug in coffer; please report it with the command you ran (without secrets).`,
  };
}

async function report(
  io: ResolvedIo,
  error: unknown,
  json: boolean,
  spec: CommandSpec | undefined,
): Promise<ExitCode> {
  const failure = failureOf(error);
  if (json) {
    const stream = spec?.dataOnStdout === true ? io.stderr : io.stdout;
    await writeAll(
      stream,
      `${JSON.stringify({
        ok: false,
        error: {
          code: failure.code,
          message: failure.message,
          ...(failure.details === undefined ? {} : { details: failure.details }),
        },
        exitCode: failure.exitCode,
      })}\n`,
    );
    return failure.exitCode;
  }
  const style = styleFor(io.stderr, io.env);
  const who = spec === undefined ? 'coffer' : `coffer ${spec.name}`;
  io.stderr.write(`${style.red(`${who}:`)} ${printable(failure.message)}\n`);
  if (failure.exitCode === EXIT_CODES.usage && spec !== undefined) {
    io.stderr.write(`Run "coffer ${spec.name} --help" for its options and examples.\n`);
  }
  return failure.exitCode;
}

/** The arguments before `--`. */
function options(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end < 0 ? argv : argv.slice(0, end);
}

const WORD = /^[a-z][a-z0-9-]{0,30}$/;

/**
 * Runs the `coffer` command line with `argv` (the arguments after the program name) and resolves
 * with its exit code (see {@link EXIT_CODES}). It never calls `process.exit`; long commands
 * stop cleanly when `io.signal` aborts.
 *
 * @param argv e.g. `['keygen', '--json']`.
 * @param io Streams, environment and stop signal; the process's own unless given.
 * @returns The exit code. Failures are reported on stderr (or as JSON with `--json`), never thrown.
 * @example
 * ```ts
 * import { PassThrough } from 'node:stream';
 * import { EXIT_CODES, run } from '@coffer/cli';
 *
 * const stdout = new PassThrough();
 * const code = await run(['keygen', '--only', 'pepper', '--json'], { stdout });
 * code === EXIT_CODES.ok; // true
 * JSON.parse(String(stdout.read())).pepper.version; // 'v1'
 * ```
 */
export async function run(argv: readonly string[], io?: CliIo): Promise<ExitCode> {
  const resolved = resolveIo(io);
  const given = options(argv);
  const json = given.includes('--json');
  const help = given.includes('--help') || given.includes('-h');
  let spec: CommandSpec | undefined;
  try {
    const first = argv[0];
    if (first === undefined) {
      resolved.stderr.write(globalHelp(COMMANDS, cliVersion()));
      return EXIT_CODES.usage;
    }
    if (first === '--version') {
      await writeAll(resolved.stdout, `${cliVersion()}\n`);
      return EXIT_CODES.ok;
    }
    if (first === '--help' || first === '-h' || (first === 'help' && argv.length === 1)) {
      await writeAll(resolved.stdout, globalHelp(COMMANDS, cliVersion()));
      return EXIT_CODES.ok;
    }
    const words = first === 'help' ? argv.slice(1) : argv;
    const match = resolveCommand(words);
    if (match === undefined) {
      const group = groupCommands(words[0]);
      if (group.length > 0) {
        if (help || first === 'help') {
          await writeAll(resolved.stdout, groupHelp(words[0] as string, group));
          return EXIT_CODES.ok;
        }
        resolved.stderr.write(groupHelp(words[0] as string, group));
        const sub = words[1];
        throw usageError(
          sub === undefined || sub.startsWith('-')
            ? `"coffer ${words[0]}" needs a command.`
            : WORD.test(sub)
              ? `"coffer ${words[0]} ${sub}" is not a command.`
              : `That is not a command of "coffer ${words[0]}".`,
        );
      }
      throw usageError(
        first !== undefined && WORD.test(first)
          ? `"${first}" is not a coffer command; run "coffer --help" for the list.`
          : 'That is not a coffer command; run "coffer --help" for the list.',
      );
    }
    spec = match.spec;
    if (help || first === 'help') {
      await writeAll(resolved.stdout, commandHelp(spec));
      return EXIT_CODES.ok;
    }
    const args = parseCommandArgs(
      match.rest,
      { ...spec.options, ...GLOBAL_OPTIONS },
      spec.positionals ?? [],
    );
    const out = createOutput(resolved, args.boolean('json'), spec.dataOnStdout === true);
    return await spec.run({ args, io: resolved, out });
  } catch (error) {
    return await report(resolved, error, json, spec);
  }
}
