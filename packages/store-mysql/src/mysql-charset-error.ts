import { CofferError } from '@coffer/core';

/**
 * The MySQL / MariaDB connection does not speak `utf8mb4`, so the store refuses to run a single
 * query on it. Code `STORE_CHARSET_UNSUPPORTED`, status 500. On a connection in `utf8` (utf8mb3),
 * `latin1` or any other character set, `mysql2` and the server re-encode every text value on the
 * way in and out: characters outside that set (emoji, most of Unicode) turn into `?` or mojibake
 * without an error, even in strict SQL mode. Owners and organization ids that differ only in such
 * characters are then stored as one (under `latin1`, `org_Ω` and `org_Ж` both became `org_©`):
 * tenants merged in the table, their own lookups no longer finding them, labels and metadata
 * silently damaged. `details` name the server's
 * `character_set_client`, `character_set_connection` and `character_set_results`.
 *
 * Fix the pool you pass as `db`: `createPool({ …, charset: 'UTF8MB4_UNICODE_CI' })` (mysql2's
 * default), no `SET NAMES` to another set, and a server that does not override the client's choice
 * (`character-set-client-handshake=OFF` with a non-utf8mb4 server default).
 *
 * @example
 * ```ts
 * import { MysqlCharsetError } from '@coffer/store-mysql';
 *
 * const err = new MysqlCharsetError({ client: 'latin1', connection: 'latin1', results: 'latin1' });
 * err.code; // 'STORE_CHARSET_UNSUPPORTED'
 * err.details; // { client: 'latin1', connection: 'latin1', results: 'latin1' }
 * ```
 */
export class MysqlCharsetError extends CofferError {
  /**
   * @param charsets The session's character sets as the server reported them (`null` where the
   *   server reports none).
   */
  constructor(charsets: {
    client: string | null;
    connection: string | null;
    results: string | null;
  }) {
    super(
      'STORE_CHARSET_UNSUPPORTED',
      `The MySQL / MariaDB connection uses the character sets client=${String(charsets.client)}, connection=${String(charsets.connection)}, results=${String(charsets.results)}; coffer needs utf8mb4 for all three, or text (owners, organization ids, labels, metadata) would be re-encoded without an error. Create the pool with charset 'UTF8MB4_UNICODE_CI' (mysql2's default) and do not change it with SET NAMES.`,
      { status: 500, details: { ...charsets } },
    );
  }
}
