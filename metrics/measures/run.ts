import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { compareKeys, groupKey } from '../group-key';
import { NO_LIST_FILTERS } from '../filters';
import { echoFilters, hiddenGroups, suppressionRule } from '../response';
import { FACT_COLUMNS, groupExpression, listFilterConditions, requestScope, UNKNOWN_KEY, type GroupColumns } from '../sql/scope';
import { isSmall, suppressCounts } from '../stats/suppression';
import { wilson } from '../stats/wilson';
import type { MeasureGroup, MeasureResponse, MeasureRow, MeasureSuppressedGroup, NamedRate } from './schema';
import { distributionValue, measureSource, modelCells, modelStatistics, type CellRow, type StatsRow } from './model';
import type { MeasureContext, MeasureSpec } from './spec';
import { ageStratumExpression } from './strata';

/**
 * The generic measure runner (docs/measures.md "The response"): every registered measure
 * goes through it, so scoping, the index-date range, the strata, the rates, suppression
 * and the audit rows are written once.
 *
 * SQL: `measure_episodes` (the request's episodes, as the metrics scope them) → the
 * measure's `labelled` CTEs → `measure_rows` (the index-date range applied, the stratum
 * `grp` and the age stratum added). TypeScript: label counts per group → initial
 * population, exclusions, window_open, denominator = initial population − exclusions −
 * window_open, numerator, rate with its Wilson 95% CI, and suppression.
 */

export const DEFAULT_EXCLUDED = 'excluded';
export const DEFAULT_WINDOW_OPEN = 'window_open';

/**
 * `measure_episodes`: episodes in the request's scope (requestScope of metrics/sql/scope.ts,
 * without the admission range: a measure's from/to apply to its index date, and without
 * the age band, which is the age at the index date: both are applied in `measure_rows`),
 * admitted on or before as_of, with the discharge hidden when it is after as_of. The other
 * list filters (site, clinician, sex, race, ethnicity, substance) are the episode's and
 * apply here, as for the metrics.
 */
export function measureEpisodes(ctx: MeasureContext, only: RawBuilder<unknown> = sql`true`): RawBuilder<unknown> {
  const f = ctx.filters;
  const asOf = sql`${f.as_of}::date`;
  const dischargedByAsOf = sql`(e.discharged_on is not null and e.discharged_on <= ${asOf})`;
  return sql`measure_episodes as (
    select e.episode_id, e.patient_id, e.track_code, e.site_code, e.clinician_id, e.admitted_on,
      case when ${dischargedByAsOf} then e.discharged_on end as discharged_on,
      case when ${dischargedByAsOf} then e.discharge_reason end as discharge_reason,
      e.first_contact_on, e.evaluated_on, coalesce(e.diagnoses, '{}'::text[]) as diagnoses, e.planned_weeks, e.primary_substance,
      p.birth_year, p.sex, p.race, p.ethnicity
    from episodes e left join patients p on p.patient_id = e.patient_id
    where ${requestScope({ ...f, from: null, to: null, age_band: null }, FACT_COLUMNS)} and ${only}
  )`;
}

/** Age at the index date, as the measures count it: index year − birth year (null without a birth year). */
const AGE = sql<number | null>`(extract(year from l.index_date)::int - m.birth_year)`;

/** Where the strata of group_by read from: the measure's row (its index date for `period`). */
const MEASURE_COLUMNS: GroupColumns = {
  episodeId: sql`m.episode_id`,
  track: sql`m.track_code`,
  admitted: sql`l.index_date`,
  sex: sql`m.sex`,
  substance: sql`m.primary_substance`,
  age: AGE,
  site: sql`m.site_code`,
  clinician: sql`m.clinician_id`,
  race: sql`m.race`,
  ethnicity: sql`m.ethnicity`,
};

