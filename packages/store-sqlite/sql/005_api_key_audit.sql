-- coffer coffer_005_api_key_audit (up) for SQLite: tables prefixed "coffer_".
-- Generated from sqliteMigrations() in @coffer/store-sqlite; render other prefixes with
-- sqliteMigrations({ tablePrefix }). Apply once: SQLite has no 'add column if not exists'.

alter table "coffer_api_key" add column metadata text not null default '{}';

create table if not exists "coffer_api_key_audit" (
  id text primary key not null check (length(id) = 26),
  at integer not null,
  type text not null check (length(type) between 1 and 32),
  key_id text,
  organization_id text,
  actor text not null check (length(actor) between 1 and 256),
  reason text check (length(reason) between 1 and 1000),
  request_id text check (length(request_id) between 1 and 200)
) strict;

create index if not exists "coffer_api_key_audit_key_idx" on "coffer_api_key_audit" (key_id, at, id);

create index if not exists "coffer_api_key_audit_organization_idx" on "coffer_api_key_audit" (organization_id, at, id);

create index if not exists "coffer_api_key_audit_at_idx" on "coffer_api_key_audit" (at, id);
