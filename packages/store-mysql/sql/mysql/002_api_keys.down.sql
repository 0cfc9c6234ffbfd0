-- coffer coffer_002_api_keys (down) for MySQL 8.0.17+: tables prefixed "coffer_", in the connection's database.
-- Generated from mysqlMigrations({ flavor: 'mysql' }) in @coffer/store-mysql; render other
-- prefixes with mysqlMigrations({ tablePrefix, flavor }). Safe to run twice.

drop table if exists `coffer_kill_switch`;

drop table if exists `coffer_api_key`;
