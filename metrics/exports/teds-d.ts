import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { z } from 'zod';
import { copyValue } from '../../warehouse/copy-text';
import { singleClientKysely } from '../../warehouse/db';
import type { DB } from '../../warehouse/db-types';
import { selfReportTest } from '../../warehouse/models/per-episode';
import { registerAfterCommit } from '../../warehouse/models/refresh';
import { csvDocument, type CsvValue } from '../csv-cell';
import { FilterDateSchema, type FilterError } from '../filters';
import { caseIdFor, checkedSecret, ExportSecretError, rowOrderSeed } from './pseudonym';
import {
  ageCode, disyr, ethnicCode, FREQ1_D_WINDOW_DAYS, freqCode, genderCode, losCode, raceCode, reasonCode, servicesCode, sub1Code, TEDS_D_COLUMNS,
} from './teds-d-codes';

/**
 * The TEDS-D discharge extract (docs/funder-reporting.md "TEDS-D discharge extract"):
 * one CSV row per episode discharged in [from, to], in the codes of
 * metrics/exports/teds-d-codes.ts, keyed by the CASEID pseudonym. `iop export teds-d`
 * and `GET /api/v1/exports/teds-d` both write the chunks of `tedsDischargeCsv`.
 *
 * Coded rows are kept (docs/funder-reporting.md "How the extract stays fast"; migration
 * 2200): each discharged episode's row, as written, in `teds_d_lines`, and the rows joined
 * into blocks of about ROWS_PER_BLOCK consecutive rows of the keyed shuffle in
 * `teds_d_blocks`. An extract first codes the rows that are missing (every discharge the
 * first time, or after a full model refresh, a new secret, a change of the tracks' levels of
 * care or of TEDS_D_CODING_VERSION; else only the episodes a refresh listed in
 * `teds_d_pending`) and rebuilds their blocks, then streams the blocks the range reaches.
 * Coding reads the facts through a server-side cursor, a batch at a time, and streaming
 * reads the blocks a few hundred at a time, so memory stays flat whatever the range; every
 * cell goes through metrics/csv-cell.ts.
 */

export const TedsDQuerySchema = z.strictObject({
  from: FilterDateSchema.describe('first discharge date, YYYY-MM-DD'),
  to: FilterDateSchema.describe('last discharge date, YYYY-MM-DD (inclusive)'),
});
export type TedsDRange = z.infer<typeof TedsDQuerySchema>;

export type TedsDRangeResult = { ok: true; range: TedsDRange } | { ok: false; error: FilterError };

/** Parses the range as the CLI flags or the query string give it: both dates required, from ≤ to. */
export function parseTedsDRange(raw: unknown): TedsDRangeResult {
  const parsed = TedsDQuerySchema.safeParse(raw ?? {});
  const details = parsed.success ? [] : parsed.error.issues.map((issue) => {
    const unknown = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const param = unknown.length > 0 ? unknown.join(',') : String(issue.path[0] ?? '');
    const value = unknown.length > 0 || typeof raw !== 'object' || raw === null ? undefined : (raw as Record<string, unknown>)[param];
    const message = unknown.length > 0 ? 'unknown parameter' : value === undefined ? 'is required (a discharge date YYYY-MM-DD)' : issue.message;
    return { param, value, message };
  });
  if (parsed.success && parsed.data.from > parsed.data.to) {
    details.push({ param: 'from', value: parsed.data.from, message: `must not be after to (${parsed.data.to})` });
  }
  if (!parsed.success || details.length > 0) {
    return { ok: false, error: { error: `Invalid TEDS-D range: ${details.map((d) => `${d.param}: ${d.message}`).join('; ')}`, details } };
  }
  return { ok: true, range: parsed.data };
}

