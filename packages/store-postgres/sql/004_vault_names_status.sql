-- coffer coffer_004_vault_names_status (up) for PostgreSQL: tables prefixed "coffer_", no schema (search_path).
-- Generated from postgresMigrations() in @coffer/store-postgres; render other prefixes or a
-- schema with postgresMigrations({ tablePrefix, schema }). Safe to run twice.

alter table "coffer_vault_entries"
  add column if not exists name text check (char_length(name) between 1 and 128),
  add column if not exists status text check (char_length(status) between 1 and 32),
  add column if not exists revision bigint not null default 1 check (revision >= 1);

create unique index if not exists "coffer_vault_entries_name_idx" on "coffer_vault_entries" (owner, name) where name is not null and deleted_at is null;
