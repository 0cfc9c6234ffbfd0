import { CofferError } from '@coffer/core';

/** What is wrong with better-sqlite3's native addon. */
export type SqliteBindingProblem = 'not-built' | 'wrong-node-version' | 'load-failed';

const REMEDY =
  'pnpm 10 skips install scripts unless a package is allowed to run them: run `pnpm approve-builds` and allow better-sqlite3 (or list it under `onlyBuiltDependencies` in pnpm-workspace.yaml), then `pnpm rebuild better-sqlite3`. With npm: `npm rebuild better-sqlite3` (and do not install with --ignore-scripts). Building from source needs python3, make and a C++ compiler.';

function messageFor(problem: SqliteBindingProblem, versions: string): string {
  switch (problem) {
    case 'not-built':
      return `better-sqlite3's native addon is not built: its install script did not run, so there is no better_sqlite3.node to load. ${REMEDY}`;
    case 'wrong-node-version':
      return `better-sqlite3's native addon was built for another Node.js version${versions}. Rebuild it with the Node.js that runs the app: \`npm rebuild better-sqlite3\` or \`pnpm rebuild better-sqlite3\`.`;
    case 'load-failed':
      return `better-sqlite3's native addon could not be loaded (it was built for another platform, architecture or C library). Rebuild it on this machine: \`npm rebuild better-sqlite3\` or \`pnpm rebuild better-sqlite3\`. ${REMEDY}`;
  }
}

/**
 * better-sqlite3 is installed but its native addon cannot be used, so no SQLite database can be
 * opened at all: it was never built (pnpm 10 and `--ignore-scripts` skip its install script), was
 * built for another Node.js version, or does not load on this machine. Code
 * `STORE_DRIVER_UNAVAILABLE`, status 500; `details.problem` says which; the message says how to
 * build it; `cause` is the loader's error.
 *
 * @example
 * ```ts
 * import { SqliteBindingError } from '@coffer/store-sqlite';
 *
 * const err = new SqliteBindingError('not-built');
 * err.code; // 'STORE_DRIVER_UNAVAILABLE'
 * err.message.includes('pnpm approve-builds'); // true
 * ```
 */
export class SqliteBindingError extends CofferError {
  /**
   * @param problem What is wrong with the addon.
   * @param cause The loader's error (it names file paths, never data).
   */
  constructor(problem: SqliteBindingProblem, cause?: unknown) {
    super('STORE_DRIVER_UNAVAILABLE', messageFor(problem, nodeVersionsIn(cause)), {
      status: 500,
      details: { driver: 'better-sqlite3', problem },
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/**
 * @internal Whether `error`, thrown by `new Database()`, means the native addon is unusable (and
 * how), rather than anything about the file. better-sqlite3 loads its addon lazily in the
 * constructor, through the `bindings` package.
 */
export function bindingProblemOf(error: unknown): SqliteBindingProblem | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.message.startsWith('Could not locate the bindings file')) return 'not-built';
  if (error.message.includes('NODE_MODULE_VERSION')) return 'wrong-node-version';
  if ((error as { code?: unknown }).code === 'ERR_DLOPEN_FAILED') return 'load-failed';
  return undefined;
}

// " (built for NODE_MODULE_VERSION 137, this Node.js needs 115)": numbers only, from Node's message.
function nodeVersionsIn(cause: unknown): string {
  if (!(cause instanceof Error)) return '';
  const found = [...cause.message.matchAll(/NODE_MODULE_VERSION (\d{1,5})/g)].map((m) => m[1]);
  return found.length === 2
    ? ` (built for NODE_MODULE_VERSION ${found[0]}, this Node.js needs ${found[1]})`
    : '';
}
