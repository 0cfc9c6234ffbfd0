-- coffer coffer_002_api_keys (up) for SQLite: tables prefixed "coffer_".
-- Generated from sqliteMigrations() in @coffer/store-sqlite; render other prefixes with
-- sqliteMigrations({ tablePrefix }). Safe to run twice.

create table if not exists "coffer_api_key" (
  key_id text primary key not null check (length(key_id) = 16),
  organization_id text not null,
  env text not null check (env in ('live', 'test')),
  name text not null,
  scopes text not null,
  start text not null,
  secret_hash text not null,
  previous_secret_hash text,
  previous_secret_expires_at integer,
  created_at integer not null,
  expires_at integer,
  rotated_at integer,
  revoked_at integer,
  killed integer not null default 0 check (killed in (0, 1)),
  last_used_at integer,
  revision integer not null check (revision >= 1)
) strict;

create index if not exists "coffer_api_key_organization_idx" on "coffer_api_key" (organization_id, key_id);

create table if not exists "coffer_kill_switch" (
  target text primary key not null,
  killed integer not null default 0 check (killed in (0, 1)),
  updated_at integer not null
) strict;
