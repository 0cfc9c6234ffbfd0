-- coffer coffer_001_init (down) for SQLite: tables prefixed "coffer_".
-- Generated from sqliteMigrations() in @coffer/store-sqlite; render other prefixes with
-- sqliteMigrations({ tablePrefix }). Safe to run twice.

drop table if exists "coffer_vault_versions";

drop table if exists "coffer_vault_entries";
