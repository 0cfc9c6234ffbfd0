/**
 * The exit codes of the `coffer` command, by meaning. Scripts can match on them; they are stable.
 *
 * | code | name | meaning |
 * |---|---|---|
 * | 0 | `ok` | the command did what it was asked |
 * | 1 | `internal` | an unexpected error (a bug): the message names only the error's type |
 * | 2 | `usage` | bad arguments: an unknown option, a missing or malformed value |
 * | 3 | `config` | master keys, pepper or a secret file missing, malformed or readable by others |
 * | 4 | `database` | the database cannot be reached or opened, or has no coffer tables yet |
 * | 5 | `refused` | the target's state forbids it: no such API key, a revoked key, a file that exists |
 * | 6 | `incomplete` | the work ran but is not clean: keys that do not open the data, rows that failed to rewrap, bad input rows |
 * | 130 | `interrupted` | stopped by Ctrl-C (SIGINT) or SIGTERM; a rewrap resumes where it stopped |
 *
 * @example
 * ```ts
 * import { EXIT_CODES } from '@coffer/cli';
 *
 * EXIT_CODES.incomplete; // 6
 * Object.values(EXIT_CODES).includes(130); // true
 * ```
 */
export const EXIT_CODES: Readonly<{
  ok: 0;
  internal: 1;
  usage: 2;
  config: 3;
  database: 4;
  refused: 5;
  incomplete: 6;
  interrupted: 130;
}> = Object.freeze({
  ok: 0,
  internal: 1,
  usage: 2,
  config: 3,
  database: 4,
  refused: 5,
  incomplete: 6,
  interrupted: 130,
} as const);

/**
 * One of {@link EXIT_CODES}' values.
 *
 * @example
 * ```ts
 * import { EXIT_CODES, type ExitCode } from '@coffer/cli';
 *
 * const retryLater = (code: ExitCode) => code === EXIT_CODES.database || code === EXIT_CODES.interrupted;
 * retryLater(4); // true
 * ```
 */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];
