-- coffer coffer_002_api_keys (up) for MySQL 8.0.17+: tables prefixed "coffer_", in the connection's database.
-- Generated from mysqlMigrations({ flavor: 'mysql' }) in @coffer/store-mysql; render other
-- prefixes with mysqlMigrations({ tablePrefix, flavor }). Safe to run twice.

create table if not exists `coffer_api_key` (
  key_id varchar(16) not null check (char_length(key_id) = 16),
  organization_id varchar(255) not null,
  env varchar(4) not null check (env in ('live', 'test')),
  name text not null,
  scopes longtext not null check (json_valid(scopes)),
  start varchar(255) not null,
  secret_hash varchar(255) not null,
  previous_secret_hash varchar(255),
  previous_secret_expires_at bigint,
  created_at bigint not null,
  expires_at bigint,
  rotated_at bigint,
  revoked_at bigint,
  killed boolean not null default false check (killed in (0, 1)),
  last_used_at bigint,
  revision bigint not null check (revision >= 1),
  primary key (key_id),
  index `coffer_api_key_organization_idx` (organization_id, key_id)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_0900_bin;

create table if not exists `coffer_kill_switch` (
  target varchar(300) not null,
  killed boolean not null default false check (killed in (0, 1)),
  updated_at bigint not null,
  primary key (target)
) engine=InnoDB default charset=utf8mb4 collate=utf8mb4_0900_bin;
