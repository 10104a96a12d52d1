import { sql, type RawBuilder } from 'kysely';
import { AGE_BANDS } from '../../warehouse/rules';
import { LIST_FILTERS, UNKNOWN_KEY, type GroupBy, type ListFilter, type MetricFilters, type Period } from '../filters';

export { UNKNOWN_KEY } from '../filters';

/**
 * Where the dimensions of an episode live on a row: the facts (episodes + patients), the
 * models or the rollups. A dimension a source does not carry is null here; metrics/source.ts
 * sends a request that uses it to a source that does.
 */
export interface GroupColumns {
  /** The episode id, for a clinician user's caseload (null on the rollups, which have none). */
  episodeId: RawBuilder<string> | null;
  track: RawBuilder<string>;
  admitted: RawBuilder<string>;
  sex: RawBuilder<string | null> | null;
  substance: RawBuilder<string | null> | null;
  age: RawBuilder<number | null> | null;
  site: RawBuilder<string | null> | null;
  clinician: RawBuilder<string | null> | null;
  race: RawBuilder<string | null> | null;
  ethnicity: RawBuilder<string | null> | null;
}

/** The facts: `e` an episodes row, `p` its patient (left joined). */
export const FACT_COLUMNS: GroupColumns = {
  episodeId: sql`e.episode_id`,
  track: sql`e.track_code`,
  admitted: sql`e.admitted_on`,
  sex: sql`p.sex`,
  substance: sql`e.primary_substance`,
  age: sql`(extract(year from e.admitted_on)::int - p.birth_year)`,
  site: sql`e.site_code`,
  clinician: sql`e.clinician_id`,
  race: sql`p.race`,
  ethnicity: sql`p.ethnicity`,
};

/** The dimensions each kind of source carries (the model has no site, clinician, race or ethnicity). */
export function carries(c: GroupColumns, d: GroupBy | ListFilter): boolean {
  switch (d) {
    case 'track':
    case 'period':
      return true;
    case 'age_band':
      return c.age !== null;
    default:
      return c[d] !== null;
  }
}

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
      ${groupExpression(f, FACT_COLUMNS)} as grp
    from episodes e left join patients p on p.patient_id = e.patient_id
    where ${requestScope(f, FACT_COLUMNS)}
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
export function inCaseload(episodeId: RawBuilder<unknown> | null, caseload: string | null | undefined): RawBuilder<unknown> {
  if (!caseload) return sql`true`;
  if (!episodeId) throw new Error('inCaseload: a caseload request reached a source without episode ids (metrics/source.ts keeps it off the rollups)');
  return sql`${episodeId} in (select c.episode_id from episodes c where c.clinician_id = ${caseload})`;
}

/**
 * The episodes a request covers, on any row carrying the dimensions (the facts, the
 * models, the rollups): admitted by as_of, in the request's tracks and in its from–to
 * admission range, and for each list filter given (site, clinician, sex, age band, race,
 * ethnicity, substance) with its value of the dimension, as `group_by` keys it, among
 * the values asked for, and in a clinician user's caseload.
 */
export function requestScope(f: MetricFilters, c: GroupColumns): RawBuilder<unknown> {
  return sql`${c.admitted} <= ${f.as_of}::date
      and ${inTracks(c.track, f.track)}
      and ${f.from ? sql`${c.admitted} >= ${f.from}::date` : sql`true`}
      and ${f.to ? sql`${c.admitted} <= ${f.to}::date` : sql`true`}
      and ${listFilterConditions(f, c)}
      and ${inCaseload(c.episodeId, f.caseload)}`;
}

/**
 * The list filters alone (site, clinician, sex, age band, race, ethnicity, substance): each
 * given one holds when the row's key of that dimension is among its values; true when none
 * is given. For a caller that applies the other parts of the scope its own way (the measures,
 * whose from/to and age belong to the index date).
 */
export function listFilterConditions(f: Pick<MetricFilters, ListFilter | 'period'>, c: GroupColumns): RawBuilder<unknown> {
  const lists = LIST_FILTERS.flatMap((k) => {
    const values = f[k];
    return values === null ? [] : [sql`${dimensionExpression(k, f.period, c)} = any(${values}::text[])`];
  });
  return lists.length > 0 ? sql`(${sql.join(lists, sql` and `)})` : sql`true`;
}

const PERIOD_FORMAT: Record<Period, string> = { month: 'YYYY-MM', quarter: 'YYYY-"Q"Q', year: 'YYYY' };

/** Joins the keys of a two-way stratum in `grp` (metrics/group-key.ts splits them). */
export const KEY_SEPARATOR = '\u001f';

function column<T>(c: RawBuilder<T> | null, d: string): RawBuilder<T> {
  if (c === null) throw new Error(`this source does not carry the dimension ${d} (metrics/source.ts must read the facts)`);
  return c;
}

/** Lower-cased free text, or `unknown` when missing or blank (race, ethnicity, substance). */
const lowerOrUnknown = (v: RawBuilder<string | null>) => sql<string>`coalesce(nullif(lower(btrim(${v})), ''), ${UNKNOWN_KEY})`;

/** The key of one dimension for a row (docs/metrics.md "Dimensions and filters"). */
export function dimensionExpression(d: GroupBy, period: Period, c: GroupColumns): RawBuilder<string> {
  switch (d) {
    case 'track':
      return sql<string>`${c.track}`;
    case 'period':
      return sql<string>`to_char(${c.admitted}, ${PERIOD_FORMAT[period]})`;
    case 'sex':
      return sql<string>`coalesce(${column(c.sex, d)}, ${UNKNOWN_KEY})`;
    case 'site':
      return sql<string>`coalesce(${column(c.site, d)}, ${UNKNOWN_KEY})`;
    case 'clinician':
      return sql<string>`coalesce(${column(c.clinician, d)}, ${UNKNOWN_KEY})`;
    case 'substance':
      return sql<string>`coalesce(nullif(lower(${column(c.substance, d)}), ''), ${UNKNOWN_KEY})`;
    case 'race':
      return lowerOrUnknown(column(c.race, d));
    case 'ethnicity':
      return lowerOrUnknown(column(c.ethnicity, d));
    case 'age_band': {
      // the bands of warehouse/rules.ts, in order: the first whose last age the age does not pass
      const age = column(c.age, d);
      return sql<string>`case when ${age} is null then ${UNKNOWN_KEY} ${sql.join(AGE_BANDS.map(({ band, upTo }) => (upTo === null
        ? sql`else ${sql.lit(band)}`
        : sql`when ${age} <= ${sql.lit(upTo)} then ${sql.lit(band)}`)), sql` `)} end`;
    }
  }
}

/** `grp`: the key of the request's one dimension, or its two joined by KEY_SEPARATOR. */
export function groupExpression(f: Pick<MetricFilters, 'group_by' | 'period'>, c: GroupColumns): RawBuilder<string> {
  const parts = f.group_by.map((d) => dimensionExpression(d, f.period, c));
  return parts.length === 1 ? (parts[0] as RawBuilder<string>) : sql<string>`${sql.join(parts, sql` || ${KEY_SEPARATOR} || `)}`;
}
