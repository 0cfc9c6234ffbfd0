-- coffer coffer_005_api_key_audit (up) for MariaDB: tables prefixed "coffer_", in the connection's database.
-- Generated from mysqlMigrations({ flavor: 'mariadb' }) in @coffer/store-mysql; render other
-- prefixes with mysqlMigrations({ tablePrefix, flavor }). Safe to run twice.

alter table `coffer_api_key` add column if not exists metadata longtext not null default ('{}') check (json_valid(metadata));

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
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_nopad_bin;
