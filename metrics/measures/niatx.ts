import { sql } from 'kysely';
import { roundToBase } from '../disclosure';
import { isSmall, suppressCounts } from '../stats/suppression';
import { ietIndexDate } from '../../warehouse/models/per-episode';
import { CONTINUATION_SESSION } from '../../warehouse/measure-rules';
import type { MeasureContext, MeasureSpec } from './spec';
import { windowLabel } from './window';

/**
 * The NIATx aims (docs/measures.md "niatx"): reduce waiting time, reduce no-shows, increase
 * continuation, increase admissions. Every episode gets one label, by continuation:
 * `continued` once it reaches its 4th attended session, `not_continued` when discharged
 * before, `window_open` while open without it. Wait days, the no-show rate and admissions
 * per month are group statistics. Sessions count when dated within the episode
 * (admission to discharge, or as_of), as in the attendance metric.
 */
const asOf = (ctx: MeasureContext) => sql`${ctx.filters.as_of}::date`;

export const niatx: MeasureSpec = {
  name: 'niatx',
  source: 'NIATx four aims',
  labels: ['continued', 'not_continued', 'window_open'],
  numerator: ['continued'],
  definition: () => ({
    population: 'every episode admitted by as_of',
    index_date: 'first_contact_on, else admitted_on',
    continuation_session: CONTINUATION_SESSION,
    wait_days: 'first attended session on or after first_contact_on minus first_contact_on; mean, median and IQR (type 7) over episodes with a first contact and a session',
    no_show_rate: 'no_show / (attended + no_show) over the sessions of the group dated within the episode',
    admissions: 'episodes admitted per calendar month (YYYY-MM) of the group',
  }),
  text: (d) => ({
    population: 'Initial population: every episode admitted by the as-of date; index date the first contact, else the admission.',
    continuation: `Continuation: the share of episodes reaching a ${String(d.continuation_session)}th attended session; an open episode without it is window_open, a discharged one not_continued.`,
    wait_days: 'Wait days: from the first contact to the first attended session on or after it, over episodes with a first contact (mean, median and interquartile range).',
    no_show_rate: 'No-show rate: no-shows / (attended + no-shows) over the sessions dated within the episodes.',
    admissions: 'Admissions: episodes admitted per calendar month.',
  }),
  labelled: (ctx) => sql`niatx_episode as (
      select m.episode_id, m.admitted_on, m.first_contact_on, m.discharged_on,
        count(*) filter (where s.status = 'attended' and s.session_date >= m.admitted_on)::int as attended,
        count(*) filter (where s.status = 'no_show' and s.session_date >= m.admitted_on)::int as no_show,
        min(s.session_date) filter (where s.status = 'attended' and s.session_date >= m.first_contact_on) as first_attended_on,
        (array_agg(s.session_date order by s.session_date) filter (where s.status = 'attended' and s.session_date >= m.admitted_on))[${sql.lit(CONTINUATION_SESSION)}] as continued_on
      from measure_episodes m left join attendance s on s.episode_id = m.episode_id
        and s.status in ('attended', 'no_show') and s.session_date >= least(m.admitted_on, coalesce(m.first_contact_on, m.admitted_on))
        and s.session_date <= ${asOf(ctx)} and (m.discharged_on is null or s.session_date <= m.discharged_on)
      group by m.episode_id, m.admitted_on, m.first_contact_on, m.discharged_on
    ),
    niatx_labelled as (
      select e.episode_id, ${ietIndexDate(sql`e.first_contact_on`, sql`e.admitted_on`)} as index_date, e.admitted_on as window_start,
        coalesce(e.discharged_on, ${asOf(ctx)}) as window_end,
        -- open without a 4th session is window_open until its discharge, which as_of already hides: no open_until
        case when e.continued_on is not null then 'continued' when e.discharged_on is null then 'window_open' else 'not_continued' end as closed_label,
        null::date as open_until,
        e.continued_on as score_date, e.attended as score
      from niatx_episode e
    ),
    labelled as (select l.*, ${windowLabel(asOf(ctx))} as label from niatx_labelled l)`,
  // per episode: [wait days (null without a first contact or a session after it), attended, no_show]
  episodeStatistics: () => sql`select episode_id, array[first_attended_on - first_contact_on, attended, no_show]::int[] as stats from niatx_episode`,
  distributionSlot: 1,
  // The quartiles are percentile_cont's (type 7) over the wait days of the group's episodes,
  // weighted by n: the value at 0-based position p(N − 1), interpolated between the values at
  // its floor and ceiling positions as lo + frac × (hi − lo), in float8 as PostgreSQL does.
  statistics: () => sql`
    with niatx_months as (
      select grp, jsonb_agg(jsonb_build_object('month', month, 'admissions', n) order by month) as admissions
      from (
        select grp, to_char(admitted_on, 'YYYY-MM') as month, sum(n)::int as n
        from measure_stats
        group by 1, 2
      ) x
      group by grp
    ),
    niatx_group as (
      select grp,
        coalesce(sum(n) filter (where k is not null), 0)::int as wait_n,
        (sum(k::bigint * n)::numeric / nullif(sum(n) filter (where k is not null), 0)::numeric)::float8 as wait_mean,
        sum(stats[2])::int as attended, sum(stats[3])::int as no_show
      from measure_stats
      group by grp
    ),
    niatx_waits as (
      select grp, k, sum(sum(n)) over (partition by grp order by k) as upto
      from measure_stats where k is not null
      group by grp, k
    ),
    niatx_positions as (
      select g.grp, q.i, q.p * (g.wait_n - 1)::float8 as pos
      from niatx_group g cross join (values (1, 0.25::float8), (2, 0.5::float8), (3, 0.75::float8)) q(i, p)
      where g.wait_n > 0
    ),
    niatx_quartiles as (
      select x.grp, array_agg(x.lo + (x.pos - floor(x.pos)) * (x.hi - x.lo) order by x.i) as wait_q
      from (
        select p.grp, p.i, p.pos,
          (select min(w.k) from niatx_waits w where w.grp = p.grp and w.upto > floor(p.pos))::float8 as lo,
          (select min(w.k) from niatx_waits w where w.grp = p.grp and w.upto > ceil(p.pos))::float8 as hi
        from niatx_positions p
      ) x
      group by x.grp
    )
    select g.grp, jsonb_build_object(
      'wait_days_n', g.wait_n,
      'wait_days_mean', g.wait_mean,
      'wait_days_median', case when g.wait_n > 0 then q.wait_q[2] end,
      'wait_days_iqr', case when g.wait_n > 0 then jsonb_build_array(q.wait_q[1], q.wait_q[3]) end,
      'attended', g.attended,
      'no_show', g.no_show,
      'no_show_rate', g.no_show::float8 / nullif(g.attended + g.no_show, 0),
      'admissions', coalesce(m.admissions, '[]'::jsonb)
    ) as stats
    from niatx_group g left join niatx_months m on m.grp = g.grp left join niatx_quartiles q on q.grp = g.grp`,
  protectStatistics: (stats, n, minCell) => protectNiatx(stats, n, minCell),
  discloseStatistics: (stats) => discloseNiatx(stats),
};

