-- coffer coffer_006_api_key_change_notify (up) for PostgreSQL: tables prefixed "coffer_", no schema (search_path).
-- Generated from postgresMigrations() in @coffer/store-postgres; render other prefixes or a
-- schema with postgresMigrations({ tablePrefix, schema }). Safe to run twice.

create or replace function "coffer_api_key_notify"() returns trigger language plpgsql as $$
declare
  r record;
begin
  if tg_op = 'DELETE' then r := old; else r := new; end if;
  perform pg_notify('coffer_api_key_change', json_build_object('v', 1, 'type', 'key-' || lower(tg_op),
    'keyId', r.key_id, 'organizationId', r.organization_id, 'revision', r.revision)::text);
  return null;
end
$$;

create or replace function "coffer_kill_switch_notify"() returns trigger language plpgsql as $$
declare
  t text;
begin
  if tg_op = 'DELETE' then t := old.target; else t := new.target; end if;
  if t like 'organization:%' then
    perform pg_notify('coffer_api_key_change', json_build_object('v', 1, 'type', 'organization-switch',
      'organizationId', substr(t, 14))::text);
  else
    perform pg_notify('coffer_api_key_change', json_build_object('v', 1, 'type', 'global-switch')::text);
  end if;
  return null;
end
$$;

drop trigger if exists "coffer_api_key_notify" on "coffer_api_key";

create trigger "coffer_api_key_notify" after insert or delete on "coffer_api_key" for each row execute function "coffer_api_key_notify"();

drop trigger if exists "coffer_api_key_notify_revision" on "coffer_api_key";

create trigger "coffer_api_key_notify_revision" after update on "coffer_api_key" for each row when (old.revision is distinct from new.revision) execute function "coffer_api_key_notify"();

drop trigger if exists "coffer_kill_switch_notify" on "coffer_kill_switch";

create trigger "coffer_kill_switch_notify" after insert or delete on "coffer_kill_switch" for each row execute function "coffer_kill_switch_notify"();

drop trigger if exists "coffer_kill_switch_notify_flip" on "coffer_kill_switch";

create trigger "coffer_kill_switch_notify_flip" after update on "coffer_kill_switch" for each row when (old.killed is distinct from new.killed) execute function "coffer_kill_switch_notify"();
