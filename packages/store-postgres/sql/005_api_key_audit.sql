-- coffer coffer_005_api_key_audit (up) for PostgreSQL: tables prefixed "coffer_", no schema (search_path).
-- Generated from postgresMigrations() in @coffer/store-postgres; render other prefixes or a
-- schema with postgresMigrations({ tablePrefix, schema }). Safe to run twice.

alter table "coffer_api_key" add column if not exists metadata jsonb not null default '{}'::jsonb;

create table if not exists "coffer_api_key_audit" (
  id text collate "C" primary key check (char_length(id) = 26),
  at timestamptz not null,
  type text not null check (char_length(type) between 1 and 32),
  key_id text collate "C",
  organization_id text,
  actor text not null check (char_length(actor) between 1 and 256),
  reason text check (char_length(reason) between 1 and 1000),
  request_id text check (char_length(request_id) between 1 and 200)
);

create index if not exists "coffer_api_key_audit_key_idx" on "coffer_api_key_audit" (key_id, at, id);

create index if not exists "coffer_api_key_audit_organization_idx" on "coffer_api_key_audit" (organization_id, at, id);

create index if not exists "coffer_api_key_audit_at_idx" on "coffer_api_key_audit" (at, id);
