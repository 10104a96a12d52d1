import crypto from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { singleClientKysely, type Warehouse } from '../warehouse/db';
import type { DB } from '../warehouse/db-types';
import { analyzeModels, refreshEpisodes, runAfterCommit } from '../warehouse/models/refresh';
import { FileError, openCsv, type RawRecord } from './csv-source';
import { ENTITIES, type EntityName } from './entities';
import { cellsOf, itemsOf, mapHeader } from './header';
import { relinkPatients } from './link';
import { createStaging, mergeStaging } from './merge';
import { EMPTY_PROFILE, type Profile } from './profile';
import { loadRefs, type CellError } from './references';
import { copyValue } from '../warehouse/copy-text';
import { prepareRow } from './rows';
import { tempPath } from './temp-files';

/** The `ingest --json` summary (docs/cli.md). */
export interface IngestSummary {
  batch_id: string;
  entity: EntityName;
  status: 'committed' | 'duplicate';
  rows_read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
  errors: (CellError & { line: number })[];
  warnings: string[];
}

export interface IngestOptions {
  entity: EntityName;
  input: Readable;
  sourceName: string;
  profile?: Profile;
  /** The ingest date (default today, UTC): later dates are rejected. */
  today?: string;
  /** SHA-256 of the source when known up front (a file): a re-ingest is then recognised before parsing. */
  sha256?: string;
  /** Called as bytes are read, for a progress bar. */
  onProgress?: (bytes: number) => void;
}

const MAX_ERRORS_IN_SUMMARY = 100;
/**
 * The real end time: now() is the start of the transaction, so a batch's finished_at
 * equalled its started_at (PostgreSQL docs, "Current Date/Time", §9.9.5).
 */
const END_TIME = sql<Date>`clock_timestamp()`;

/** IOP_TRACE=1 prints the time each stage of a batch took, for profiling. */
const TRACE = process.env.IOP_TRACE === '1';
let lastMark = performance.now();
function trace(stage: string): void {
  if (!TRACE) return;
  const now = performance.now();
  process.stderr.write(`[ingest] ${stage} +${(now - lastMark).toFixed(0)} ms\n`);
  lastMark = now;
}

/**
 * Loads one CSV as one batch in one transaction (docs/formats.md): stream → zod → COPY
 * into staging → set-based merge → episode linking → refresh of touched episodes →
 * lineage. Rejected rows go to `rejected_rows`; a whole-file failure applies nothing,
 * is recorded as a failed batch and throws FileError.
 */
export async function ingestCsv(wh: Warehouse, opts: IngestOptions): Promise<IngestSummary> {
  const summary = await ingestBatch(wh, opts);
  // Work above the warehouse that follows a committed refresh (the TEDS-D stored rows), on
  // its own connection once the batch's is back in the pool.
  if (summary.status === 'committed') summary.warnings.push(...await runAfterCommit(wh));
  return summary;
}

