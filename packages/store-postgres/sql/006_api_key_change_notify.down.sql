-- coffer coffer_006_api_key_change_notify (down) for PostgreSQL: tables prefixed "coffer_", no schema (search_path).
-- Generated from postgresMigrations() in @coffer/store-postgres; render other prefixes or a
-- schema with postgresMigrations({ tablePrefix, schema }). Safe to run twice.

drop trigger if exists "coffer_api_key_notify" on "coffer_api_key";

drop trigger if exists "coffer_api_key_notify_revision" on "coffer_api_key";

drop trigger if exists "coffer_kill_switch_notify" on "coffer_kill_switch";

drop trigger if exists "coffer_kill_switch_notify_flip" on "coffer_kill_switch";

drop function if exists "coffer_api_key_notify"();

drop function if exists "coffer_kill_switch_notify"();
