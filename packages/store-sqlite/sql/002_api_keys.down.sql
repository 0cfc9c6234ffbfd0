-- coffer coffer_002_api_keys (down) for SQLite: tables prefixed "coffer_".
-- Generated from sqliteMigrations() in @coffer/store-sqlite; render other prefixes with
-- sqliteMigrations({ tablePrefix }). Safe to run twice.

drop table if exists "coffer_kill_switch";

drop table if exists "coffer_api_key";
