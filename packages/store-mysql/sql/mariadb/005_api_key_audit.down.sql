-- coffer coffer_005_api_key_audit (down) for MariaDB: tables prefixed "coffer_", in the connection's database.
-- Generated from mysqlMigrations({ flavor: 'mariadb' }) in @coffer/store-mysql; render other
-- prefixes with mysqlMigrations({ tablePrefix, flavor }). Safe to run twice.

drop table if exists `coffer_api_key_audit`;

alter table `coffer_api_key` drop column if exists metadata;