interface DischargeRow {
  episode_id: string;
  /** hashtextextended(episode_id, seed) as text: a bigint past 2^53 (pg-types.ts parses bigint as a number). */
  order_key: string;
  /** order_key >> the bucket shift: the block the row goes in. */
  bucket: number;
  discharged_on: string;
  stay: number;
  age: number | null;
  sex: string | null;
  race: string | null;
  ethnicity: string | null;
  level_of_care: string | null;
  discharge_reason: string | null;
  primary_substance: string | null;
  days_used: number | null;
}

/**
 * Bump when a change to this module, ./teds-d-codes.ts, ./pseudonym.ts or
 * metrics/csv-cell.ts can change a coded row: stored rows coded under another version are
 * coded again by the next extract. tests/metrics/teds-d-version.test.ts pins the sources'
 * hash to this number, so an edit of them fails until it is looked at.
 */
export const TEDS_D_CODING_VERSION = 1;

/** An episode's place in the keyed shuffle (`order_key`), and the block it falls in. */
function orderKeyOf(episodeId: RawBuilder<unknown>, seed: string): RawBuilder<string> {
  return sql<string>`hashtextextended(${episodeId}, ${seed}::bigint)`;
}
function bucketOf(episodeId: RawBuilder<unknown>, seed: string, shift: number): RawBuilder<number> {
  return sql<number>`(${orderKeyOf(episodeId, seed)} >> ${shift}::int)::int`;
}

/**
 * The facts of each discharge of `scope`: stay = discharge − admission in days, age =
 * admission year − birth year, and the days used of the last self-report dated from
 * discharge − 30 to discharge (the latest date; on one day, the report of most use). The
 * scope's episodes are picked once (a materialized CTE): for a few pending ones, their
 * self-reports and patients are then probed by index (at 200k episodes, 1,800 pending: 42 ms,
 * against 100 ms when the planner hashed every patient); for all, the self-reports are read
 * in one pass. Rows come in no order (the blocks are built in the keyed shuffle's order),
 * so the first come before the query has read them all. The episode id leaves this query
 * only to be hashed and to key the stored row.
 */
function dischargeQuery(scope: RawBuilder<unknown>, seed: string, shift: number) {
  const orderKey = orderKeyOf(sql`e.episode_id`, seed);
  return sql<DischargeRow>`
    with scope as materialized (
      select e.episode_id, e.patient_id, e.track_code, e.admitted_on, e.discharged_on, e.discharge_reason, e.primary_substance
      from episodes e where e.discharged_on is not null and ${scope}
    ),
    last_report as (
      select distinct on (a.episode_id) a.episode_id, a.days_used_past_30
      from abstinence_tests a join scope e on e.episode_id = a.episode_id
      where ${selfReportTest('a')}
        and a.collected_on between e.discharged_on - ${sql.lit(FREQ1_D_WINDOW_DAYS)} and e.discharged_on
      order by a.episode_id, a.collected_on desc, a.days_used_past_30 desc
    )
    select e.episode_id, ${orderKey}::text as order_key, ${bucketOf(sql`e.episode_id`, seed, shift)} as bucket, e.discharged_on, e.discharged_on - e.admitted_on as stay,
      extract(year from e.admitted_on)::int - p.birth_year as age,
      p.sex, p.race, p.ethnicity, t.level_of_care, e.discharge_reason, e.primary_substance,
      r.days_used_past_30 as days_used
    from scope e
      join patients p on p.patient_id = e.patient_id
      join tracks t on t.track_code = e.track_code
      left join last_report r on r.episode_id = e.episode_id`;
}

/**
 * The code of a text field through its code table (metrics/exports/teds-d-codes.ts),
 * remembered per distinct raw value for the length of one coding pass: a field like race
 * has a handful of values over 200k rows, and the table's key normalisation runs once for each.
 */
function memo(code: (text: string | null) => number): (text: string | null) => number {
  const seen = new Map<string | null, number>();
  return (text) => {
    let c = seen.get(text);
    if (c === undefined) {
      c = code(text);
      seen.set(text, c);
    }
    return c;
  };
}

