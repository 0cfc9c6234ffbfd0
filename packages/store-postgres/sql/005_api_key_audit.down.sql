-- coffer coffer_005_api_key_audit (down) for PostgreSQL: tables prefixed "coffer_", no schema (search_path).
-- Generated from postgresMigrations() in @coffer/store-postgres; render other prefixes or a
-- schema with postgresMigrations({ tablePrefix, schema }). Safe to run twice.

drop table if exists "coffer_api_key_audit";

alter table "coffer_api_key" drop column if exists metadata;
