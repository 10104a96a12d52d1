import { sql, type Kysely } from 'kysely';

/**
 * The coded rows of the TEDS-D discharge extract, kept between extracts
 * (metrics/exports/teds-d.ts; docs/funder-reporting.md "How the extract stays fast").
 *
 * - `teds_d_lines`: one discharged episode's CSV row as the extract writes it (CASEID
 *   first), its discharge date, its place in the keyed shuffle (`order_key`) and the block
 *   that place falls in (`bucket` = order_key >> the state's `bucket_shift`).
 * - `teds_d_blocks`: the rows of each bucket in shuffle order, joined with their CRLFs, and
 *   their discharge dates (YYYYMMDD, one per row): the extract streams a few thousand
 *   blocks instead of one row per discharge, and cuts a block by date only when it straddles
 *   the range. Stored uncompressed: decompressing cost more than it saved.
 * - `teds_d_pending`: episodes a model refresh touched since their row was written: their
 *   row was deleted, and the next extract codes them again and rebuilds their blocks.
 * - `teds_d_state`: what the rows were coded under (a check of the pseudonym key, never
 *   the key; the tracks' levels of care; the extract's coding version) and the bucket width.
 *   When the check differs from the extract's own, the next extract codes every discharge again.
 *
 * Why: an extract coded every row from the facts on every run: 2.2 s at 200k episodes (a
 * keyed HMAC per row, a scan of the self-reports), against a bar of about 76 ms.
 *
 * The tables start empty (the first extract fills them); no model is rebuilt.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table teds_d_lines (
    episode_id text primary key,
    bucket int not null,
    order_key bigint not null,
    discharged_on date not null,
    line text not null
  )`.execute(db);
  await sql`create index teds_d_lines_bucket on teds_d_lines (bucket)`.execute(db);
  await sql`create table teds_d_blocks (
    bucket int primary key,
    first_on date not null,
    last_on date not null,
    lines text not null,
    dates text not null
  )`.execute(db);
  await sql`alter table teds_d_blocks alter column lines set storage external, alter column dates set storage external`.execute(db);
  await sql`create table teds_d_pending (episode_id text primary key)`.execute(db);
  await sql`create table teds_d_state (
    only_row boolean primary key default true check (only_row),
    coded_under text not null,
    bucket_shift int not null check (bucket_shift between 44 and 62)
  )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table teds_d_state`.execute(db);
  await sql`drop table teds_d_pending`.execute(db);
  await sql`drop table teds_d_blocks`.execute(db);
  await sql`drop table teds_d_lines`.execute(db);
}