/** One row of codes, CASEID first, in the order of TEDS_D_COLUMNS. */
function rowCoder(caseId: (id: string) => string): (r: DischargeRow) => CsvValue[] {
  const gender = memo(genderCode);
  const race = memo(raceCode);
  const ethnic = memo(ethnicCode);
  const services = memo(servicesCode);
  const reason = memo(reasonCode);
  const sub1 = memo(sub1Code);
  return (r) => [
    caseId(r.episode_id), disyr(r.discharged_on), ageCode(r.age), gender(r.sex), race(r.race), ethnic(r.ethnicity),
    services(r.level_of_care), reason(r.discharge_reason), losCode(r.stay), sub1(r.primary_substance), freqCode(r.days_used),
  ];
}

/**
 * A stored row is one CSV line without its CRLF: a hex CASEID and integer codes. Nothing
 * else may be stored, so a block's rows split at CRLF, and no cell can start a formula but
 * a negative number.
 */
const STORABLE = /^[0-9a-f]+(,-?\d+)*$/;

const BATCH_ROWS = 5000;
/** Blocks fetched at a time while streaming: about 500 KB at 200k episodes. */
const BLOCKS_PER_FETCH = 512;
/** Rows per block the bucket width aims at: about 1 KB a block, stored inline, no TOAST. */
const ROWS_PER_BLOCK = 24;
const CODING_CURSOR = 'teds_d_coding';
const STREAM_CURSOR = 'teds_d_stream';

export interface ExtractOptions {
  /** Rows coded per cursor fetch. */
  batchRows?: number;
  /** Blocks read per fetch while streaming; each fetch is one chunk. */
  blocksPerFetch?: number;
}

type Client = pg.PoolClient;

/**
 * The bucket width of a warehouse with `rows` discharges: order_key >> shift, with 2^(64 −
 * shift) buckets of about ROWS_PER_BLOCK rows (at least 4 buckets, at most 2^20). Chosen when
 * every row is coded; the blocks grow with the warehouse until the next full coding.
 */
export function bucketShift(rows: number): number {
  const bits = Math.min(20, Math.max(2, Math.ceil(Math.log2(Math.max(rows, 1) / ROWS_PER_BLOCK))));
  return 64 - bits;
}

/**
 * What stored rows must have been coded under to be streamed as they are: the secret (by a
 * keyed check, never the secret itself), the tracks' levels of care (SERVICES_D; a tracks
 * file refreshes no episode) and TEDS_D_CODING_VERSION. Read in the caller's snapshot.
 */
async function codedUnder(db: Kysely<DB>, key: string): Promise<string> {
  const { rows } = await sql<{ tracks: string }>`
    select coalesce(string_agg(track_code || '=' || coalesce(level_of_care, ''), ',' order by track_code), '') as tracks from tracks`.execute(db);
  const keyCheck = crypto.createHmac('sha256', key).update('teds-d stored rows', 'utf8').digest('hex');
  return crypto.createHash('sha256').update(JSON.stringify([TEDS_D_CODING_VERSION, keyCheck, rows[0]?.tracks ?? ''])).digest('hex');
}

/**
 * Whether the stored rows are complete in the caller's snapshot: coded under `under`, with
 * no episode waiting to be coded again.
 */
async function storedRowsCurrent(db: Kysely<DB>, under: string): Promise<boolean> {
  const { rows } = await sql<{ current: boolean }>`
    select exists (select 1 from teds_d_state where coded_under = ${under})
      and not exists (select 1 from teds_d_pending) as current`.execute(db);
  return rows[0]?.current ?? false;
}

/**
 * Rebuilds the blocks of these buckets (all when null) from the stored rows: each bucket's
 * rows in shuffle order, each followed by CRLF, and their discharge dates as YYYYMMDD.
 */
