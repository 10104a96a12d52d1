import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import {
  countedTest, fromBaselineStart, inEndOfTreatment, inWeeklySeries, selfReportTest, toBaselineEnd, weekOf,
} from '../../warehouse/models/per-episode';
import type { MetricFilters } from '../filters';
import type { KmCountRow } from '../km-fields';
import { scopedEpisodes } from '../sql/scope';

export interface RelapseGroupRow {
  grp: string;
  tests: number;
  negative: number;
  with_negative: number;
  relapsed: number;
  eot_episodes: number;
  eot_abstinent: number;
}

export interface RelapseWeekRow {
  grp: string;
  week: number;
  tests: number;
  negative: number;
}

export interface SelfReportRow {
  grp: string;
  intake_n: number;
  intake_sum: number | null;
  latest_n: number;
  latest_sum: number | null;
  change_n: number;
  change_sum: number | null;
  change_sum_sq: number | null;
}

/**
 * The counted tests of the scoped episodes (docs/metrics.md "Relapse and abstinence"):
 * dated within the episode (admission to discharge, or as_of), of the requested
 * substance when one is given. `positive` is 1 for a positive that was not
 * prescribed, and for refused/missed when they count as positive; 0 for a
 * negative; other tests (invalid, prescribed positives, refused/missed when not
 * counted) are dropped. Read from the facts: the model holds only the default
 * conventions and no substance split.
 */
function countedTests(f: MetricFilters) {
  return sql`counted as (
    select s.episode_id, s.grp, s.admitted_on, s.discharged_on, t.collected_on as on_day,
      case when t.result = 'negative' then 0 else 1 end as positive
    from scoped s join abstinence_tests t on t.episode_id = s.episode_id
    where t.collected_on between s.admitted_on and s.ends_on
      and ${f.substance ? sql`t.substance = any(${f.substance}::text[])` : sql`true`}
      and ${countedTest('t', sql`${f.missing_as_positive}::boolean`)}
  ),
  per_episode as (
    select episode_id, grp, discharged_on, count(*) as tests, count(*) filter (where positive = 0) as negative,
      min(on_day) filter (where positive = 0) as first_negative_on, max(on_day) as last_test_on
    from counted group by episode_id, grp, discharged_on
  ),
  relapse as (
    select p.episode_id, min(c.on_day) as relapse_on
    from per_episode p join counted c on c.episode_id = p.episode_id
    where c.positive = 1 and c.on_day > p.first_negative_on
    group by p.episode_id
  )`;
}

/**
 * Per group: counted and negative tests (pooled), episodes with a negative and
 * those that relapsed after it, and the end-of-treatment window counts. The
 * end-of-treatment measure needs an end, so it covers episodes discharged by
 * as_of, over their last 28 days (discharge − 27 … discharge).
 */
export async function relapseByGroup(db: Kysely<DB>, f: MetricFilters): Promise<RelapseGroupRow[]> {
  const { rows } = await sql<RelapseGroupRow>`
    with ${scopedEpisodes(f)}, ${countedTests(f)},
    end_of_treatment as (
      select c.episode_id, bool_and(c.positive = 0) as abstinent
      from counted c
      where c.discharged_on is not null and ${inEndOfTreatment(sql`c.on_day`, sql`c.discharged_on`)}
      group by c.episode_id
    )
    select p.grp, sum(p.tests)::int as tests, sum(p.negative)::int as negative,
      count(p.first_negative_on)::int as with_negative, count(r.relapse_on)::int as relapsed,
      count(e.episode_id)::int as eot_episodes, count(*) filter (where e.abstinent)::int as eot_abstinent
    from per_episode p
      left join relapse r on r.episode_id = p.episode_id
      left join end_of_treatment e on e.episode_id = p.episode_id
    group by p.grp`.execute(db);
  return rows;
}

/** KM count table for time to relapse: day 0 = first negative; event = first later positive; else censored at the last test. */
export async function relapseKmCounts(db: Kysely<DB>, f: MetricFilters): Promise<KmCountRow[]> {
  const { rows } = await sql<KmCountRow>`
    with ${scopedEpisodes(f)}, ${countedTests(f)},
    timed as (
      select p.grp, coalesce(r.relapse_on, p.last_test_on) - p.first_negative_on as day, r.relapse_on is not null as event
      from per_episode p left join relapse r on r.episode_id = p.episode_id
      where p.first_negative_on is not null
    )
    select grp, day, count(*) filter (where event)::int as events, count(*) filter (where not event)::int as censored
    from timed group by grp, day order by grp, day`.execute(db);
  return rows;
}

export async function relapseByWeek(db: Kysely<DB>, f: MetricFilters): Promise<RelapseWeekRow[]> {
  const day = sql`(on_day - admitted_on)`;
  const week = weekOf(day);
  const { rows } = await sql<RelapseWeekRow>`
    with ${scopedEpisodes(f)}, ${countedTests(f)}
    select grp, (${week})::int as week, count(*)::int as tests,
      count(*) filter (where positive = 0)::int as negative
    from counted where ${inWeeklySeries(day)}
    group by grp, ${week} order by grp, week`.execute(db);
  return rows;
}

/**
 * Self-reported days used in the past 30: intake = the first report on days
 * −14…+7 (the baseline window of docs/metrics.md), latest = the last report up to the
 * episode's end; the change pairs them when the latest is after the intake. Reports
 * of one day (one per substance) are taken in the order they were loaded (test_id).
 */
export async function selfReport(db: Kysely<DB>, f: MetricFilters): Promise<SelfReportRow[]> {
  const { rows } = await sql<SelfReportRow>`
    with ${scopedEpisodes(f)},
    reports as (
      select s.episode_id, s.grp, s.admitted_on, t.collected_on as on_day, t.test_id, t.days_used_past_30 as days
      from scoped s join abstinence_tests t on t.episode_id = s.episode_id
      where ${selfReportTest('t')}
        and ${fromBaselineStart(sql`t.collected_on`, sql`s.admitted_on`)} and t.collected_on <= s.ends_on
        and ${f.substance ? sql`t.substance = any(${f.substance}::text[])` : sql`true`}
    ),
    intake as (
      select distinct on (episode_id) episode_id, grp, on_day, days from reports
      where ${toBaselineEnd(sql`on_day`, sql`admitted_on`)} order by episode_id, on_day, test_id
    ),
    latest as (
      select distinct on (episode_id) episode_id, grp, on_day, days from reports order by episode_id, on_day desc, test_id desc
    )
    select l.grp, count(i.episode_id)::int as intake_n, sum(i.days)::float8 as intake_sum,
      count(*)::int as latest_n, sum(l.days)::float8 as latest_sum,
      count(*) filter (where l.on_day > i.on_day)::int as change_n,
      sum(l.days - i.days) filter (where l.on_day > i.on_day)::float8 as change_sum,
      sum((l.days - i.days) * (l.days - i.days)) filter (where l.on_day > i.on_day)::float8 as change_sum_sq
    from latest l left join intake i on i.episode_id = l.episode_id
    group by l.grp`.execute(db);
  return rows;
}
