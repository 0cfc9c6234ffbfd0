-- coffer coffer_002_api_keys (down) for MariaDB: tables prefixed "coffer_", in the connection's database.
-- Generated from mysqlMigrations({ flavor: 'mariadb' }) in @coffer/store-mysql; render other
-- prefixes with mysqlMigrations({ tablePrefix, flavor }). Safe to run twice.

drop table if exists `coffer_kill_switch`;

drop table if exists `coffer_api_key`;
