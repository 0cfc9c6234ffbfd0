-- coffer coffer_002_api_keys (up) for PostgreSQL: tables prefixed "coffer_", no schema (search_path).
-- Generated from postgresMigrations() in @coffer/store-postgres; render other prefixes or a
-- schema with postgresMigrations({ tablePrefix, schema }). Safe to run twice.

create table if not exists "coffer_api_key" (
  key_id text collate "C" primary key check (char_length(key_id) = 16),
  organization_id text not null,
  env text not null check (env in ('live', 'test')),
  name text not null,
  scopes jsonb not null,
  start text not null,
  secret_hash text not null,
  previous_secret_hash text,
  previous_secret_expires_at timestamptz,
  created_at timestamptz not null,
  expires_at timestamptz,
  rotated_at timestamptz,
  revoked_at timestamptz,
  killed boolean not null default false,
  last_used_at timestamptz,
  revision bigint not null check (revision >= 1)
);

create index if not exists "coffer_api_key_organization_idx" on "coffer_api_key" (organization_id, key_id);

create table if not exists "coffer_kill_switch" (
  target text primary key,
  killed boolean not null default false,
  updated_at timestamptz not null
);
