-- coffer coffer_004_vault_names_status (down) for PostgreSQL: tables prefixed "coffer_", no schema (search_path).
-- Generated from postgresMigrations() in @coffer/store-postgres; render other prefixes or a
-- schema with postgresMigrations({ tablePrefix, schema }). Safe to run twice.

drop index if exists "coffer_vault_entries_name_idx";

alter table "coffer_vault_entries"
  drop column if exists revision,
  drop column if exists status,
  drop column if exists name;
