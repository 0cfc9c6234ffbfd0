-- coffer coffer_003_api_key_tier (down) for SQLite: tables prefixed "coffer_".
-- Generated from sqliteMigrations() in @coffer/store-sqlite; render other prefixes with
-- sqliteMigrations({ tablePrefix }). Apply once: SQLite has no 'add column if not exists'.

alter table "coffer_api_key" drop column tier;
