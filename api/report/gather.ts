import { sql, type Kysely } from 'kysely';
import { DISCLOSURE_RULE, protectCounts, type DisclosureRule } from '../../metrics/disclosure';
import type { MetricFilters } from '../../metrics/filters';
import { suppressionRule } from '../../metrics/response';
import { isSmall, suppressCounts } from '../../metrics/stats/suppression';
import { METRIC_NAMES, type MetricName, type MetricResponse } from '../../metrics/types';
import type { DB } from '../../warehouse/db-types';
import { tableOf, type Table } from './model';

/** Everything the program-effectiveness report shows, for one scope and one as-of date. */
export interface ReportData {
  generated_at: string;
  as_of: string;
  from: string | null;
  to: string | null;
  min_cell: number;
  suppression: Record<string, unknown>;
  /** The tracks covered (the user's scope, or every track). */
  tracks: { track_code: string; name: string; level_of_care: string | null; active: boolean }[];
  tables: Table[];
  completeness: CompletenessRow[];
  /** Set for roles below analyst: the rounding rule the report's numbers went through. */
  disclosure?: DisclosureRule;
}

/** A data-completeness line: how many episodes in scope have the data a metric needs. */
export interface CompletenessRow {
  label: string;
  with: number | null;
  without: number | null;
  total: number | null;
}

export type MetricSource = (name: MetricName, filters: MetricFilters) => Promise<MetricResponse>;

async function tracksInScope(db: Kysely<DB>, scope: readonly string[] | null): Promise<ReportData['tracks']> {
  let q = db.selectFrom('tracks').select(['track_code', 'name', 'level_of_care', 'active']).orderBy('track_code');
  if (scope !== null) q = q.where('track_code', 'in', scope.length ? [...scope] : ['']);
  return q.execute();
}

async function instrumentsWithData(db: Kysely<DB>, f: MetricFilters): Promise<string[]> {
  const { rows } = await sql<{ instrument: string }>`
    select distinct o.instrument from episode_instrument_outcomes o join episodes e using (episode_id)
    where o.baseline_score is not null and e.admitted_on <= ${f.as_of}::date
      and (${f.track}::text[] is null or e.track_code = any(${f.track}::text[]))
      and (${f.from}::date is null or e.admitted_on >= ${f.from}::date)
      and (${f.to}::date is null or e.admitted_on <= ${f.to}::date)
    order by 1`.execute(db);
  return rows.map((r) => r.instrument);
}

/**
 * Completeness over the episodes in scope (admitted by as-of, within from/to), with
 * the same small-cell rule as the metrics: each line is a with/without split of the
 * total, so hiding a small side hides its complement too.
 */
async function completeness(db: Kysely<DB>, f: MetricFilters, minCell: number): Promise<CompletenessRow[]> {
  const { rows } = await sql<Record<string, number>>`
    select count(*)::int as total,
      count(*) filter (where e.discharged_on is not null and e.discharged_on <= ${f.as_of}::date)::int as discharged,
      count(*) filter (where exists (select 1 from attendance a where a.episode_id = e.episode_id))::int as attendance,
      count(*) filter (where exists (select 1 from episode_instrument_outcomes o where o.episode_id = e.episode_id and o.baseline_score is not null))::int as baseline,
      count(*) filter (where exists (select 1 from episode_instrument_outcomes o where o.episode_id = e.episode_id and o.followup_score is not null))::int as followup,
      count(*) filter (where exists (select 1 from abstinence_tests t where t.episode_id = e.episode_id))::int as tests
    from episodes e
    where e.admitted_on <= ${f.as_of}::date
      and (${f.track}::text[] is null or e.track_code = any(${f.track}::text[]))
      and (${f.from}::date is null or e.admitted_on >= ${f.from}::date)
      and (${f.to}::date is null or e.admitted_on <= ${f.to}::date)`.execute(db);
  const r = rows[0] ?? {};
  const total = r.total ?? 0;
  const line = (label: string, count: number): CompletenessRow => {
    const hidden = suppressCounts({ with: count, without: total - count }, total, minCell);
    const shown = isSmall(total, minCell) ? null : total;
    return { label, with: hidden.has('with') || shown === null ? null : count, without: hidden.has('without') || shown === null ? null : total - count, total: shown };
  };
  return [
    line('Discharged by the as-of date (others open)', r.discharged ?? 0),
    line('With any attendance record', r.attendance ?? 0),
    line('With a baseline score (any instrument)', r.baseline ?? 0),
    line('With a follow-up score (any instrument)', r.followup ?? 0),
    line('With any abstinence test', r.tests ?? 0),
  ];
}

/**
 * Gathers every metric by track (symptoms once per instrument that has baselines in
 * scope). `metric` computes one response for the given filters and min cell, through
 * the API's cache, so the report equals what the metric endpoints answer.
 */
export async function gatherReport(db: Kysely<DB>, filters: MetricFilters, minCell: number, metric: MetricSource, now: Date = new Date()): Promise<ReportData> {
  const f: MetricFilters = { ...filters, group_by: 'track' };
  const tracks = await tracksInScope(db, f.track);
  const names = new Map(tracks.map((t) => [t.track_code, t.name]));
  const tables: Table[] = [];
  for (const name of METRIC_NAMES) {
    if (name === 'symptoms') {
      for (const instrument of await instrumentsWithData(db, f)) tables.push(tableOf(await metric(name, { ...f, instrument }), names));
      continue;
    }
    tables.push(tableOf(await metric(name, f), names));
  }
  return {
    generated_at: now.toISOString(),
    as_of: f.as_of,
    from: f.from,
    to: f.to,
    min_cell: minCell,
    suppression: suppressionRule(minCell),
    tracks,
    tables,
    completeness: await completeness(db, f, minCell),
  };
}

/**
 * The report as a role below analyst may see it: the tables already come from
 * protected metric responses; the completeness counts are rounded here the same way.
 */
export function protectReport(data: ReportData): ReportData {
  return {
    ...data,
    completeness: data.completeness.map((row) => protectCounts(row, ['with', 'without', 'total'])),
    disclosure: DISCLOSURE_RULE,
  };
}
