-- coffer coffer_004_vault_names_status (down) for MySQL 8.0.17+: tables prefixed "coffer_", in the connection's database.
-- Generated from mysqlMigrations({ flavor: 'mysql' }) in @coffer/store-mysql; render other
-- prefixes with mysqlMigrations({ tablePrefix, flavor }). Apply once: MySQL 8 has no 'add column if not exists'.

alter table `coffer_vault_entries`
  drop index `coffer_vault_entries_name_idx`,
  drop check `coffer_vault_entries_name_check`,
  drop check `coffer_vault_entries_status_check`,
  drop check `coffer_vault_entries_revision_check`,
  drop column live_name,
  drop column revision,
  drop column status,
  drop column name;
