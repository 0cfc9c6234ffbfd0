-- coffer coffer_004_vault_names_status (down) for MariaDB: tables prefixed "coffer_", in the connection's database.
-- Generated from mysqlMigrations({ flavor: 'mariadb' }) in @coffer/store-mysql; render other
-- prefixes with mysqlMigrations({ tablePrefix, flavor }). Safe to run twice.

alter table `coffer_vault_entries`
  drop index if exists `coffer_vault_entries_name_idx`,
  drop column if exists live_name,
  drop column if exists revision,
  drop column if exists status,
  drop column if exists name;