/** The with-list every query of a measure starts with, ending in `measure_rows`. */
export function measureRowsWith(spec: MeasureSpec, ctx: MeasureContext): RawBuilder<unknown> {
  const f = ctx.filters;
  return sql`with ${measureEpisodes(ctx)},
    ${spec.labelled(ctx)},
    measure_rows as (
      select l.episode_id, m.patient_id, m.track_code as track, m.admitted_on, l.index_date, l.window_start, l.window_end, l.label,
        l.score_date, l.score::float8 as score, m.birth_year,
        ${groupExpression(f, MEASURE_COLUMNS)} as grp,
        ${ageStratumExpression(spec.ageStrata ?? [], AGE)} as age_stratum
      from labelled l join measure_episodes m on m.episode_id = l.episode_id
      where ${f.from ? sql`l.index_date >= ${f.from}::date` : sql`true`}
        and ${f.to ? sql`l.index_date <= ${f.to}::date` : sql`true`}
        and ${listFilterConditions({ ...NO_LIST_FILTERS, age_band: f.age_band, period: f.period }, MEASURE_COLUMNS)}
    )`;
}

interface CountRow { grp: string | null; label: string; n: number }

type Counts = Map<string, Map<string, number>>;

function toCounts(rows: readonly CountRow[], spec: MeasureSpec): Counts {
  const out: Counts = new Map();
  for (const r of rows) {
    if (r.grp === null) continue;
    if (!spec.labels.includes(r.label)) throw new Error(`measure ${spec.name} labelled an episode '${r.label}', which is not one of its labels`);
    const m = out.get(r.grp) ?? new Map<string, number>();
    m.set(r.label, (m.get(r.label) ?? 0) + Number(r.n));
    out.set(r.grp, m);
  }
  return out;
}

const sumOf = (counts: ReadonlyMap<string, number>, labels: readonly string[]): number =>
  labels.reduce((s, l) => s + (counts.get(l) ?? 0), 0);

/**
 * One group's fields from its label counts, with small-cell suppression (docs/measures.md
 * "Suppression"): the split of the initial population into denominator, exclusions and
 * window_open is a row with a published total, and so is the split of the denominator
 * into its outcome labels; each gets primary and complementary suppression
 * (metrics/stats/suppression.ts). A numerator hides when one of its labels does, and a
 * rate when its numerator or denominator does.
 */
export function measureGroup(
  spec: MeasureSpec, key: Record<string, string>, counts: ReadonlyMap<string, number>, minCell: number,
): MeasureGroup | MeasureSuppressedGroup {
  const excludedLabel = spec.excludedLabel ?? DEFAULT_EXCLUDED;
  const windowOpenLabel = spec.windowOpenLabel ?? DEFAULT_WINDOW_OPEN;
  const initial = sumOf(counts, spec.labels);
  if (isSmall(initial, minCell)) return { key, suppressed: ['all'] };
  const exclusions = counts.get(excludedLabel) ?? 0;
  const windowOpen = counts.get(windowOpenLabel) ?? 0;
  const denominator = initial - exclusions - windowOpen;
  const outcomeLabels = spec.labels.filter((l) => l !== excludedLabel && l !== windowOpenLabel);

  const hidden: string[] = [];
  const top = suppressCounts({ denominator, exclusions, window_open: windowOpen }, initial, minCell);
  const outcomeCounts = Object.fromEntries(outcomeLabels.map((l) => [l, counts.get(l) ?? 0]));
  const inner = suppressCounts(outcomeCounts, top.has('denominator') ? null : denominator, minCell);
  if (top.has('denominator') && inner.size === 0) {
    // A hidden denominator is the sum of its labels: hide the smallest positive one too.
    const smallest = Object.entries(outcomeCounts).filter(([, v]) => v > 0).sort(([ka, a], [kb, b]) => a - b || (ka < kb ? -1 : 1))[0];
    if (smallest) inner.add(smallest[0]);
  }
  if (top.has('denominator')) hidden.push('denominator');
  if (top.has('exclusions')) hidden.push('exclusions');
  if (top.has('window_open')) hidden.push('window_open');

  const labels: Record<string, number | null> = {};
  for (const l of spec.labels) {
    const isHidden = l === excludedLabel ? top.has('exclusions') : l === windowOpenLabel ? top.has('window_open') : inner.has(l);
    labels[l] = isHidden ? null : (counts.get(l) ?? 0);
    if (isHidden) hidden.push(`labels.${l}`);
  }

  const rateOf = (numeratorLabels: readonly string[], prefix: string): NamedRate => {
    const x = sumOf(counts, numeratorLabels);
    const numeratorHidden = numeratorLabels.some((l) => labels[l] === null);
    const n = top.has('denominator') ? null : denominator;
    if (numeratorHidden) hidden.push(`${prefix}numerator`);
    if (numeratorHidden || n === null) {
      if (n !== 0) hidden.push(`${prefix}rate`, `${prefix}rate_ci`);
      return { numerator: numeratorHidden ? null : x, rate: null, rate_ci: null };
    }
    if (n === 0) return { numerator: x, rate: null, rate_ci: null };
    return { numerator: x, rate: x / n, rate_ci: wilson(x, n) };
  };

  const primary = rateOf(spec.numerator, '');
  const group: MeasureGroup = {
    key,
    initial_population: initial,
    denominator: top.has('denominator') ? null : denominator,
    exclusions: top.has('exclusions') ? null : exclusions,
    window_open: top.has('window_open') ? null : windowOpen,
    numerator: primary.numerator,
    rate: primary.rate,
    rate_ci: primary.rate_ci,
    labels,
    suppressed: [],
  };
  if (spec.rates) {
    group.rates = Object.fromEntries(Object.entries(spec.rates).map(([name, ls]) => [name, rateOf(ls, `rates.${name}.`)]));
  }
  group.suppressed = [...new Set(hidden)];
  return group;
}

