import { sql, type Kysely } from 'kysely';
import type { DB } from '../../../warehouse/db-types';
import type { MetricFilters } from '../../filters';
import { LAST_WEEK, type RelapseGroupRow, type RelapseWeekRow, type SelfReportRow } from '../relapse';
import type { KmCountRow } from '../retention';
import { scopedModel, weeklySums, weekValue, modelQuery } from './scope';

export interface RelapseModelRows {
  sizes: Map<string, number>;
  groups: RelapseGroupRow[];
  weeks: RelapseWeekRow[];
  reports: SelfReportRow[];
  km: KmCountRow[];
}

/** Per-group totals of the additive columns below (every one a count or a sum of whole days). */
const TOTALS = ['n', 'tests', 'negative', 'with_negative', 'relapsed', 'eot_episodes', 'eot_abstinent', 'intake_n', 'intake_sum',
  'latest_n', 'latest_sum', 'change_n', 'change_sum', 'change_sum_sq'] as const;
type Totals = Record<(typeof TOTALS)[number], number | null> & { weeks: { tests: number[]; negative: number[] } };

/**
 * `relapseByGroup`, `relapseByWeek`, `selfReport`, `relapseKmCounts` and the group sizes
 * in one scan of the model, which holds the default conventions (no substance filter,
 * refused and missed positive). The scan groups by (group, KM day, KM event): time to
 * relapse needs that count table, and every other figure is a count or a sum of whole
 * numbers, so the group totals are exact sums of its rows. End of treatment counts only
 * episodes discharged by as_of. Rows are listed where the fact queries list them: a week
 * with a test, a group with a self-report.
 */
export async function relapseFromModel(db: Kysely<DB>, f: MetricFilters): Promise<RelapseModelRows> {
  const eot = sql`(s.closed and s.eot_tests > 0)`;
  const changed = sql`(s.report_latest_on > s.report_intake_on)`;
  const change = sql`(s.report_latest_days - s.report_intake_days)`;
  // KM: day 0 = first negative; event = first later positive; else censored at the last test.
  const kmDay = sql`case when s.first_negative_on is not null then coalesce(s.first_relapse_on, s.last_test_on) - s.first_negative_on end`;
  const { rows } = await modelQuery(db, (trx) => sql<Record<string, unknown>>`
    select s.grp, ${kmDay} as km_day, s.first_relapse_on is not null as km_event, count(*)::int as n,
      sum(s.tests_counted)::int as tests, sum(s.tests_negative)::int as negative,
      count(s.first_negative_on)::int as with_negative, count(s.first_relapse_on)::int as relapsed,
      count(*) filter (where ${eot})::int as eot_episodes,
      count(*) filter (where ${eot} and s.eot_negative = s.eot_tests)::int as eot_abstinent,
      count(s.report_intake_on)::int as intake_n, sum(s.report_intake_days)::float8 as intake_sum,
      count(s.report_latest_on)::int as latest_n, sum(s.report_latest_days)::float8 as latest_sum,
      count(*) filter (where ${changed})::int as change_n,
      sum(${change}) filter (where ${changed})::float8 as change_sum,
      sum(${change} * ${change}) filter (where ${changed})::float8 as change_sum_sq,
      ${weeklySums('tests', 't', LAST_WEEK)},
      ${weeklySums('negative', 'g', LAST_WEEK)}
    from ${scopedModel(f)}
    group by 1, 2, 3
    order by 1, 2, 3`.execute(trx), { finerGroups: true });

  const totals = new Map<string, Totals>();
  const km: KmCountRow[] = [];
  for (const row of rows) {
    const grp = String(row.grp);
    let t = totals.get(grp);
    if (!t) {
      t = { ...Object.fromEntries(TOTALS.map((k) => [k, null])), weeks: { tests: new Array<number>(LAST_WEEK + 1).fill(0), negative: new Array<number>(LAST_WEEK + 1).fill(0) } } as Totals;
      totals.set(grp, t);
    }
    for (const k of TOTALS) {
      const v = num(row[k]);
      if (v !== null) t[k] = (t[k] ?? 0) + v;
    }
    for (let week = 0; week <= LAST_WEEK; week++) {
      t.weeks.tests[week] = (t.weeks.tests[week] ?? 0) + weekValue(row, 't', week);
      t.weeks.negative[week] = (t.weeks.negative[week] ?? 0) + weekValue(row, 'g', week);
    }
    if (row.km_day !== null && row.km_day !== undefined) {
      const day = Number(row.km_day);
      const last = km.at(-1);
      const cell = last && last.grp === grp && last.day === day ? last : { grp, day, events: 0, censored: 0 };
      if (cell !== last) km.push(cell);
      if (row.km_event) cell.events += Number(row.n);
      else cell.censored += Number(row.n);
    }
  }

  const out: RelapseModelRows = { sizes: new Map(), groups: [], weeks: [], reports: [], km };
  for (const [grp, t] of totals) {
    const n = (k: (typeof TOTALS)[number]) => t[k] ?? 0;
    out.sizes.set(grp, n('n'));
    out.groups.push({
      grp, tests: n('tests'), negative: n('negative'), with_negative: n('with_negative'), relapsed: n('relapsed'),
      eot_episodes: n('eot_episodes'), eot_abstinent: n('eot_abstinent'),
    });
    for (let week = 0; week <= LAST_WEEK; week++) {
      const tests = t.weeks.tests[week] ?? 0;
      if (tests > 0) out.weeks.push({ grp, week, tests, negative: t.weeks.negative[week] ?? 0 });
    }
    if (n('latest_n') > 0) {
      out.reports.push({
        grp, intake_n: n('intake_n'), intake_sum: t.intake_sum, latest_n: n('latest_n'), latest_sum: t.latest_sum,
        change_n: n('change_n'), change_sum: t.change_sum, change_sum_sq: t.change_sum_sq,
      });
    }
  }
  return out;
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
