-- coffer coffer_005_api_key_audit (down) for MySQL 8.0.17+: tables prefixed "coffer_", in the connection's database.
-- Generated from mysqlMigrations({ flavor: 'mysql' }) in @coffer/store-mysql; render other
-- prefixes with mysqlMigrations({ tablePrefix, flavor }). Apply once: MySQL 8 has no 'add column if not exists'.

drop table if exists `coffer_api_key_audit`;

alter table `coffer_api_key` drop check `coffer_api_key_metadata_check`, drop column metadata;