async function ingestBatch(wh: Warehouse, opts: IngestOptions): Promise<IngestSummary> {
  const batchId = crypto.randomUUID();
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  // Quarantined rows wait here until the merge; removed below on every exit, or swept
  // at the next start after a kill (ingest/temp-files.ts).
  const rejectsFile = tempPath('rejects', '.tsv', batchId);
  const client = await wh.pool.connect();
  const db = singleClientKysely(client);
  let started = false;
  let startedAt: string | null = null;
  try {
    if (opts.sha256) {
      const dup = await committedBatch(db, opts.entity, opts.sha256);
      if (dup) return await duplicate(wh, batchId, opts, opts.sha256, 0, dup);
    }
    await client.query('begin');
    started = true;
    // One batch at a time: merges and refreshes of concurrent batches would interleave.
    await client.query(`select pg_advisory_xact_lock(hashtext('iop-ingest'))`);
    // The merge statements run once per batch over the whole staging table: compiling
    // them with JIT cost more than it saved (about 0.1–0.3 s a statement).
    await client.query(`select set_config('jit', 'off', true)`);
    const running = await db.insertInto('ingest_batches')
      .values({ batch_id: batchId, entity: opts.entity, source_name: opts.sourceName, file_sha256: 'pending', status: 'running' })
      .returning(sql<string>`started_at::text`.as('started_at'))
      .executeTakeFirstOrThrow();
    startedAt = running.started_at;

    const staged = await stageFile(client, db, opts, today, batchId, rejectsFile);
    const sha = staged.sha256;
    const dup = await committedBatch(db, opts.entity, sha);
    if (dup) {
      await client.query('rollback');
      started = false;
      return await duplicate(wh, batchId, opts, sha, staged.rowsRead, dup);
    }

    trace('staged');
    const counts = await mergeStaging(db, opts.entity, batchId, today, staged.absent);
    trace('merged');
    const warnings = [...staged.warnings];
    if (counts.duplicateKeys) {
      warnings.push(`${counts.duplicateKeys} row(s) repeated a natural key (${ENTITIES[opts.entity].key.join(' + ')}) within the file; the later row was kept`);
    }
    const touched = await touchedEpisodes(db, opts.entity, today, batchId, counts.previousEpisodes);
    trace('linked');
    await refreshEpisodes(db, touched, today, await measureEpisodes(db, opts.entity, batchId));
    trace('refreshed');
    await analyzeIfChanged(db, ENTITIES[opts.entity].table, counts.inserted + counts.updated);
    await analyzeIfChanged(db, 'episode_outcomes', touched.length, () => analyzeModels(db, 'episode_outcomes'));
    await analyzeIfChanged(db, 'episode_instrument_outcomes', touched.length, () => analyzeModels(db, 'episode_instrument_outcomes'));
    trace('analyzed');
    const unlinked = await unlinkedInBatch(db, opts.entity);
    if (unlinked) warnings.push(`${unlinked} row(s) link to no episode; they are kept but excluded from episode metrics`);

    await copyRejects(client, rejectsFile);
    await db.updateTable('ingest_batches').set({
      file_sha256: sha, status: 'committed', finished_at: END_TIME, rows_read: staged.rowsRead,
      inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged, rejected: staged.rejected,
      warnings: JSON.stringify(warnings),
    }).where('batch_id', '=', batchId).execute();
    await client.query('commit');
    trace('committed');
    started = false;
    return {
      batch_id: batchId, entity: opts.entity, status: 'committed', rows_read: staged.rowsRead,
      inserted: counts.inserted, updated: counts.updated, unchanged: counts.unchanged, rejected: staged.rejected,
      errors: staged.errors, warnings,
    };
  } catch (e) {
    if (started) await client.query('rollback').catch(() => undefined);
    if (e instanceof FileError) {
      await recordBatch(wh, batchId, opts, null, 'failed', {}, [], e.message, startedAt).catch(() => undefined);
    }
    throw e;
  } finally {
    client.release();
    fs.rmSync(rejectsFile, { force: true });
  }
}

interface Staged {
  sha256: string;
  rowsRead: number;
  rejected: number;
  errors: (CellError & { line: number })[];
  warnings: string[];
  /** The spec's keepWhenAbsent columns this file does not carry (nor a profile default for). */
  absent: string[];
}

async function stageFile(client: pg.PoolClient, db: Kysely<DB>, opts: IngestOptions, today: string, batchId: string, rejectsFile: string): Promise<Staged> {
  const spec = ENTITIES[opts.entity];
  const profile = opts.profile ?? EMPTY_PROFILE;
  const refs = await loadRefs(db, spec.references);
  await createStaging(db, opts.entity);

  const csv = await openCsv(opts.input);
  const header = mapHeader(csv.header, spec, profile);
  const warnings = header.unknown.length ? [`ignored unknown column(s): ${header.unknown.join(', ')}`] : [];
  const defaults = new Set(Object.keys(profile.defaults).map((k) => k.toLowerCase()));
  const absent = spec.keepWhenAbsent.filter((c) => !header.index.has(c) && !defaults.has(c));
  const schema = spec.schema({ today, dateFormat: profile.date_format });
  const columns = ['line', ...spec.staging].map((c) => `"${c}"`).join(', ');
  const copy = client.query(copyFrom(`copy stg (${columns}) from stdin`));
  const rejects = fs.createWriteStream(rejectsFile, { flags: 'wx', mode: 0o600 });
  const copyDone = finished(copy);

  let rowsRead = 0;
  let rejected = 0;
  const errors: Staged['errors'] = [];
  // One batch of records becomes one COPY chunk and one chunk of quarantined rows.
  const stageBatch = (batch: RawRecord[]): { good: string; bad: string } => {
    let good = '';
    let bad = '';
    for (const rec of batch) {
      rowsRead++;
      const result = rec.fields.length > header.width
        ? { ok: false as const, errors: [{ column: '', value: null, message: `has ${rec.fields.length} fields but the header has ${header.width}; check for an unquoted comma` }] }
        : prepareRow(spec, schema, cellsOf(rec.fields, header, spec, profile), itemsOf(rec.fields, header), refs);
      if (result.ok) {
        good += `${rec.line}\t${result.values.map(copyValue).join('\t')}\n`;
        continue;
      }
      rejected++;
      for (const err of result.errors) if (errors.length < MAX_ERRORS_IN_SUMMARY) errors.push({ line: rec.line, ...err });
      const raw = Object.fromEntries(csv.header.map((h, k) => [h || `field_${k + 1}`, rec.fields[k] ?? null]));
      bad += `${batchId}\t${rec.line}\t${copyValue(JSON.stringify(result.errors))}\t${copyValue(JSON.stringify(raw))}\n`;
    }
    return { good, bad };
  };
  try {
    for await (const batch of csv.batches) {
      const { good, bad } = stageBatch(batch);
      if (good) await write(copy, good);
      if (bad) await write(rejects, bad);
      opts.onProgress?.(csv.bytesRead());
    }
  } catch (e) {
    // Abort the COPY (pg-copy-streams sends CopyFail), or the connection stays inside it
    // and the rollback that follows would wait forever behind it.
    await abort(copy, e);
    // Closed before the caller removes the file: a file still being opened would reappear.
    await discard(rejects);
    throw e;
  }
  copy.end();
  rejects.end();
  await Promise.all([copyDone, finished(rejects)]);
  opts.onProgress?.(csv.bytesRead());
  return { sha256: csv.sha256(), rowsRead, rejected, errors, warnings, absent };
}

