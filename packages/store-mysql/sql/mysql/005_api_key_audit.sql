-- coffer coffer_005_api_key_audit (up) for MySQL 8.0.17+: tables prefixed "coffer_", in the connection's database.
-- Generated from mysqlMigrations({ flavor: 'mysql' }) in @coffer/store-mysql; render other
-- prefixes with mysqlMigrations({ tablePrefix, flavor }). Apply once: MySQL 8 has no 'add column if not exists'.

alter table `coffer_api_key` add column metadata longtext not null default ('{}') constraint `coffer_api_key_metadata_check` check (json_valid(metadata));

create table if not exists `coffer_api_key_audit` (
  id varchar(26) not null check (char_length(id) = 26),
  at bigint not null,
  type varchar(32) not null,
  key_id varchar(16),
  organization_id varchar(255),
  actor varchar(256) not null check (char_length(actor) >= 1),
  reason varchar(1000) check (char_length(reason) >= 1),
  request_id varchar(200) check (char_length(request_id) >= 1),
  primary key (id),
  index `coffer_api_key_audit_key_idx` (key_id, at, id),
  index `coffer_api_key_audit_organization_idx` (organization_id, at, id),
  index `coffer_api_key_audit_at_idx` (at, id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_0900_bin;
