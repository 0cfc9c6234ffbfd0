import { InvalidInputError } from '@coffer/core';

/**
 * Options every coffer SQL store takes.
 *
 * @example
 * ```ts
 * import type { KyselyStoreOptions } from '@coffer/store-kysely';
 *
 * const options: KyselyStoreOptions = { tablePrefix: 'billing_', schema: 'secrets', busyRetryMs: 2000 };
 * ```
 */
export interface KyselyStoreOptions {
  /** Prefix of every table name. Default `'coffer_'`. */
  tablePrefix?: string;
  /**
   * PostgreSQL only: the schema holding the tables (queries use `withSchema`). Default: none, the
   * connection's `search_path` decides.
   */
  schema?: string;
  /**
   * How long, in total, one store operation keeps retrying while the database reports transient
   * contention (SQLite `SQLITE_BUSY`, PostgreSQL deadlock or serialization failure) before it
   * fails with `STORE_BUSY`. Retries wait on timers (jittered exponential backoff from 1 ms to
   * 50 ms), never blocking the event loop. Default 5000 ms.
   */
  busyRetryMs?: number;
}

/**
 * The default of {@link KyselyStoreOptions.busyRetryMs}: 5000 ms.
 *
 * @example
 * ```ts
 * import { DEFAULT_BUSY_RETRY_MS } from '@coffer/store-kysely';
 *
 * DEFAULT_BUSY_RETRY_MS; // 5000
 * ```
 */
export const DEFAULT_BUSY_RETRY_MS = 5000;

/**
 * Validates `busyRetryMs` (an integer from 0 to 600000) and returns it, or
 * {@link DEFAULT_BUSY_RETRY_MS} when `undefined`.
 *
 * @param value The option as given.
 * @returns Milliseconds.
 * @throws {InvalidInputError} `INVALID_INPUT` when out of range or not an integer.
 *
 * @example
 * ```ts
 * import { resolveBusyRetryMs } from '@coffer/store-kysely';
 *
 * resolveBusyRetryMs(undefined); // 5000
 * resolveBusyRetryMs(250); // 250
 * ```
 */
export function resolveBusyRetryMs(value: unknown): number {
  if (value === undefined) return DEFAULT_BUSY_RETRY_MS;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > 600_000) {
    throw new InvalidInputError('busyRetryMs must be an integer from 0 to 600000 (milliseconds).', {
      details: { parameter: 'busyRetryMs' },
    });
  }
  return value;
}