async function copyRejects(client: pg.PoolClient, file: string): Promise<void> {
  if (!fs.existsSync(file) || fs.statSync(file).size === 0) return;
  await pipeline(fs.createReadStream(file), client.query(copyFrom('copy rejected_rows (batch_id, line, errors, raw) from stdin')));
}

/** Episodes whose outcome models this batch may have changed. */
async function touchedEpisodes(db: Kysely<DB>, entity: EntityName, today: string, batchId: string, previousEpisodes: string[]): Promise<string[]> {
  const ids = async (q: ReturnType<typeof sql<{ id: string }>>) => (await q.execute(db)).rows.map((r) => r.id);
  // What an updated row held before this batch: it may have left an episode (or patient) that changes too.
  const before = (col: string) => sql`select old->>${col} from corrections where batch_id = ${batchId}::uuid`;
  switch (entity) {
    case 'tracks':
    case 'sites':
    case 'clinicians':
    case 'instruments':
      return [];
    case 'patients':
      return ids(sql`select e.episode_id as id from episodes e join stg s using (patient_id)`);
    case 'episodes': {
      // attendance carries its episode's patient_id (for distribution by patient); keep it in step.
      await sql`update attendance a set patient_id = c.new->>'patient_id' from corrections c
        where c.batch_id = ${batchId}::uuid and a.episode_id = c.natural_key
          and c.old->>'patient_id' is distinct from c.new->>'patient_id'`.execute(db);
      const relinked = await relinkPatients(db, sql`select patient_id from stg union ${before('patient_id')}`, today);
      const own = await ids(sql`select episode_id as id from stg`);
      return [...new Set([...own, ...relinked])];
    }
    case 'attendance':
      return ids(sql`select episode_id as id from stg union ${before('episode_id')}`);
    case 'followups':
      // Interviews feed the funder measures, which read them by patient: no episode model
      // holds them (the measure model is kept by measureEpisodes below).
      return [];
    case 'assessments':
    case 'abstinence': {
      // The merge linked the rows it wrote; episodes did not change, so no other row's link did.
      const table = sql.table(ENTITIES[entity].table);
      const keys = sql.join(ENTITIES[entity].key.map((k) => sql`t.${sql.ref(k)} = s.${sql.ref(k)}`), sql` and `);
      const written = await ids(sql`select distinct t.episode_id as id from stg s join ${table} t on ${keys}
        where t.batch_id = ${batchId}::uuid and t.episode_id is not null`);
      return [...new Set([...previousEpisodes, ...written])];
    }
  }
}

/**
 * Episodes whose standard-measure rows (only) this batch may have changed, beyond the touched
 * ones: the measures read follow-up interviews and depression outcome scores by patient, so
 * an interview, or a score linked to no episode, changes the rows of the patient's episodes
 * (refreshEpisodes passes them to the measure model alone).
 */