/**
 * Suppression for roles below analyst (docs/measures.md "Suppression"): wait-day figures
 * from fewer than min_cell episodes, session counts (and the no-show rate) when either
 * count is small, and each month's admissions when small (with a complement).
 */
export function protectNiatx(stats: Record<string, unknown>, n: number, minCell: number): Record<string, unknown> {
  const out: Record<string, unknown> = { ...stats };
  const hidden: string[] = [];
  const waitN = Number(stats.wait_days_n ?? 0);
  if (isSmall(waitN, minCell) || isSmall(n, minCell)) {
    Object.assign(out, { wait_days_n: null, wait_days_mean: null, wait_days_median: null, wait_days_iqr: null });
    hidden.push('wait_days_n', 'wait_days_mean', 'wait_days_median', 'wait_days_iqr');
  }
  if (isSmall(Number(stats.attended ?? 0), minCell) || isSmall(Number(stats.no_show ?? 0), minCell)) {
    Object.assign(out, { attended: null, no_show: null, no_show_rate: null });
    hidden.push('attended', 'no_show', 'no_show_rate');
  }
  // The months sum to the group's initial population, which is published: one hidden month
  // would be recoverable, so a complement hides with it (metrics/stats/suppression.ts).
  const months = Array.isArray(stats.admissions) ? (stats.admissions as { month: string; admissions: number }[]) : [];
  const hiddenMonths = suppressCounts(Object.fromEntries(months.map((m) => [m.month, m.admissions])), n, minCell);
  out.admissions = months.map((m) => (hiddenMonths.has(m.month) ? { month: m.month, admissions: null } : m));
  if (hiddenMonths.size > 0) hidden.push('admissions');
  out.suppressed = hidden;
  return out;
}

const r5 = (v: unknown): number | null => (typeof v === 'number' ? roundToBase(v) : null);
const fix1 = (v: unknown): number | null => (typeof v === 'number' ? Number(v.toFixed(1)) : null);

/**
 * For roles below analyst (metrics/measures/protect.ts): counts rounded to base 5, the
 * no-show rate recomputed from the rounded counts, wait days to one decimal.
 */
export function discloseNiatx(stats: Record<string, unknown>): Record<string, unknown> {
  const attended = r5(stats.attended);
  const noShow = r5(stats.no_show);
  const iqr = Array.isArray(stats.wait_days_iqr) ? (stats.wait_days_iqr as number[]).map(fix1) : null;
  const months = Array.isArray(stats.admissions) ? (stats.admissions as { month: string; admissions: number | null }[]) : [];
  return {
    ...stats,
    wait_days_n: r5(stats.wait_days_n), wait_days_mean: fix1(stats.wait_days_mean), wait_days_median: fix1(stats.wait_days_median), wait_days_iqr: iqr,
    attended, no_show: noShow,
    no_show_rate: attended === null || noShow === null || attended + noShow === 0 ? null : noShow / (attended + noShow),
    admissions: months.map((m) => ({ month: m.month, admissions: r5(m.admissions) })),
  };
}
