// `coffer migrate`: create or update coffer's tables.
import type { CommandSpec } from '../command.js';
import { EXIT_CODES } from '../exit-codes.js';
import { DB_OPTIONS, openDb } from '../open-db.js';

const migrate: CommandSpec = {
  name: 'migrate',
  summary: "Create or update coffer's tables in a database (idempotent)",
  usage: 'migrate --db <url|file> [--table-prefix <prefix>] [--schema <name>]',
  description: [
    "Applies the store's pending migrations (the vault and API-key tables) and lists them. Safe to run again; on PostgreSQL safe from several processes at once. A SQLite file is created when missing (the only command that creates one).",
  ],
  options: { ...DB_OPTIONS },
  examples: [
    { command: 'coffer migrate --db ./data/coffer.db', note: 'Create a SQLite database' },
    {
      command: 'COFFER_DB_URL=postgres://app@db.internal/app coffer migrate --schema secrets',
      note: 'PostgreSQL, tables in the schema "secrets" (password from PGPASSWORD or ~/.pgpass)',
    },
  ],
  async run({ args, io, out }) {
    const db = await openDb(args, io.env, { create: true });
    try {
      const report = await db.migrate();
      if (out.json) {
        await out.result({ ok: true, database: db.target.display, applied: report.applied });
      } else if (report.applied.length === 0) {
        await out.print(`${db.target.display}: up to date, nothing to apply.`);
      } else {
        await out.print(`${db.target.display}: applied ${report.applied.join(', ')}.`);
      }
      return EXIT_CODES.ok;
    } finally {
      await db.close();
    }
  },
};

/** The `migrate` command. */
export const migrateCommands: readonly CommandSpec[] = [migrate];