export interface RunOptions {
  minCell: number;
  /** Add the per-episode rows (the caller checks the role and audits the read). */
  rows: boolean;
}

/**
 * Runs one statement of a measure with JIT off, in a transaction of its own (so the
 * statements of a request still run side by side on the pool). A measure's statement is
 * priced above jit_above_cost at a few thousand episodes, and compiling it cost 1.5 s of a
 * 2 s i-serv at 20k episodes on the development machine; metrics/sql/model-scope.ts turns
 * JIT off for the metric queries for the same reason.
 */
export function noJit<T>(db: Kysely<DB>, query: RawBuilder<T>): Promise<{ rows: T[] }> {
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`.execute(trx);
    return query.execute(trx);
  });
}

/** Runs one measure for one request: the response of docs/measures.md "The response". */
export async function runMeasure(db: Kysely<DB>, spec: MeasureSpec, ctx: MeasureContext, opts: RunOptions): Promise<MeasureResponse> {
  const f = ctx.filters;
  const prefix = measureRowsWith(spec, ctx);
  const strataList = spec.ageStrata ?? [];

  // One pass over measure_rows for the group counts, the age strata and the episodes without
  // a birth year (each query re-evaluates the measure's CTEs, so three would triple the work).
  // From the measure model (./model.ts) when it answers the request: one scan of the measure's rows.
  const source = opts.rows ? 'facts' : await measureSource(db, ctx);
  const [cells, stats, rows] = await Promise.all([
    source !== 'facts'
      ? noJit(db, modelCells(spec, ctx, source))
      : noJit(db, sql<CellRow>`${prefix} select grp, age_stratum, label, (birth_year is null) as no_birth_year, count(*)::int as n
          from measure_rows group by grp, age_stratum, label, (birth_year is null)`),
    !spec.statistics || !spec.episodeStatistics
      ? Promise.resolve({ rows: [] as StatsRow[] })
      : source !== 'facts'
        ? noJit(db, modelStatistics(spec, ctx, source))
        : noJit(db, sql<StatsRow>`${prefix},
            measure_episode_stats as (${spec.episodeStatistics(ctx)}),
            measure_stats as (
              select r.grp, r.admitted_on, 1 as n, ${distributionValue(spec, sql`s.stats`)} as k, s.stats
              from measure_rows r join measure_episode_stats s on s.episode_id = r.episode_id
            ),
            measure_statistics as (${spec.statistics(ctx)})
            select grp, stats from measure_statistics`),
    opts.rows
      ? noJit(db, sql<{ episode_id: string; patient_id: string; track: string; index_date: string | null; window_start: string | null; window_end: string | null; label: string; score_date: string | null; score: number | null }>`${prefix}
          select episode_id, patient_id, track, to_char(index_date, 'YYYY-MM-DD') as index_date,
            to_char(window_start, 'YYYY-MM-DD') as window_start, to_char(window_end, 'YYYY-MM-DD') as window_end,
            label, to_char(score_date, 'YYYY-MM-DD') as score_date, score
          from measure_rows order by index_date nulls last, episode_id`)
      : Promise.resolve(null),
  ]);

  const byGroup = { rows: cells.rows.map((r): CountRow => ({ grp: r.grp, label: r.label, n: Number(r.n) })) };
  const byStratum = { rows: strataList.length === 0 ? [] : cells.rows.map((r): CountRow => ({ grp: r.age_stratum, label: r.label, n: Number(r.n) })) };
  const missingAge = { rows: [{ n: cells.rows.reduce((s, r) => s + (r.no_birth_year ? Number(r.n) : 0), 0) }] };
  const groupCounts = toCounts(byGroup.rows, spec);
  const statsByGroup = new Map(stats.rows.map((r) => [r.grp, r.stats]));
  // Groups hidden whole: initial populations of 1…min_cell−1, and their complements across the
  // rows and columns of a two-way table, or among the groups of a one-way one (metrics/response.ts).
  const hidden = hiddenGroups(f, opts.minCell, new Map([...groupCounts].map(([grp, c]) => [grp, sumOf(c, spec.labels)])));
  const groups = [...groupCounts.keys()]
    .sort((a, b) => compareKeys(f.group_by, a, b))
    .map((grp): MeasureGroup | MeasureSuppressedGroup => {
      const counts = groupCounts.get(grp) ?? new Map<string, number>();
      if (hidden.has(grp)) return { key: groupKey(f.group_by, grp), suppressed: ['all'] };
      const g = measureGroup(spec, groupKey(f.group_by, grp), counts, opts.minCell);
      const s = statsByGroup.get(grp);
      if ('initial_population' in g && s !== undefined) {
        g.statistics = spec.protectStatistics ? spec.protectStatistics(s, g.initial_population, opts.minCell) : s;
      }
      return g;
    });

  const stratumCounts = toCounts(byStratum.rows, spec);
  const strataOrder = [...strataList.map((s) => s.band), UNKNOWN_KEY];
  const strata = strataOrder.filter((band) => stratumCounts.has(band))
    .map((band) => measureGroup(spec, { age_band: band }, stratumCounts.get(band) ?? new Map<string, number>(), opts.minCell));

  const notes: string[] = [];
  const noBirthYear = missingAge.rows[0]?.n ?? 0;
  if (noBirthYear > 0) {
    const count = isSmall(noBirthYear, opts.minCell) ? `fewer than ${opts.minCell}` : String(noBirthYear);
    notes.push(`${count} episode${noBirthYear === 1 && !isSmall(noBirthYear, opts.minCell) ? '' : 's'} without a birth year ${noBirthYear === 1 && !isSmall(noBirthYear, opts.minCell) ? 'was' : 'were'} treated as eligible`);
  }

  const block = spec.definition(ctx);
  const definition = {
    ...block,
    source: spec.source,
    text: spec.text ? spec.text(block, ctx) : {},
    suppression: suppressionRule(opts.minCell),
  };

  const response: MeasureResponse = {
    measure: spec.name,
    as_of: f.as_of,
    min_cell: opts.minCell,
    filters: echoFilters(f),
    definition,
    groups,
    strata,
    notes,
    suppressed: [...groups, ...strata].some((g) => g.suppressed.length > 0),
  };
  if (rows) {
    response.rows = rows.rows.map((r): MeasureRow => ({
      episode_id: r.episode_id, patient_id: r.patient_id, track: r.track, index_date: r.index_date,
      window: [r.window_start, r.window_end], label: r.label, score_date: r.score_date, score: r.score === null ? null : Number(r.score),
    }));
  }
  return response;
}

/** The rates of a group, for readers that walk them (FHIR, the report). */
export function groupRates(g: MeasureGroup): Record<string, NamedRate> {
  return { '': { numerator: g.numerator, rate: g.rate, rate_ci: g.rate_ci }, ...(g.rates ?? {}) };
}

