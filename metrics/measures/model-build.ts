import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { registerRefreshStep } from '../../warehouse/models/refresh';
import { NO_LIST_FILTERS, type MetricFilters } from '../filters';
import { distributionValue, MEASURE_MODEL, MEASURE_ROLLUP } from './model';
import { ageStratumExpression } from './strata';
import { MEASURES } from './registry';
import { measureEpisodes } from './run';
import { MEASURE_NAMES, type MeasureContext } from './spec';

type Executor = Kysely<DB> | Transaction<DB>;

/**
 * Rebuilds the per-episode measure model (./model.ts) for the given episodes, or for all,
 * within a model refresh (warehouse/models/refresh.ts). A measure's row of an episode
 * also depends on the patient's other episodes and interviews (a depression outcome
 * scored in any episode, a death recorded anywhere, follow-ups matched by patient), so
 * the rows of every episode of the patients concerned are rebuilt.
 *
 * Each registered measure's own SQL (`labelled`, `episodeStatistics`) computes the rows as
 * of the latest date the facts of those episodes reach, with the model's options (every
 * diagnosis required, no configured holidays) and no filter; `measures_through` records
 * that date (the latest over the whole model after a partial refresh).
 */
export async function refreshMeasureRows(db: Executor, ids: readonly string[] | null): Promise<void> {
  const patients = ids === null ? null : await patientEpisodes(db, ids);
  // Many episodes (a follow-up file, a bulk load): one pass over all is cheaper than many probes.
  const scopeIds = patients !== null && patients.length > BULK_MIN && patients.length > BULK_SHARE * (await episodeCount(db)) ? null : patients;
  const gone = scopeIds === null ? null : [...new Set([...ids ?? [], ...scopeIds])];
  if (gone === null) {
    await sql`truncate ${sql.table(MEASURE_MODEL)}, ${sql.table(MEASURE_ROLLUP)}`.execute(db);
  } else {
    await applyToRollup(db, gone, -1);
    await sql`delete from ${sql.table(MEASURE_MODEL)} where episode_id = any(${gone}::text[])`.execute(db);
  }

  const through = await latestFact(db, scopeIds);
  if (through !== null && (scopeIds === null || scopeIds.length > 0)) {
    const only = scopeIds === null ? sql`true` : sql`e.episode_id = any(${scopeIds}::text[])`;
    const ctx = modelContext(through);
    for (const name of MEASURE_NAMES) {
      const spec = MEASURES[name];
      if (!spec) continue;
      const stats = spec.episodeStatistics;
      await sql`insert into ${sql.table(MEASURE_MODEL)} (measure, episode_id, patient_id, track_code, site_code, clinician_id, sex, race,
          ethnicity, primary_substance, birth_year, admitted_on, index_date, closed_label, open_until, stats)
        with ${measureEpisodes(ctx, only)},
          ${spec.labelled(ctx)}${stats ? sql`, measure_episode_stats as (${stats(ctx)})` : sql``}
        select ${spec.name}, l.episode_id, m.patient_id, m.track_code, m.site_code, m.clinician_id, m.sex, m.race,
          -- a window closed by the day the rows are computed for is closed for every later as_of
          m.ethnicity, m.primary_substance, m.birth_year, m.admitted_on, l.index_date, l.closed_label,
          case when l.open_until > ${through}::date then l.open_until end,
          ${stats ? sql`s.stats` : sql`null::int[]`}
        from labelled l join measure_episodes m on m.episode_id = l.episode_id
          ${stats ? sql`left join measure_episode_stats s on s.episode_id = l.episode_id` : sql``}`.execute(db);
    }
  }
  await applyToRollup(db, scopeIds, 1);
  const merged: RawBuilder<unknown> = scopeIds === null ? sql`${through}::date` : sql`greatest(measures_through, ${through}::date)`;
  await sql`update model_state set measures_through = ${merged}`.execute(db);
}

registerRefreshStep({ name: 'measures', run: refreshMeasureRows });

/** Above this share of the episodes (and this many), the rows of all are rebuilt (as the metric rollups are). */
const BULK_SHARE = 0.1;
const BULK_MIN = 5000;

async function episodeCount(db: Executor): Promise<number> {
  const { rows } = await sql<{ n: number }>`select greatest(reltuples, 0)::float8 as n from pg_class where oid = 'episodes'::regclass`.execute(db);
  return rows[0]?.n ?? 0;
}

/** The episodes of the patients of `ids` (the episodes still in the warehouse). */
async function patientEpisodes(db: Executor, ids: readonly string[]): Promise<string[]> {
  const { rows } = await sql<{ episode_id: string }>`
    select e.episode_id from episodes e
    where e.patient_id in (select x.patient_id from episodes x where x.episode_id = any(${[...ids]}::text[]))`.execute(db);
  return rows.map((r) => r.episode_id);
}