async function buildBlocks(db: Kysely<DB>, buckets: readonly number[] | null): Promise<void> {
  const only = buckets === null ? sql`true` : sql`l.bucket = any(${[...buckets]}::int[])`;
  if (buckets !== null) await sql`delete from teds_d_blocks where bucket = any(${[...buckets]}::int[])`.execute(db);
  await sql`insert into teds_d_blocks (bucket, first_on, last_on, lines, dates)
    select l.bucket, min(l.discharged_on), max(l.discharged_on),
      string_agg(l.line || ${'\r\n'}, '' order by l.order_key, l.episode_id),
      string_agg(to_char(l.discharged_on, 'YYYYMMDD'), '' order by l.order_key, l.episode_id)
    from teds_d_lines l where ${only} group by l.bucket`.execute(db);
}

/**
 * The rows of an open cursor, `size` at a time. The next batch is on its way from the server
 * while the caller works on this one (a stop in between leaves that fetch to finish first).
 */
async function* cursorBatches<T>(db: Kysely<DB>, cursor: string, size: number): AsyncGenerator<T[]> {
  const fetch = () => sql<T>`fetch forward ${sql.lit(size)} from ${sql.id(cursor)}`.execute(db);
  let next = fetch();
  for (;;) {
    const { rows } = await next;
    if (rows.length === 0) return;
    next = fetch();
    // Awaited in the next round; a failure meanwhile must not count as unhandled.
    next.catch(() => undefined);
    yield rows;
  }
}

/**
 * Codes the rows `query` gives into `teds_d_lines`, on two connections so that PostgreSQL
 * reads the facts, Node codes them and PostgreSQL stores the rows, all at once: a reader
 * connection runs the query in the coding transaction's own snapshot (exported), a batch at
 * a time, and the coding connection takes the coded rows through one COPY. At 200k, coding
 * every discharge on one connection, which runs a fetch and an insert in turn, took 4.0 s.
 * Returns the number of rows coded.
 */
async function codeInto(pool: pg.Pool, client: Client, query: RawBuilder<DischargeRow>, codesOf: (r: DischargeRow) => CsvValue[], batchRows: number): Promise<number> {
  const { rows: snapshot } = await client.query<{ id: string }>('select pg_export_snapshot() as id');
  const reader = await pool.connect();
  let open = false;
  let coded = 0;
  try {
    await reader.query('begin isolation level repeatable read read only');
    open = true;
    // SET TRANSACTION SNAPSHOT takes no parameter; an id is hex groups joined by '-'.
    const id = snapshot[0]?.id ?? '';
    if (!/^[0-9A-F]+(-[0-9A-F]+)+$/i.test(id)) throw new Error(`unexpected snapshot id from pg_export_snapshot(): ${id}`);
    await reader.query(`set transaction snapshot '${id}'`);
    await reader.query(SETTINGS);
    const rdb = singleClientKysely(reader);
    await sql`declare ${sql.id(CODING_CURSOR)} no scroll cursor for ${query}`.execute(rdb);
    // The id is escaped for COPY; the rest are numbers, a date and a STORABLE line.
    async function* tsv(): AsyncGenerator<string> {
      for await (const rows of cursorBatches<DischargeRow>(rdb, CODING_CURSOR, batchRows)) {
        let text = '';
        for (const r of rows) {
          const line = csvDocument([codesOf(r)]).slice(0, -2);
          if (!STORABLE.test(line)) throw new Error(`a TEDS-D row of an episode discharged ${r.discharged_on} is not a CASEID and integer codes: ${line}`);
          text += `${copyValue(r.episode_id)}\t${r.bucket}\t${r.order_key}\t${r.discharged_on}\t${line}\n`;
        }
        coded += rows.length;
        yield text;
      }
    }
    await pipeline(tsv, client.query(copyFrom('copy teds_d_lines (episode_id, bucket, order_key, discharged_on, line) from stdin')));
    await reader.query('commit');
    open = false;
  } finally {
    if (open) await reader.query('rollback').catch(() => undefined);
    reader.release();
  }
  return coded;
}

