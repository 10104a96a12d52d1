import { sql, type Kysely } from 'kysely';
import type { DB } from '../warehouse/db-types';
import type { MetricFilters } from './filters';
import { FACT_COLUMNS, requestScope } from './sql/scope';
import { isSmall, suppressCounts } from './stats/suppression';

/**
 * What data the episodes in scope have (admitted by as-of, within from/to, in the
 * requested tracks and list filters: the metrics' own scope): the data-completeness lines of the
 * program-effectiveness report, and the instruments that have baselines to report on.
 */

/** A data-completeness line: how many episodes in scope have the data a metric needs. */
export interface CompletenessRow {
  label: string;
  with: number | null;
  without: number | null;
  total: number | null;
}

/**
 * Completeness over the episodes in scope, with the same small-cell rule as the
 * metrics: each line is a with/without split of the total, so hiding a small side
 * hides its complement too.
 */
export async function completeness(db: Kysely<DB>, f: MetricFilters, minCell: number): Promise<CompletenessRow[]> {
  const { rows } = await sql<Record<string, number>>`
    select count(*)::int as total,
      count(*) filter (where e.discharged_on is not null and e.discharged_on <= ${f.as_of}::date)::int as discharged,
      count(*) filter (where exists (select 1 from attendance a where a.episode_id = e.episode_id))::int as attendance,
      count(*) filter (where exists (select 1 from episode_instrument_outcomes o where o.episode_id = e.episode_id and o.baseline_score is not null))::int as baseline,
      count(*) filter (where exists (select 1 from episode_instrument_outcomes o where o.episode_id = e.episode_id and o.followup_score is not null))::int as followup,
      count(*) filter (where exists (select 1 from abstinence_tests t where t.episode_id = e.episode_id))::int as tests
    from episodes e left join patients p on p.patient_id = e.patient_id
    where ${requestScope(f, FACT_COLUMNS)}`.execute(db);
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

/** The instruments with at least one baseline score among the episodes in scope, by code. */
export async function instrumentsWithBaselines(db: Kysely<DB>, f: MetricFilters): Promise<string[]> {
  const { rows } = await sql<{ instrument: string }>`
    select distinct o.instrument from episode_instrument_outcomes o join episodes e using (episode_id)
      left join patients p on p.patient_id = e.patient_id
    where o.baseline_score is not null and ${requestScope(f, FACT_COLUMNS)}
    order by 1`.execute(db);
  return rows.map((r) => r.instrument);
}
