import { sql, type RawBuilder } from 'kysely';
import { AGE_BANDS } from '../../warehouse/rules';
import type { GroupBy, MetricFilters, Period } from '../filters';

/**
 * The episodes a metric looks at, as a SQL fragment to open a `with` list:
 * `scoped(episode_id, patient_id, admitted_on, first_contact_on, discharged_on,
 * discharge_reason, ends_on, grp)`.
 * - Episodes admitted after as_of are left out.
 * - An episode discharged after as_of is still open as of as_of: its discharge
 *   date and reason are hidden, and it ends on as_of.
 * - `grp` is the stratum of `group_by` (docs/metrics.md "Common to all metrics").
 * Filter values are bound parameters; only whitelisted expressions are raw SQL.
 */
export function scopedEpisodes(f: MetricFilters): RawBuilder<unknown> {
  const asOf = sql`${f.as_of}::date`;
  const dischargedByAsOf = sql`(e.discharged_on is not null and e.discharged_on <= ${asOf})`;
  return sql`scoped as (
    select e.episode_id, e.patient_id, e.admitted_on, e.first_contact_on,
      case when ${dischargedByAsOf} then e.discharged_on end as discharged_on,
      case when ${dischargedByAsOf} then e.discharge_reason end as discharge_reason,
      case when ${dischargedByAsOf} then e.discharged_on else ${asOf} end as ends_on,
      ${groupExpression(f.group_by, f.period, FACT_COLUMNS)} as grp
    from episodes e left join patients p on p.patient_id = e.patient_id
    where ${requestScope(f, sql`e.track_code`, sql`e.admitted_on`, sql`e.episode_id`)}
  )`;
}

/**
 * The track filter, written once for every query that scopes by track: true when the
 * request names no track, else the row's track is one of them (a bound text array).
 */
export function inTracks(trackCode: RawBuilder<unknown>, tracks: readonly string[] | null): RawBuilder<unknown> {
  return tracks ? sql`${trackCode} = any(${tracks}::text[])` : sql`true`;
}

/**
 * A clinician user's caseload (`caseload`, set by api/auth/scope.ts): true without one,
 * else the episode's primary clinician is that clinician. Read from `episodes` by id, so
 * it holds on the facts and on the per-episode models alike (the rollups have no
 * clinician: metrics/source.ts never sends a caseload request to them).
 */
export function inCaseload(episodeId: RawBuilder<unknown>, caseload: string | null | undefined): RawBuilder<unknown> {
  return caseload ? sql`${episodeId} in (select c.episode_id from episodes c where c.clinician_id = ${caseload})` : sql`true`;
}

/**
 * The episodes a request covers, on any row carrying a track, an admission date and an
 * episode id (the facts, the per-episode models): admitted by as_of, in the request's
 * tracks, in its from–to admission range and in a clinician user's caseload.
 */
export function requestScope(f: MetricFilters, trackCode: RawBuilder<unknown>, admittedOn: RawBuilder<unknown>, episodeId: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`${admittedOn} <= ${f.as_of}::date
      and ${inTracks(trackCode, f.track)}
      and ${f.from ? sql`${admittedOn} >= ${f.from}::date` : sql`true`}
      and ${f.to ? sql`${admittedOn} <= ${f.to}::date` : sql`true`}
      and ${inCaseload(episodeId, f.caseload)}`;
}

const PERIOD_FORMAT: Record<Period, string> = { month: 'YYYY-MM', quarter: 'YYYY-"Q"Q', year: 'YYYY' };

/** A stratum with no recorded value (no sex, birth year or substance). */
export const UNKNOWN_KEY = 'unknown';

/** Where the stratification attributes live: the facts (episodes + patients) or the model. */
export interface GroupColumns {
  track: RawBuilder<string>;
  admitted: RawBuilder<string>;
  sex: RawBuilder<string | null>;
  substance: RawBuilder<string | null>;
  age: RawBuilder<number | null>;
}

const FACT_COLUMNS: GroupColumns = {
  track: sql`e.track_code`,
  admitted: sql`e.admitted_on`,
  sex: sql`p.sex`,
  substance: sql`e.primary_substance`,
  age: sql`(extract(year from e.admitted_on)::int - p.birth_year)`,
};

export function groupExpression(groupBy: GroupBy, period: Period, c: GroupColumns): RawBuilder<string> {
  switch (groupBy) {
    case 'track':
      return sql<string>`${c.track}`;
    case 'period':
      return sql<string>`to_char(${c.admitted}, ${PERIOD_FORMAT[period]})`;
    case 'sex':
      return sql<string>`coalesce(${c.sex}, ${UNKNOWN_KEY})`;
    case 'substance':
      return sql<string>`coalesce(nullif(lower(${c.substance}), ''), ${UNKNOWN_KEY})`;
    case 'age_band':
      // the bands of warehouse/rules.ts, in order: the first whose last age the age does not pass
      return sql<string>`case when ${c.age} is null then ${UNKNOWN_KEY} ${sql.join(AGE_BANDS.map(({ band, upTo }) => (upTo === null
        ? sql`else ${sql.lit(band)}`
        : sql`when ${c.age} <= ${sql.lit(upTo)} then ${sql.lit(band)}`)), sql` `)} end`;
  }
}
