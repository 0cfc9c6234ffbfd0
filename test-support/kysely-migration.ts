// Kysely's migration exports for tests, from whichever kysely this run uses (COFFER_TEST_KYSELY in
// vitest.config.ts): 'kysely/migration' on 0.29, the root 'kysely' on 0.28. Typed with 0.28's
// declarations, which the workspace type-checks against. The specifier is not a literal: Vite
// would resolve a literal 'kysely/migration' against 0.28 when transforming this file, and fail.
import type * as kysely from 'kysely';

type MigrationExports = Pick<typeof kysely, 'Migrator' | 'NO_MIGRATIONS'>;

async function load(): Promise<MigrationExports> {
  const specifier = process.env.COFFER_TEST_KYSELY === '0.29' ? 'kysely/migration' : 'kysely';
  const module: unknown = await import(/* @vite-ignore */ specifier);
  if (
    typeof module !== 'object' ||
    module === null ||
    !('Migrator' in module) ||
    typeof module.Migrator !== 'function' ||
    !('NO_MIGRATIONS' in module)
  ) {
    throw new Error(`"${specifier}" exports no Migrator`);
  }
  return module as MigrationExports;
}

export const { Migrator, NO_MIGRATIONS } = await load();
