import { InvalidInputError } from '@coffer/core';

/**
 * The table name prefix used when none is given: tables are named `coffer_vault_entries`, …
 *
 * @example
 * ```ts
 * import { DEFAULT_TABLE_PREFIX } from '@coffer/store-kysely';
 *
 * `${DEFAULT_TABLE_PREFIX}vault_entries`; // 'coffer_vault_entries'
 * ```
 */
export const DEFAULT_TABLE_PREFIX = 'coffer_';

/** Longest accepted prefix; keeps every table and index name within PostgreSQL's 63 bytes. */
const MAX_PREFIX_LENGTH = 24;
const PREFIX_PATTERN = /^[a-z_][a-z0-9_]*$/;
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]*$/;

/**
 * Validates a table name prefix and returns it (or {@link DEFAULT_TABLE_PREFIX} when `undefined`).
 * A prefix is empty or 1-24 characters of lower-case ASCII letters, digits and `_`, not starting
 * with a digit, so every generated name is a plain SQL identifier on both PostgreSQL and SQLite.
 *
 * @param prefix The prefix, e.g. `'app_coffer_'`; `''` for none.
 * @returns The prefix to use.
 * @throws {InvalidInputError} `INVALID_INPUT` when the prefix is not a string or breaks the rule.
 *
 * @example
 * ```ts
 * import { resolveTablePrefix } from '@coffer/store-kysely';
 *
 * resolveTablePrefix(undefined); // 'coffer_'
 * resolveTablePrefix('billing_'); // 'billing_'
 * ```
 */
export function resolveTablePrefix(prefix: unknown): string {
  if (prefix === undefined) return DEFAULT_TABLE_PREFIX;
  if (typeof prefix !== 'string') {
    throw new InvalidInputError('tablePrefix must be a string such as "coffer_".', {
      details: { parameter: 'tablePrefix' },
    });
  }
  if (prefix === '') return prefix;
  if (prefix.length > MAX_PREFIX_LENGTH || !PREFIX_PATTERN.test(prefix)) {
    throw new InvalidInputError(
      `tablePrefix must be at most ${MAX_PREFIX_LENGTH} characters of a-z, 0-9 and _, not starting with a digit.`,
      { details: { parameter: 'tablePrefix', maxLength: MAX_PREFIX_LENGTH } },
    );
  }
  return prefix;
}

/**
 * Validates a PostgreSQL schema name: 1-63 characters of lower-case ASCII letters, digits and `_`,
 * not starting with a digit and not starting with `pg_` (reserved). `undefined` means "no schema"
 * (the connection's `search_path` decides).
 *
 * @param schema The schema name, e.g. `'coffer'`.
 * @returns The schema, or `undefined`.
 * @throws {InvalidInputError} `INVALID_INPUT` when the name is not a string or breaks the rule.
 *
 * @example
 * ```ts
 * import { resolveSchemaName } from '@coffer/store-kysely';
 *
 * resolveSchemaName('secrets'); // 'secrets'
 * resolveSchemaName(undefined); // undefined
 * ```
 */
export function resolveSchemaName(schema: unknown): string | undefined {
  if (schema === undefined) return undefined;
  if (
    typeof schema !== 'string' ||
    schema.length === 0 ||
    schema.length > 63 ||
    !SCHEMA_PATTERN.test(schema) ||
    schema.startsWith('pg_')
  ) {
    throw new InvalidInputError(
      'schema must be 1-63 characters of a-z, 0-9 and _, not starting with a digit or "pg_".',
      { details: { parameter: 'schema' } },
    );
  }
  return schema;
}
