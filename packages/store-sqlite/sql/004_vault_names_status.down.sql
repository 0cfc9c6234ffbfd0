-- coffer coffer_004_vault_names_status (down) for SQLite: tables prefixed "coffer_".
-- Generated from sqliteMigrations() in @coffer/store-sqlite; render other prefixes with
-- sqliteMigrations({ tablePrefix }). Apply once: SQLite has no 'add column if not exists'.

drop index if exists "coffer_vault_entries_name_idx";

alter table "coffer_vault_entries" drop column revision;

alter table "coffer_vault_entries" drop column status;

alter table "coffer_vault_entries" drop column name;
