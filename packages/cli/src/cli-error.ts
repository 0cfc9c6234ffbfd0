// The CLI's own failures: a CofferError with a stable code and the exit code it ends the process
// with. Messages never carry argument values (a misplaced secret would be echoed): they name the
// option instead.
import { CofferError } from '@coffer/core';
import { EXIT_CODES, type ExitCode } from './exit-codes.js';

/** A failure of the command line itself, with the exit code it maps to. */
export class CliError extends CofferError {
  /** The process exit code for this failure. */
  readonly exitCode: ExitCode;

  constructor(
    code: string,
    message: string,
    exitCode: ExitCode,
    details?: Record<string, unknown>,
  ) {
    super(code, message, details === undefined ? {} : { details });
    this.exitCode = exitCode;
  }
}

/** Bad arguments (exit 2). */
export function usageError(message: string, details?: Record<string, unknown>): CliError {
  return new CliError('USAGE', message, EXIT_CODES.usage, details);
}

/** Missing or unsafe configuration: master keys, pepper, secret files (exit 3). */
export function configError(
  code: string,
  message: string,
  details?: Record<string, unknown>,
): CliError {
  return new CliError(code, message, EXIT_CODES.config, details);
}

/** The database cannot be reached, opened or used (exit 4). */
export function databaseError(
  code: string,
  message: string,
  details?: Record<string, unknown>,
): CliError {
  return new CliError(code, message, EXIT_CODES.database, details);
}

/** The target's state forbids the action (exit 5). */
export function refusedError(
  code: string,
  message: string,
  details?: Record<string, unknown>,
): CliError {
  return new CliError(code, message, EXIT_CODES.refused, details);
}
