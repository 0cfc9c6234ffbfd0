-- coffer coffer_004_vault_names_status (up) for MariaDB: tables prefixed "coffer_", in the connection's database.
-- Generated from mysqlMigrations({ flavor: 'mariadb' }) in @coffer/store-mysql; render other
-- prefixes with mysqlMigrations({ tablePrefix, flavor }). Safe to run twice.

alter table `coffer_vault_entries`
  add column if not exists name varchar(128) check (char_length(name) between 1 and 128),
  add column if not exists status varchar(32) check (char_length(status) between 1 and 32),
  add column if not exists revision bigint not null default 1 check (revision >= 1),
  add column if not exists live_name varchar(128) as (case when deleted_at is null then name end) stored,
  add unique index if not exists `coffer_vault_entries_name_idx` (owner, live_name);
