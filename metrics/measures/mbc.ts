import { sql } from 'kysely';
import { roundToBase } from '../disclosure';
import { isSmall } from '../stats/suppression';
import { MBC_MEASURED_SHARE, MBC_WEEK_DAYS } from '../../warehouse/measure-rules';
import type { MeasureContext, MeasureSpec } from './spec';
import { windowLabel } from './window';

/**
 * Measurement-based care for The Joint Commission CTS.03.01.09 (docs/measures.md "mbc"):
 * an episode-week is week k = days [7k, 7k + 6] since admission, up to discharge (or as_of),
 * in which the episode attended a session; it is measured when the episode has a score of
 * any instrument dated in it. Labels: `measured_80` (measured in at least 80% of its
 * episode-weeks), `below_80`, and `no_attended_week` (no episode-week yet: outside the
 * denominator, as the rate is over episodes with at least one episode-week). Index date =
 * admission. `share_of_weeks` (no CI: the weeks of one episode are not independent) is a
 * group statistic.
 */
const asOf = (ctx: MeasureContext) => sql`${ctx.filters.as_of}::date`;
const WEEK = sql.lit(MBC_WEEK_DAYS);

export const mbc: MeasureSpec = {
  name: 'mbc',
  source: 'The Joint Commission CTS.03.01.09 (measurement-based care)',
  labels: ['measured_80', 'below_80', 'no_attended_week'],
  numerator: ['measured_80'],
  excludedLabel: 'no_attended_week',
  definition: () => ({
    population: 'every episode admitted by as_of',
    index_date: 'admitted_on',
    episode_week: `week k = days [${MBC_WEEK_DAYS}k, ${MBC_WEEK_DAYS}k + ${MBC_WEEK_DAYS - 1}] since admission, up to discharge or as_of, with at least one attended session`,
    measured_week: 'an episode-week with at least one score of any instrument on the episode dated in it',
    measured_share: MBC_MEASURED_SHARE,
    denominator: 'episodes with at least one episode-week (no_attended_week is outside it)',
    share_of_weeks: 'weeks_measured / episode_weeks over the group, without a CI',
  }),
  text: (d) => ({
    episode_week: `An episode-week is a week since admission (days 0–${MBC_WEEK_DAYS - 1}, ${MBC_WEEK_DAYS}–${2 * MBC_WEEK_DAYS - 1}, …), up to discharge or the as-of date, in which the episode attended at least one session.`,
    measured_week: 'A week is measured when the episode has a score of any instrument dated in it.',
    numerator: `Numerator: episodes measured in at least ${Math.round(Number(d.measured_share) * 100)}% of their episode-weeks; denominator: episodes with at least one episode-week.`,
    share_of_weeks: 'share_of_weeks = weeks measured / episode-weeks of the group, without a confidence interval (the weeks of one episode are not independent).',
  }),
  labelled: (ctx) => sql`mbc_ends as (
      select m.episode_id, m.admitted_on, coalesce(m.discharged_on, ${asOf(ctx)}) as ends_on from measure_episodes m
    ),
    mbc_attended as (
      select distinct e.episode_id, (a.session_date - e.admitted_on) / ${WEEK} as week
      from mbc_ends e join attendance a on a.episode_id = e.episode_id
      where a.status = 'attended' and a.session_date between e.admitted_on and e.ends_on
    ),
    mbc_scored as (
      select distinct e.episode_id, (s.administered_on - e.admitted_on) / ${WEEK} as week
      from mbc_ends e join assessments s on s.episode_id = e.episode_id
      where s.administered_on between e.admitted_on and e.ends_on
    ),
    mbc_episode as (
      select e.episode_id, e.admitted_on, e.ends_on,
        count(w.week)::int as episode_weeks, count(sc.week)::int as weeks_measured
      from mbc_ends e
        left join mbc_attended w on w.episode_id = e.episode_id
        left join mbc_scored sc on sc.episode_id = w.episode_id and sc.week = w.week
      group by e.episode_id, e.admitted_on, e.ends_on
    ),
    mbc_labelled as (
      select episode_id, admitted_on as index_date, admitted_on as window_start, ends_on as window_end,
        case when episode_weeks = 0 then 'no_attended_week'
          when weeks_measured >= ${MBC_MEASURED_SHARE}::numeric * episode_weeks then 'measured_80'
          else 'below_80' end as closed_label,
        null::date as open_until,
        null::date as score_date,
        case when episode_weeks > 0 then weeks_measured::numeric / episode_weeks end as score
      from mbc_episode
    ),
    -- no window: the label is the closed one whatever the as-of date (open_until is null)
    labelled as (select l.*, ${windowLabel(asOf(ctx))} as label from mbc_labelled l)`,
  // per episode: [episode_weeks, weeks_measured]
  episodeStatistics: () => sql`select episode_id, array[episode_weeks, weeks_measured]::int[] as stats from mbc_episode`,
  statistics: () => sql`
    select grp, jsonb_build_object(
      'episode_weeks', sum(stats[1])::int,
      'weeks_measured', sum(stats[2])::int,
      'share_of_weeks', sum(stats[2])::float8 / nullif(sum(stats[1]), 0)
    ) as stats
    from measure_stats
    group by grp`,
  protectStatistics: (stats, n, minCell) => {
    const weeks = Number(stats.episode_weeks ?? 0);
    const measured = Number(stats.weeks_measured ?? 0);
    if (isSmall(n, minCell) || isSmall(measured, minCell) || isSmall(weeks - measured, minCell)) {
      return { episode_weeks: null, weeks_measured: null, share_of_weeks: null, suppressed: ['episode_weeks', 'weeks_measured', 'share_of_weeks'] };
    }
    return { ...stats, suppressed: [] };
  },
  // For roles below analyst: week counts rounded to base 5 and the share recomputed from them.
  discloseStatistics: (stats) => {
    if (typeof stats.episode_weeks !== 'number' || typeof stats.weeks_measured !== 'number') return stats;
    const weeks = roundToBase(stats.episode_weeks);
    const measured = roundToBase(stats.weeks_measured);
    return { ...stats, episode_weeks: weeks, weeks_measured: measured, share_of_weeks: weeks === 0 ? null : Math.min(measured, weeks) / weeks };
  },
};
