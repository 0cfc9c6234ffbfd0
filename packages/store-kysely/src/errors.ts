import { CofferError } from '@coffer/core';

/**
 * The database stayed locked by other writers for longer than the store's retry bound, so the
 * write was not made (nothing was half-written: the transaction was rolled back). Code
 * `STORE_BUSY`, status 503, `retryable: true`. On SQLite this is `SQLITE_BUSY` from another
 * connection holding the write lock; on PostgreSQL a deadlock or serialization failure that kept
 * recurring. Retry later, or raise the store's `busyRetryMs`.
 *
 * @example
 * ```ts
 * import { StoreBusyError } from '@coffer/store-kysely';
 *
 * const err = new StoreBusyError({ dialect: 'sqlite', attempts: 12, waitedMs: 5003 });
 * err.code; // 'STORE_BUSY'
 * err.retryable; // true
 * ```
 */
export class StoreBusyError extends CofferError {
  /**
   * @param facts Which dialect, how many attempts were made and how long they took in total.
   * @param cause The last driver error (it names SQL and error codes, never values).
   */
  constructor(facts: { dialect: string; attempts: number; waitedMs: number }, cause?: unknown) {
    super(
      'STORE_BUSY',
      `The ${facts.dialect} database stayed locked by other writers for ${facts.waitedMs} ms (${facts.attempts} attempts); nothing was written. Retry later, or raise the store's busyRetryMs.`,
      {
        status: 503,
        retryable: true,
        details: { ...facts },
        ...(cause === undefined ? {} : { cause }),
      },
    );
  }
}

/**
 * Running the store's schema migrations failed. Code `MIGRATION_FAILED`, status 500. `details`
 * name the migration that failed (if one did) and the migration tables used; `cause` is the
 * database error (DDL only, no data). Migrations that completed stay applied (on PostgreSQL the
 * failing run is rolled back as a whole); fix the cause and run `migrate()` again.
 *
 * @example
 * ```ts
 * import { MigrationError } from '@coffer/store-kysely';
 *
 * const err = new MigrationError('001_init', 'coffer_migration');
 * err.code; // 'MIGRATION_FAILED'
 * err.details; // { migration: '001_init', migrationTable: 'coffer_migration' }
 * ```
 */
export class MigrationError extends CofferError {
  /**
   * @param migration The name of the migration that failed, or `undefined` when the run failed
   *   before any migration started (e.g. the migration table could not be created).
   * @param migrationTable The migration bookkeeping table.
   * @param cause The database error.
   * @param reason What went wrong and what to do, when it is known better than the default text.
   */
  constructor(
    migration: string | undefined,
    migrationTable: string,
    cause?: unknown,
    reason?: string,
  ) {
    super(
      'MIGRATION_FAILED',
      reason ??
        (migration === undefined
          ? `Running coffer's migrations failed before any migration started (migration table "${migrationTable}"). Check the connection and the role's CREATE privileges, then run migrate() again.`
          : `coffer migration "${migration}" failed (migration table "${migrationTable}"); it was not recorded as applied. Fix the cause and run migrate() again.`),
      {
        status: 500,
        details: { ...(migration === undefined ? {} : { migration }), migrationTable },
        ...(cause === undefined ? {} : { cause }),
      },
    );
  }
}
