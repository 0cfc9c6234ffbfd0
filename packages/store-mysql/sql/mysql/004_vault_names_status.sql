-- coffer coffer_004_vault_names_status (up) for MySQL 8.0.17+: tables prefixed "coffer_", in the connection's database.
-- Generated from mysqlMigrations({ flavor: 'mysql' }) in @coffer/store-mysql; render other
-- prefixes with mysqlMigrations({ tablePrefix, flavor }). Apply once: MySQL 8 has no 'add column if not exists'.

alter table `coffer_vault_entries`
  add column name varchar(128),
  add column status varchar(32),
  add column revision bigint not null default 1,
  add column live_name varchar(128) as (case when deleted_at is null then name end) stored,
  add constraint `coffer_vault_entries_name_check` check (char_length(name) between 1 and 128),
  add constraint `coffer_vault_entries_status_check` check (char_length(status) between 1 and 32),
  add constraint `coffer_vault_entries_revision_check` check (revision >= 1),
  add unique index `coffer_vault_entries_name_idx` (owner, live_name);
