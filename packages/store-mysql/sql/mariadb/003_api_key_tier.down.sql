-- coffer coffer_003_api_key_tier (down) for MariaDB: tables prefixed "coffer_", in the connection's database.
-- Generated from mysqlMigrations({ flavor: 'mariadb' }) in @coffer/store-mysql; render other
-- prefixes with mysqlMigrations({ tablePrefix, flavor }). Safe to run twice.

alter table `coffer_api_key` drop column if exists tier;
