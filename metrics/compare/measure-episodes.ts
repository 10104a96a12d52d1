import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import type { MetricFilters } from '../filters';
import { isSmall } from '../stats/suppression';
import { DEFAULT_EXCLUDED, DEFAULT_WINDOW_OPEN, measureRowsWith } from '../measures/run';
import type { MeasureContext, MeasureSpec } from '../measures/spec';
import { dimensionExpression, type GroupColumns } from '../sql/scope';
import { baselineScores, unitKey, type CompareEpisodeRow } from './episodes';
import type { CompareBy } from './request';

/**
 * A standard measure as the outcome of a comparison (docs/comparisons.md "Standard
 * measures"): the measure labels each episode of its initial population through the
 * measures framework (metrics/measures/run.ts, the labels `iop measures --rows` prints),
 * and an episode's outcome is whether its label is one of the measure's numerator labels.
 * Episodes labelled excluded or window_open are outside the measure's denominator: they
 * are left out and counted. The covariates are the comparison's own (docs/comparisons.md
 * "The model"), read from the facts: the labels come from the facts, for any as_of.
 */
export interface MeasureEpisodes {
  rows: CompareEpisodeRow[];
  /** Episodes of the initial population labelled excluded, and window_open. */
  excluded: number;
  window_open: number;
}

/** Where the units and groups live on the framework's `measure_episodes` (`m`). */
const MEASURE_UNITS: GroupColumns = {
  episodeId: sql`m.episode_id`, track: sql`m.track_code`, admitted: sql`m.admitted_on`, sex: sql`m.sex`, substance: sql`m.primary_substance`,
  age: sql`(extract(year from m.admitted_on)::int - m.birth_year)`,
  site: sql`m.site_code`, clinician: sql`m.clinician_id`, race: sql`m.race`, ethnicity: sql`m.ethnicity`,
};

/** The measure options a comparison runs a measure with: the measure's defaults. */
export function measureContext(f: MetricFilters): MeasureContext {
  return { filters: f, options: { any_diagnosis: false, holidays: [] } };
}

export async function measureEpisodes(db: Kysely<DB>, spec: MeasureSpec, by: CompareBy, f: MetricFilters): Promise<MeasureEpisodes> {
  const excludedLabel = spec.excludedLabel ?? DEFAULT_EXCLUDED;
  const windowOpenLabel = spec.windowOpenLabel ?? DEFAULT_WINDOW_OPEN;
  // The comparison's CTEs carry a prefix, so no measure's own CTE names can clash with them.
  const { rows } = await sql<CompareEpisodeRow & { label: string }>`
    ${measureRowsWith(spec, measureContext(f))},
    cmp_base as (
      select r.episode_id, r.label, m.admitted_on, m.discharged_on,
        ${unitKey(by, f, MEASURE_UNITS)} as unit,
        (extract(year from m.admitted_on)::int - m.birth_year) as age,
        ${dimensionExpression('sex', f.period, MEASURE_UNITS)} as sex,
        ${dimensionExpression('substance', f.period, MEASURE_UNITS)} as substance
      from measure_rows r join measure_episodes m on m.episode_id = r.episode_id
    ),
    ${baselineScores(f, 'cmp_base', 'cmp_')}
    select b.label, b.unit, b.label = any(${[...spec.numerator]}::text[]) as y, bl.score::float8 as baseline, b.age, b.sex, b.substance
    from cmp_base b left join cmp_baseline bl on bl.episode_id = b.episode_id
    order by b.episode_id`.execute(db);
  const out: MeasureEpisodes = { rows: [], excluded: 0, window_open: 0 };
  for (const { label, ...row } of rows) {
    if (label === excludedLabel) out.excluded++;
    else if (label === windowOpenLabel) out.window_open++;
    else out.rows.push(row);
  }
  return out;
}

/** `notes.excluded` and `notes.window_open` of a measure's comparison. */
export interface LeftOut {
  excluded: number | null;
  window_open: number | null;
}

/**
 * The counts of the episodes outside the measure's denominator, both hidden (null) when
 * either is from 1 to min_cell − 1: their sum is the initial population less the
 * denominator, which the measure's own answer publishes, so one alone would give the
 * other back (the complementary rule of docs/metrics.md "Small-cell suppression").
 */
export function leftOutCounts(excluded: number, windowOpen: number, minCell: number): LeftOut {
  return isSmall(excluded, minCell) || isSmall(windowOpen, minCell) ? { excluded: null, window_open: null } : { excluded, window_open: windowOpen };
}
