-- coffer coffer_001_init (down) for PostgreSQL: tables prefixed "coffer_", no schema (search_path).
-- Generated from postgresMigrations() in @coffer/store-postgres; render other prefixes or a
-- schema with postgresMigrations({ tablePrefix, schema }). Safe to run twice.

drop table if exists "coffer_vault_versions";

drop table if exists "coffer_vault_entries";
