-- coffer coffer_001_init (up) for MySQL 8.0.17+: tables prefixed "coffer_", in the connection's database.
-- Generated from mysqlMigrations({ flavor: 'mysql' }) in @coffer/store-mysql; render other
-- prefixes with mysqlMigrations({ tablePrefix, flavor }). Safe to run twice.

create table if not exists `coffer_vault_entries` (
  id varchar(36) not null,
  owner varchar(256) not null,
  kind varchar(64) not null,
  label varchar(256),
  metadata longtext not null check (json_valid(metadata)),
  preview varchar(256) not null,
  version integer not null check (version >= 1),
  created_at bigint not null,
  updated_at bigint not null,
  deleted_at bigint,
  primary key (id),
  index `coffer_vault_entries_owner_idx` (owner, id),
  index `coffer_vault_entries_owner_kind_idx` (owner, kind, id),
  index `coffer_vault_entries_deleted_idx` (deleted_at, id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_0900_bin;

create table if not exists `coffer_vault_versions` (
  entry_id varchar(36) not null,
  version integer not null check (version >= 1),
  kek_id varchar(255) not null,
  sealed longblob not null,
  created_at bigint not null,
  primary key (entry_id, version),
  index `coffer_vault_versions_kek_idx` (kek_id, entry_id, version),
  constraint `coffer_vault_versions_entry_fk` foreign key (entry_id) references `coffer_vault_entries` (id) on delete cascade
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_0900_bin;
