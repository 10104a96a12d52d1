import { sql, type Kysely } from 'kysely';
import type { DB } from '../../../warehouse/db-types';
import type { MetricFilters } from '../../filters';
import { LAST_WEEK, type RelapseGroupRow, type RelapseWeekRow, type SelfReportRow } from '../relapse';
import type { KmCountRow } from '../retention';
import { scopedModel, weeklySums, weekValue, withoutJit } from './scope';

export interface RelapseModelRows {
  sizes: Map<string, number>;
  groups: RelapseGroupRow[];
  weeks: RelapseWeekRow[];
  reports: SelfReportRow[];
}

/**
 * `relapseByGroup`, `relapseByWeek`, `selfReport` and the group sizes in one scan of
 * the model, which holds the default conventions (no substance filter, refused and
 * missed positive). End of treatment counts only episodes discharged by as_of. Rows
 * are listed where the fact queries list them: a week with a test, a group with a
 * self-report.
 */
export async function relapseFromModel(db: Kysely<DB>, f: MetricFilters): Promise<RelapseModelRows> {
  const eot = sql`(s.closed and s.eot_tests > 0)`;
  const changed = sql`(s.report_latest_on > s.report_intake_on)`;
  const change = sql`(s.report_latest_days - s.report_intake_days)`;
  const { rows } = await withoutJit(db, (trx) => sql<Record<string, unknown>>`
    select s.grp, count(*)::int as n,
      sum(s.tests_counted)::int as tests, sum(s.tests_negative)::int as negative,
      count(s.first_negative_on)::int as with_negative, count(s.first_relapse_on)::int as relapsed,
      count(*) filter (where ${eot})::int as eot_episodes,
      count(*) filter (where ${eot} and s.eot_negative = s.eot_tests)::int as eot_abstinent,
      count(s.report_intake_on)::int as intake_n, sum(s.report_intake_days)::float8 as intake_sum,
      count(s.report_latest_on)::int as latest_n, sum(s.report_latest_days)::float8 as latest_sum,
      count(*) filter (where ${changed})::int as change_n,
      sum(${change}) filter (where ${changed})::float8 as change_sum,
      sum(${change} * ${change}) filter (where ${changed})::float8 as change_sum_sq,
      ${weeklySums('s.weekly_tests', 't', LAST_WEEK)},
      ${weeklySums('s.weekly_negative', 'g', LAST_WEEK)}
    from ${scopedModel(f)}
    group by s.grp`.execute(trx));
  const out: RelapseModelRows = { sizes: new Map(), groups: [], weeks: [], reports: [] };
  for (const row of rows) {
    const grp = String(row.grp);
    out.sizes.set(grp, Number(row.n));
    out.groups.push({
      grp, tests: Number(row.tests), negative: Number(row.negative), with_negative: Number(row.with_negative),
      relapsed: Number(row.relapsed), eot_episodes: Number(row.eot_episodes), eot_abstinent: Number(row.eot_abstinent),
    });
    for (let week = 0; week <= LAST_WEEK; week++) {
      const tests = weekValue(row, 't', week);
      if (tests > 0) out.weeks.push({ grp, week, tests, negative: weekValue(row, 'g', week) });
    }
    if (Number(row.latest_n) > 0) {
      out.reports.push({
        grp, intake_n: Number(row.intake_n), intake_sum: num(row.intake_sum), latest_n: Number(row.latest_n),
        latest_sum: num(row.latest_sum), change_n: Number(row.change_n), change_sum: num(row.change_sum), change_sum_sq: num(row.change_sum_sq),
      });
    }
  }
  return out;
}

/** `relapseKmCounts` from the model: day 0 = first negative; event = first later positive; else censored at the last test. */
export async function relapseKmFromModel(db: Kysely<DB>, f: MetricFilters): Promise<KmCountRow[]> {
  return withoutJit(db, async (trx) => (await sql<KmCountRow>`
    select grp, day, count(*) filter (where event)::int as events, count(*) filter (where not event)::int as censored
    from (
      select s.grp, coalesce(s.first_relapse_on, s.last_test_on) - s.first_negative_on as day, s.first_relapse_on is not null as event
      from ${scopedModel(f)}
      where s.first_negative_on is not null
    ) t
    group by grp, day order by grp, day`.execute(trx)).rows);
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