/**
 * The latest date the measures read for these episodes (all when null): a session, a score
 * or an interview of their patients, an admission, discharge, first contact or evaluation.
 */
async function latestFact(db: Executor, scopeIds: readonly string[] | null): Promise<string | null> {
  const ids = scopeIds === null ? null : [...scopeIds];
  const byEpisode = (c: string) => (ids === null ? sql`true` : sql`${sql.ref(c)} = any(${ids}::text[])`);
  const byPatient = (c: string) => (ids === null ? sql`true`
    : sql`${sql.ref(c)} in (select e.patient_id from episodes e where e.episode_id = any(${ids}::text[]))`);
  const { rows } = await sql<{ through: string | null }>`select greatest(
      (select max(session_date) from attendance where ${byEpisode('episode_id')}),
      -- two probes, not one OR (which PostgreSQL answers with a scan of every score)
      (select max(administered_on) from assessments where ${byPatient('patient_id')}),
      (select max(administered_on) from assessments where ${byEpisode('episode_id')}),
      (select max(interviewed_on) from followups where ${byPatient('patient_id')}),
      (select max(greatest(admitted_on, discharged_on, first_contact_on, evaluated_on)) from episodes where ${byEpisode('episode_id')})
    )::text as through`.execute(db);
  return rows[0]?.through ?? null;
}

/** The context the model is computed in: as of `asOf`, every episode, the model's options. */
function modelContext(asOf: string): MeasureContext {
  const filters: MetricFilters = {
    ...NO_LIST_FILTERS, track: null, from: null, to: null, as_of: asOf, group_by: ['track'], period: 'month',
    instrument: 'PHQ-9', min_cell: null, missing_as_positive: false, caseload: null,
  };
  return { filters, options: { any_diagnosis: false, holidays: [] } };
}

/**
 * Adds (`sign` 1) or subtracts (−1) the model rows of these episodes (all when null) to or
 * from the rollup `measure_cells`, key by key; keys left with no episode are removed.
 * Statistics slots add element by element (a slot no episode of a key has is null, or 0
 * once a key has been updated: the statistics read sums, where both count nothing).
 */
async function applyToRollup(db: Executor, ids: readonly string[] | null, sign: 1 | -1): Promise<void> {
  if (ids !== null && ids.length === 0) return;
  const scope = ids === null ? sql`true` : sql`r.episode_id = any(${[...ids]}::text[])`;
  // The statistics slots of each measure's rows, in one pass over them.
  const { rows } = await sql<{ measure: string; slots: number | null }>`
    select r.measure, max(cardinality(r.stats))::int as slots from ${sql.table(MEASURE_MODEL)} r where ${scope} group by r.measure`.execute(db);
  const slotsOf = new Map(rows.map((r) => [r.measure, r.slots ?? 0]));
  for (const name of MEASURE_NAMES) {
    const spec = MEASURES[name];
    if (!spec || !slotsOf.has(name)) continue;
    const slots = slotsOf.get(name) ?? 0;
    const sums = slots > 0
      ? sql`array[${sql.join(Array.from({ length: slots }, (_, i) => sql`(sum(r.stats[${sql.lit(i + 1)}]) * ${sql.lit(sign)})::int`))}]`
      : sql`null::int[]`;
    const age = sql<number | null>`(extract(year from r.index_date)::int - r.birth_year)`;
    await sql`insert into ${sql.table(MEASURE_ROLLUP)} as c
        (measure, track_code, index_month, admitted_month, age_stratum, no_birth_year, closed_label, open_until, k, n, stats)
      select r.measure, r.track_code, date_trunc('month', r.index_date)::date, date_trunc('month', r.admitted_on)::date,
        ${ageStratumExpression(spec.ageStrata ?? [], age)}, r.birth_year is null, r.closed_label, r.open_until,
        ${distributionValue(spec, sql`r.stats`)}, (count(*) * ${sql.lit(sign)})::int, ${sums}
      from ${sql.table(MEASURE_MODEL)} r
      where r.measure = ${name} and ${scope}
      group by 1, 2, 3, 4, 5, 6, 7, 8, 9
      on conflict (measure, track_code, index_month, admitted_month, age_stratum, no_birth_year, closed_label, open_until, k)
      do update set n = c.n + excluded.n,
        stats = (select array_agg(coalesce(a, 0) + coalesce(b, 0) order by i) from unnest(c.stats, excluded.stats) with ordinality as t(a, b, i))`.execute(db);
  }
  await sql`delete from ${sql.table(MEASURE_ROLLUP)} where n = 0`.execute(db);
}
