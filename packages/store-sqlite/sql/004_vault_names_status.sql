-- coffer coffer_004_vault_names_status (up) for SQLite: tables prefixed "coffer_".
-- Generated from sqliteMigrations() in @coffer/store-sqlite; render other prefixes with
-- sqliteMigrations({ tablePrefix }). Apply once: SQLite has no 'add column if not exists'.

alter table "coffer_vault_entries" add column name text check (length(name) between 1 and 128);

alter table "coffer_vault_entries" add column status text check (length(status) between 1 and 32);

alter table "coffer_vault_entries" add column revision integer not null default 1 check (revision >= 1);

create unique index if not exists "coffer_vault_entries_name_idx" on "coffer_vault_entries" (owner, name) where name is not null and deleted_at is null;
