-- coffer coffer_001_init (up) for SQLite: tables prefixed "coffer_".
-- Generated from sqliteMigrations() in @coffer/store-sqlite; render other prefixes with
-- sqliteMigrations({ tablePrefix }). Safe to run twice.

create table if not exists "coffer_vault_entries" (
  id text primary key not null,
  owner text not null,
  kind text not null,
  label text,
  metadata text not null,
  preview text not null,
  version integer not null check (version >= 1),
  created_at integer not null,
  updated_at integer not null,
  deleted_at integer
) strict;

create index if not exists "coffer_vault_entries_owner_idx" on "coffer_vault_entries" (owner, id);

create index if not exists "coffer_vault_entries_owner_kind_idx" on "coffer_vault_entries" (owner, kind, id);

create index if not exists "coffer_vault_entries_deleted_idx" on "coffer_vault_entries" (deleted_at, id) where deleted_at is not null;

create table if not exists "coffer_vault_versions" (
  entry_id text not null references "coffer_vault_entries" (id) on delete cascade,
  version integer not null check (version >= 1),
  kek_id text not null,
  sealed blob not null,
  created_at integer not null,
  primary key (entry_id, version)
) strict;

create index if not exists "coffer_vault_versions_kek_idx" on "coffer_vault_versions" (kek_id, entry_id, version);
