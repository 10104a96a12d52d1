import { sql } from 'kysely';
import { businessCalendarCte } from '../calendar/business-days';
import { roundToBase } from '../disclosure';
import { isSmall } from '../stats/suppression';
import { ISERV_BUSINESS_DAYS } from '../../warehouse/measure-rules';
import type { MeasureContext, MeasureSpec } from './spec';
import { windowLabel } from './window';

/**
 * CCBHC I-SERV, program adaptation (docs/measures.md "i-serv"): over episodes with a first
 * contact, business days (metrics/calendar/business-days.ts) from the first contact to the
 * initial evaluation (`evaluated_on`) and to the first clinical service (the first attended
 * session on or after the first contact, by as_of). Labels: `within_10` (first service
 * within 10 business days), `after_10`, `no_service` (none yet and 10 business days have
 * passed, or discharged without one), `window_open` (none yet, open, and fewer than 10
 * business days have passed by as_of).
 */
const asOf = (ctx: MeasureContext) => sql`${ctx.filters.as_of}::date`;
const LIMIT = sql.lit(ISERV_BUSINESS_DAYS);
/**
 * Days the calendar runs past as_of, to find the day the limit of business days is reached
 * for an episode still waiting (ISERV_BUSINESS_DAYS business days fall well within it with
 * the federal holidays; an episode whose limit falls beyond it stays window_open).
 */
const CALENDAR_AHEAD = sql.lit(92);

export const iServ: MeasureSpec = {
  name: 'i-serv',
  source: 'CCBHC I-SERV (program adaptation)',
  labels: ['within_10', 'after_10', 'no_service', 'window_open'],
  numerator: ['within_10'],
  definition: (ctx) => ({
    population: 'episodes with first_contact_on',
    index_date: 'first_contact_on',
    first_service: 'the first attended session on or after first_contact_on, by as_of',
    business_days: 'weekdays in (d1, d2] that are not holidays; US federal holidays by rule on their observed dates, plus configured ones',
    configured_holidays: [...ctx.options.holidays],
    within_business_days: ISERV_BUSINESS_DAYS,
    statistics: 'mean business days first contact → evaluated_on and → first service',
  }),
  text: (d) => ({
    population: 'Initial population: episodes with a first contact date; index date the first contact.',
    business_days: `Business days between two dates are the weekdays after the first and up to the second that are not US federal holidays (observed dates) or configured holidays${(d.configured_holidays as string[]).length > 0 ? ` (${(d.configured_holidays as string[]).join(', ')})` : ''}.`,
    numerator: `Numerator: the first clinical service (attended session) came within ${String(d.within_business_days)} business days of the first contact (CCBHC routine-needs standard).`,
    window_open: `window_open: no service yet, the episode open, and fewer than ${String(d.within_business_days)} business days since the first contact by the as-of date.`,
    statistics: 'Statistics: the mean business days from the first contact to the initial evaluation and to the first clinical service.',
  }),
  labelled: (ctx) => {
    const year = Number(ctx.filters.as_of.slice(0, 4));
    return sql`iserv_population as (
      select m.episode_id, m.first_contact_on, m.evaluated_on, m.discharged_on
      from measure_episodes m where m.first_contact_on is not null
    ),
    ${businessCalendarCte(sql`(select min(first_contact_on) from iserv_population)`, sql`${asOf(ctx)} + ${CALENDAR_AHEAD}`, year, ctx.options.holidays)},
    -- the day each business-day count is reached: the first day of the calendar with that ord
    iserv_reached as (select ord, min(on_day) as on_day from business_calendar group by ord),
    iserv_first as (
      -- the first attended session by the (episode_id, session_date) index: one probe per episode
      select p.episode_id, f.served_on
      from iserv_population p cross join lateral (
        select a.session_date as served_on from attendance a
        where a.episode_id = p.episode_id and a.status = 'attended' and a.session_date >= p.first_contact_on
          and a.session_date <= ${asOf(ctx)} and (p.discharged_on is null or a.session_date <= p.discharged_on)
        order by a.session_date limit 1
      ) f
    ),
    iserv_days as (
      -- the calendar runs past as_of only to find the day the limit is reached: dates after as_of join no day
      select p.episode_id, p.first_contact_on, p.discharged_on, f.served_on,
        cs.ord - c0.ord as to_service, ce.ord - c0.ord as to_evaluation,
        coalesce(t.on_day, 'infinity'::date) as limit_reached_on
      from iserv_population p
        join business_calendar c0 on c0.on_day = p.first_contact_on and c0.on_day <= ${asOf(ctx)}
        left join iserv_first f on f.episode_id = p.episode_id
        left join business_calendar cs on cs.on_day = f.served_on
        left join business_calendar ce on ce.on_day = p.evaluated_on and ce.on_day <= ${asOf(ctx)}
        left join iserv_reached t on t.ord = c0.ord + ${LIMIT}
    ),
    iserv_labelled as (
      select d.episode_id, d.first_contact_on as index_date, d.first_contact_on as window_start, d.served_on as window_end,
        case
          when d.served_on is not null and d.to_service <= ${LIMIT} then 'within_10'
          when d.served_on is not null then 'after_10'
          else 'no_service'
        end as closed_label,
        -- no service yet and open: window_open until the day the limit of business days is reached
        case when d.served_on is null and d.discharged_on is null then d.limit_reached_on end as open_until,
        d.served_on as score_date, d.to_service as score
      from iserv_days d
    ),
    labelled as (select l.*, ${windowLabel(asOf(ctx))} as label from iserv_labelled l)`;
  },
  // per episode: [business days to the evaluation, to the first service, and whether each is known (0/1)]
  episodeStatistics: () => sql`select episode_id,
    array[to_evaluation, to_service, (to_evaluation is not null)::int, (to_service is not null)::int]::int[] as stats from iserv_days`,
  statistics: () => sql`
    select grp, jsonb_build_object(
      'evaluation_n', sum(stats[3])::int,
      'evaluation_business_days_mean', (sum(stats[1])::numeric / nullif(sum(stats[3]), 0)::numeric)::float8,
      'service_n', sum(stats[4])::int,
      'service_business_days_mean', (sum(stats[2])::numeric / nullif(sum(stats[4]), 0)::numeric)::float8
    ) as stats
    from measure_stats
    group by grp`,
  protectStatistics: (stats, n, minCell) => {
    const out: Record<string, unknown> = { ...stats };
    const hidden: string[] = [];
    for (const [count, mean] of [['evaluation_n', 'evaluation_business_days_mean'], ['service_n', 'service_business_days_mean']] as const) {
      if (isSmall(Number(stats[count] ?? 0), minCell) || isSmall(n, minCell)) {
        out[count] = null;
        out[mean] = null;
        hidden.push(count, mean);
      }
    }
    out.suppressed = hidden;
    return out;
  },
  // For roles below analyst: counts rounded to base 5, means to one decimal.
  discloseStatistics: (stats) => {
    const r5 = (v: unknown) => (typeof v === 'number' ? roundToBase(v) : null);
    const fix1 = (v: unknown) => (typeof v === 'number' ? Number(v.toFixed(1)) : null);
    return {
      ...stats,
      evaluation_n: r5(stats.evaluation_n), evaluation_business_days_mean: fix1(stats.evaluation_business_days_mean),
      service_n: r5(stats.service_n), service_business_days_mean: fix1(stats.service_business_days_mean),
    };
  },
};
