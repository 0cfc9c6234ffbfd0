-- coffer coffer_003_api_key_tier (up) for MySQL 8.0.17+: tables prefixed "coffer_", in the connection's database.
-- Generated from mysqlMigrations({ flavor: 'mysql' }) in @coffer/store-mysql; render other
-- prefixes with mysqlMigrations({ tablePrefix, flavor }). Apply once: MySQL 8 has no 'add column if not exists'.

alter table `coffer_api_key` add column tier varchar(64) not null default 'standard' constraint `coffer_api_key_tier_check` check (char_length(tier) between 1 and 64);
