// The NOTIFY channel of one coffer schema: its tables' triggers send to it, its change sources
// LISTEN on it. Derived from the same prefix and schema as the table names, so two coffer
// installations in one database (other prefix, other schema) never hear each other.
import { sha256Hex } from '@coffer/core';
import { resolveSchemaName, resolveTablePrefix } from '@coffer/store-kysely';
import type { PostgresSchemaOptions } from './postgres-migrations.js';

/** PostgreSQL truncates identifiers, channel names included, to 63 bytes. */
const MAX_CHANNEL_LENGTH = 63;

/**
 * The PostgreSQL `NOTIFY` channel on which migration `coffer_006_api_key_change_notify`'s
 * triggers announce API-key and kill-switch changes: `<prefix>api_key_change` (default
 * `coffer_api_key_change`), or `<schema>.<prefix>api_key_change` with a schema. A name longer
 * than PostgreSQL's 63 bytes is shortened with a hash of the full name, the same way everywhere.
 *
 * @param options The prefix and schema the store and its migrations use.
 * @returns The channel name (plain ASCII, at most 63 characters).
 * @throws {InvalidInputError} `INVALID_INPUT` when the prefix or schema is not a plain identifier.
 *
 * @example
 * ```ts
 * import { postgresApiKeyChangeChannel } from '@coffer/store-postgres';
 *
 * postgresApiKeyChangeChannel(); // 'coffer_api_key_change'
 * postgresApiKeyChangeChannel({ schema: 'secrets', tablePrefix: 'acme_' }); // 'secrets.acme_api_key_change'
 * ```
 */
export function postgresApiKeyChangeChannel(options: PostgresSchemaOptions = {}): string {
  const prefix = resolveTablePrefix(options.tablePrefix);
  const schema = resolveSchemaName(options.schema);
  const name = `${schema === undefined ? '' : `${schema}.`}${prefix}api_key_change`;
  if (name.length <= MAX_CHANNEL_LENGTH) return name;
  return `${name.slice(0, MAX_CHANNEL_LENGTH - 17)}_${sha256Hex(name).slice(0, 16)}`;
}
