-- coffer coffer_003_api_key_tier (up) for MariaDB: tables prefixed "coffer_", in the connection's database.
-- Generated from mysqlMigrations({ flavor: 'mariadb' }) in @coffer/store-mysql; render other
-- prefixes with mysqlMigrations({ tablePrefix, flavor }). Safe to run twice.

alter table `coffer_api_key` add column if not exists tier varchar(64) not null default 'standard' check (char_length(tier) between 1 and 64);
