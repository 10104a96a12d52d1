import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import type { MetricFilters } from '../filters';
import { LAST_WEEK } from '../../warehouse/rules';
import type { RelapseGroupRow, RelapseWeekRow, SelfReportRow } from './facts';
import type { KmCountRow } from '../km-fields';
import { WEEKS, weekColumn } from '../../warehouse/models/weekly';
import { additiveSource, countSource } from '../sql/rollup';
import { weeklySums, weekValue, modelQuery } from '../sql/model-scope';

export interface RelapseModelRows {
  sizes: Map<string, number>;
  groups: RelapseGroupRow[];
  weeks: RelapseWeekRow[];
  reports: SelfReportRow[];
  km: KmCountRow[];
}

/** Per-group totals of the model's additive figures (warehouse/models/rollup.ts); every one a count or a sum of whole days. */
const TOTALS = ['n', 'tests', 'negative', 'with_negative', 'relapsed', 'eot_episodes', 'eot_abstinent', 'intake_n', 'intake_sum',
  'latest_n', 'latest_sum', 'change_n', 'change_sum', 'change_sum_sq'] as const;
const FIGURES = [...TOTALS, ...WEEKS.map((w) => weekColumn('tests', w)), ...WEEKS.map((w) => weekColumn('negative', w))];
/** Totals counted with `::int`; the others are sums of days, possibly null (no report in the group). */
const SUMS_OF_DAYS: ReadonlySet<string> = new Set(['intake_sum', 'latest_sum', 'change_sum', 'change_sum_sq']);

/**
 * `relapseByGroup`, `relapseByWeek`, `selfReport`, `relapseKmCounts` and the group sizes
 * from the model, which holds the default conventions (no substance filter, refused and
 * missed positive). Every figure but time to relapse is a sum of per-episode figures
 * (summed per (track, day, open or discharged) in the rollup with `useRollup`); end of
 * treatment counts only episodes discharged by as_of. Time to relapse needs the count
 * table (group, KM day, KM event) of the episodes with a negative test (`relapse_counts`
 * with `useRollup`), read alongside. Rows are listed where the fact queries list them: a
 * week with a test, a group with a self-report.
 */
export async function relapseFromModel(db: Kysely<DB>, f: MetricFilters, useRollup: boolean): Promise<RelapseModelRows> {
  const [{ rows: totals }, { rows: km }] = await Promise.all([
    modelQuery(db, (trx) => sql<Record<string, unknown>>`
      select s.grp, ${sql.join(TOTALS.map((k) => sql`sum(${sql.ref(`s.${k}`)})${SUMS_OF_DAYS.has(k) ? sql`::float8` : sql`::int`} as ${sql.ref(k)}`))},
        ${weeklySums('tests', 't', LAST_WEEK)},
        ${weeklySums('negative', 'g', LAST_WEEK)}
      from ${additiveSource(f, 'episode_outcomes', FIGURES, useRollup)}
      group by s.grp
      order by s.grp`.execute(trx)),
    modelQuery(db, (trx) => sql<KmCountRow>`
      select s.grp, s.km_day as day, coalesce(sum(s.n) filter (where s.km_event), 0)::int as events,
        coalesce(sum(s.n) filter (where not s.km_event), 0)::int as censored
      from ${countSource(f, 'relapse_counts', useRollup)}
      group by s.grp, s.km_day
      order by s.grp, s.km_day`.execute(trx)),
  ]);

  const out: RelapseModelRows = { sizes: new Map(), groups: [], weeks: [], reports: [], km };
  for (const t of totals) {
    const grp = String(t.grp);
    const n = (k: (typeof TOTALS)[number]) => Number(t[k] ?? 0);
    out.sizes.set(grp, n('n'));
    out.groups.push({
      grp, tests: n('tests'), negative: n('negative'), with_negative: n('with_negative'), relapsed: n('relapsed'),
      eot_episodes: n('eot_episodes'), eot_abstinent: n('eot_abstinent'),
    });
    for (let week = 0; week <= LAST_WEEK; week++) {
      const tests = weekValue(t, 't', week);
      if (tests > 0) out.weeks.push({ grp, week, tests, negative: weekValue(t, 'g', week) });
    }
    if (n('latest_n') > 0) {
      out.reports.push({
        grp, intake_n: n('intake_n'), intake_sum: num(t.intake_sum), latest_n: n('latest_n'), latest_sum: num(t.latest_sum),
        change_n: n('change_n'), change_sum: num(t.change_sum), change_sum_sq: num(t.change_sum_sq),
      });
    }
  }
  return out;
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
