-- coffer coffer_005_api_key_audit (down) for SQLite: tables prefixed "coffer_".
-- Generated from sqliteMigrations() in @coffer/store-sqlite; render other prefixes with
-- sqliteMigrations({ tablePrefix }). Apply once: SQLite has no 'add column if not exists'.

drop table if exists "coffer_api_key_audit";

alter table "coffer_api_key" drop column metadata;
