-- coffer coffer_001_init (up) for PostgreSQL: tables prefixed "coffer_", no schema (search_path).
-- Generated from postgresMigrations() in @coffer/store-postgres; render other prefixes or a
-- schema with postgresMigrations({ tablePrefix, schema }). Safe to run twice.

create table if not exists "coffer_vault_entries" (
  id uuid primary key,
  owner text not null,
  kind text not null,
  label text,
  metadata jsonb not null,
  preview text not null,
  version integer not null check (version >= 1),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  deleted_at timestamptz
);

create index if not exists "coffer_vault_entries_owner_idx" on "coffer_vault_entries" (owner, id);

create index if not exists "coffer_vault_entries_owner_kind_idx" on "coffer_vault_entries" (owner, kind, id);

create index if not exists "coffer_vault_entries_deleted_idx" on "coffer_vault_entries" (deleted_at, id) where deleted_at is not null;

create table if not exists "coffer_vault_versions" (
  entry_id uuid not null references "coffer_vault_entries" (id) on delete cascade,
  version integer not null check (version >= 1),
  kek_id text not null,
  sealed bytea not null,
  created_at timestamptz not null,
  primary key (entry_id, version)
);

create index if not exists "coffer_vault_versions_kek_idx" on "coffer_vault_versions" (kek_id, entry_id, version);
