-- coffer coffer_003_api_key_tier (down) for PostgreSQL: tables prefixed "coffer_", no schema (search_path).
-- Generated from postgresMigrations() in @coffer/store-postgres; render other prefixes or a
-- schema with postgresMigrations({ tablePrefix, schema }). Safe to run twice.

alter table "coffer_api_key" drop column if exists tier;
