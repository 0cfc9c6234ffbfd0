import type { Kysely } from 'kysely';
import type { DialectAdapter } from './dialect-adapter.js';
import type { CofferTableNames } from './table-names.js';
import type { WriteRunner } from './write-runner.js';

/** @internal Everything a shared store implementation needs. */
export interface StoreContext<DB> {
  /** Kysely scoped to the schema (PostgreSQL `withSchema`) when one is configured. */
  readonly db: Kysely<DB>;
  readonly adapter: DialectAdapter;
  readonly names: CofferTableNames;
  readonly runner: WriteRunner;
}