async function measureEpisodes(db: Kysely<DB>, entity: EntityName, batchId: string): Promise<string[]> {
  if (entity !== 'followups' && entity !== 'assessments') return [];
  const { table, key } = ENTITIES[entity];
  const keys = sql.join(key.map((k) => sql`t.${sql.ref(k)} = s.${sql.ref(k)}`), sql` and `);
  const before = sql`select old->>'patient_id' from corrections where batch_id = ${batchId}::uuid`;
  const patients = entity === 'followups'
    ? sql`select patient_id from stg union ${before}`
    : sql`select t.patient_id from stg s join ${sql.table(table)} t on ${keys} where t.batch_id = ${batchId}::uuid and t.episode_id is null`;
  const { rows } = await sql<{ id: string }>`select e.episode_id as id from episodes e where e.patient_id in (${patients})`.execute(db);
  return rows.map((r) => r.id);
}

async function unlinkedInBatch(db: Kysely<DB>, entity: EntityName): Promise<number> {
  const { link, table, key: keys } = ENTITIES[entity];
  if (!link) return 0;
  const r = await sql<{ n: number }>`
    select count(*)::int as n from ${sql.table(table)} t join stg s on ${sql.join(keys.map((k) => sql`t.${sql.ref(k)} = s.${sql.ref(k)}`), sql` and `)}
    where t.episode_id is null`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/**
 * Planner statistics for a table a batch changed a lot (≥ 10% of it, or a table never
 * analysed): without them the first metric query after a bulk load can pick a plan
 * that runs for minutes (seen: 90 s instead of 0.13 s). Autovacuum would get there,
 * but only after the dashboard's first request. `analyze` replaces the whole-table
 * ANALYZE (the models analyse only the columns queries use).
 */
async function analyzeIfChanged(db: Kysely<DB>, table: string, changed: number, analyze?: () => Promise<void>): Promise<void> {
  if (changed === 0) return;
  const r = await sql<{ tuples: number }>`select reltuples::float8 as tuples from pg_class where oid = ${table}::regclass`.execute(db);
  const tuples = r.rows[0]?.tuples ?? -1;
  if (tuples > 0 && changed < 0.1 * tuples) return;
  if (analyze) await analyze();
  else await sql`analyze ${sql.table(table)}`.execute(db);
}

async function committedBatch(db: Kysely<DB>, entity: EntityName, sha: string): Promise<string | null> {
  const row = await db.selectFrom('ingest_batches').select('batch_id')
    .where('entity', '=', entity).where('file_sha256', '=', sha).where('status', '=', 'committed').executeTakeFirst();
  return row?.batch_id ?? null;
}

/** Re-ingesting identical content changes nothing; the attempt is still recorded in the lineage. */
async function duplicate(wh: Warehouse, batchId: string, opts: IngestOptions, sha: string, rowsRead: number, of: string): Promise<IngestSummary> {
  const warnings = [`identical to batch ${of}; nothing changed`];
  await recordBatch(wh, batchId, opts, sha, 'duplicate', { rows_read: rowsRead }, warnings);
  return { batch_id: batchId, entity: opts.entity, status: 'duplicate', rows_read: rowsRead, inserted: 0, updated: 0, unchanged: 0, rejected: 0, errors: [], warnings };
}

async function recordBatch(
  wh: Warehouse, batchId: string, opts: IngestOptions, sha: string | null, status: 'duplicate' | 'failed',
  counts: { rows_read?: number }, warnings: string[], error?: string, startedAt?: string | null,
): Promise<void> {
  await wh.db.insertInto('ingest_batches').values({
    batch_id: batchId, entity: opts.entity, source_name: opts.sourceName, file_sha256: sha ?? 'unknown', status,
    // A failed batch's own row was rolled back with it; this one keeps when it began.
    ...(startedAt ? { started_at: sql<Date>`${startedAt}::timestamptz` } : {}),
    finished_at: END_TIME, rows_read: counts.rows_read ?? 0, warnings: JSON.stringify(warnings), error: error ?? null,
  }).execute();
}

function abort(stream: Writable, reason: unknown): Promise<void> {
  return new Promise((resolve) => {
    stream.once('close', () => resolve());
    stream.destroy(reason instanceof Error ? reason : new Error(String(reason)));
  });
}

/** Destroys a file stream without an error and waits until its file is closed. */
function discard(stream: fs.WriteStream): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('close', () => resolve());
    stream.destroy();
  });
}

/** Writes with backpressure; a stream that fails while we wait rejects instead of hanging. */
function write(stream: Writable, chunk: string): Promise<void> {
  if (stream.errored) return Promise.reject(stream.errored);
  if (stream.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = () => { stream.off('error', onError); resolve(); };
    const onError = (e: Error) => { stream.off('drain', onDrain); reject(e); };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

function finished(stream: Writable): Promise<void> {
  const p = new Promise<void>((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('error', reject);
  });
  // Observed later; keep an early failure from surfacing as an unhandled rejection.
  p.catch(() => undefined);
  return p;
}