/**
 * Codes the missing rows and rebuilds their blocks, in the caller's transaction, which
 * holds SHARE ROW EXCLUSIVE on `teds_d_lines` taken before its snapshot
 * (warehouse/models/refresh.ts explains the order): every discharge when the stored rows
 * were coded under something else (unless `pendingOnly`: then nothing), else the pending
 * episodes. Returns the rows coded.
 */
async function codeMissingRows(pool: pg.Pool, client: Client, db: Kysely<DB>, key: string, batchRows: number, pendingOnly = false): Promise<number> {
  const under = await codedUnder(db, key);
  const seed = rowOrderSeed(key);
  const { rows: state } = await sql<{ coded_under: string; bucket_shift: number }>`select coded_under, bucket_shift from teds_d_state`.execute(db);
  const all = state[0]?.coded_under !== under;
  if (all && pendingOnly) return 0;
  let shift = state[0]?.bucket_shift ?? 0;
  // The pending ids as an array: the planner sees how few they are (the table has no
  // statistics) and probes their facts by index instead of scanning every self-report.
  let pending: string[] = [];
  if (all) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from episodes where discharged_on is not null`.execute(db);
    shift = bucketShift(rows[0]?.n ?? 0);
    await sql`truncate teds_d_lines, teds_d_blocks, teds_d_pending`.execute(db);
    await sql`insert into teds_d_state (coded_under, bucket_shift) values (${under}, ${shift})
      on conflict (only_row) do update set coded_under = excluded.coded_under, bucket_shift = excluded.bucket_shift`.execute(db);
  } else {
    pending = (await sql<{ episode_id: string }>`select episode_id from teds_d_pending`.execute(db)).rows.map((r) => r.episode_id);
    if (pending.length === 0) return 0;
  }
  const scope = all ? sql`true` : sql`e.episode_id = any(${pending}::text[])`;
  const coded = await codeInto(pool, client, dischargeQuery(scope, seed, shift), rowCoder(caseIdFor(key)), batchRows);
  if (all) {
    // Planner statistics for the block rebuilds that follow partial codings.
    await sql`analyze teds_d_lines`.execute(db);
    await buildBlocks(db, null);
    return coded;
  }
  // The blocks of the pending episodes: those whose row changed, appeared or went away.
  const { rows: buckets } = await sql<{ bucket: number }>`
    select distinct ${bucketOf(sql`p.id`, seed, shift)} as bucket from unnest(${pending}::text[]) as p(id)`.execute(db);
  await buildBlocks(db, buckets.map((b) => b.bucket));
  await sql`delete from teds_d_pending where episode_id = any(${pending}::text[])`.execute(db);
  return coded;
}

/** Opens a transaction that may code rows: the lock before the snapshot, then the settings. */
async function beginCoding(client: Client): Promise<void> {
  await client.query('begin isolation level repeatable read');
  await client.query('lock table teds_d_lines in share row exclusive mode');
  await client.query(SETTINGS);
}

/**
 * No JIT, as in the model refresh and the model queries: compiling costs more than these
 * short scans save. More sort memory, as the model queries take (metrics/sql/model-scope.ts):
 * the self-reports and the blocks' rows sort in memory instead of on disk. Cursors are read
 * to the end, so they are planned for every row, not the first tenth (the default plan of
 * the coding of 1,800 pending episodes at 200k took 118 ms, against 42 ms).
 */
const SETTINGS = `select set_config('jit', 'off', true), set_config('work_mem', '64MB', true), set_config('cursor_tuple_fraction', '1', true)`;

/**
 * The rows of a block discharged from `from` to `to` (YYYYMMDD): a block's rows each end
 * in CRLF, and its dates hold one YYYYMMDD per row, in the same order.
 */
export function blockRowsIn(lines: string, dates: string, from: string, to: string): string {
  let out = '';
  let pos = 0;
  for (let k = 0; pos < lines.length; k++) {
    const end = lines.indexOf('\r\n', pos) + 2;
    if (end < 2) throw new Error('a TEDS-D block does not end with CRLF');
    const day = dates.slice(8 * k, 8 * k + 8);
    if (day >= from && day <= to) out += lines.slice(pos, end);
    pos = end;
  }
  return out;
}

let afterIngestKey: string | null = null;

/**
 * The secret this process codes pending rows under after each ingest (the CLI and the API
 * pass their configured IOP_EXPORT_SECRET at start; a missing or short one codes nothing).
 * With it, an ingest leaves no row for the next extract to code; without it, the extract
 * codes them. Only pending rows are coded, and only when the stored rows were coded under
 * the same secret: an ingest never codes every discharge.
 */
export function codeExtractRowsAfterIngest(secret: string | undefined): void {
  try {
    afterIngestKey = checkedSecret(secret);
  } catch (e) {
    if (!(e instanceof ExportSecretError)) throw e;
    afterIngestKey = null;
  }
}

/** Codes the pending rows and rebuilds their blocks, in one transaction under the lock. */
export async function codePendingRows(wh: { pool: pg.Pool }, secret: string, batchRows = BATCH_ROWS): Promise<number> {
  const client = await wh.pool.connect();
  try {
    await beginCoding(client);
    const coded = await codeMissingRows(wh.pool, client, singleClientKysely(client), secret, batchRows, true);
    await client.query('commit');
    return coded;
  } catch (e) {
    await client.query('rollback').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

registerAfterCommit('TEDS-D row coding', async (wh) => {
  if (afterIngestKey !== null) await codePendingRows(wh, afterIngestKey);
});

/**
 * The extract as CSV text chunks: the header, then the stored blocks that the range
 * reaches, in bucket order (which is the shuffle's order), each cut to the range's dates
 * when it straddles an end. Throws ExportSecretError before reading anything when the
 * secret is missing or too short.
 *
 * Two transactions on one connection: the first codes the missing rows under the lock and
 * commits; the second streams in a read-only snapshot that holds no lock, so a slow download
 * never holds up an ingest. When a refresh or another extract changed the stored rows in
 * between (the second snapshot finds them not current), the rows are coded again and
 * streamed in one transaction under the lock. Stopping early (a closed response) rolls the
 * open transaction back.
 */
export async function* tedsDischargeCsv(wh: { pool: pg.Pool }, range: TedsDRange, secret: string | undefined, options: ExtractOptions = {}): AsyncGenerator<string> {
  const { batchRows = BATCH_ROWS, blocksPerFetch = BLOCKS_PER_FETCH } = options;
  const key = checkedSecret(secret);
  const from = range.from.replaceAll('-', '');
  const to = range.to.replaceAll('-', '');
  const client = await wh.pool.connect();
  const db = singleClientKysely(client);
  let open = false;
  try {
    open = true;
    await beginCoding(client);
    await codeMissingRows(wh.pool, client, db, key, batchRows);
    await client.query('commit');
    await client.query('begin isolation level repeatable read read only');
    await client.query(SETTINGS);
    if (!(await storedRowsCurrent(db, await codedUnder(db, key)))) {
      await client.query('rollback');
      await beginCoding(client);
      await codeMissingRows(wh.pool, client, db, key, batchRows);
    }
    yield csvDocument([TEDS_D_COLUMNS]);
    await sql`declare ${sql.id(STREAM_CURSOR)} no scroll cursor for
      select b.lines, case when b.first_on >= ${range.from}::date and b.last_on <= ${range.to}::date then null else b.dates end as dates
      from teds_d_blocks b where b.last_on >= ${range.from}::date and b.first_on <= ${range.to}::date
      order by b.bucket`.execute(db);
    for await (const rows of cursorBatches<{ lines: string; dates: string | null }>(db, STREAM_CURSOR, blocksPerFetch)) {
      let chunk = '';
      for (const r of rows) chunk += r.dates === null ? r.lines : blockRowsIn(r.lines, r.dates, from, to);
      if (chunk !== '') yield chunk;
    }
    await client.query('commit');
    open = false;
  } finally {
    if (open) await client.query('rollback').catch(() => undefined);
    client.release();
  }
}
