import { sql } from 'kysely';
import { ietDay, ietIndexDate, inEngagementWindow, inInitiationWindow, isEngaged } from '../../warehouse/models/per-episode';
import { ENGAGEMENT_DAYS, ENGAGEMENT_SESSIONS, INITIATION_DAYS } from '../../warehouse/rules';
import { NO_SUBSTANCE } from '../../warehouse/measure-rules';
import type { MeasureContext, MeasureSpec } from './spec';
import { windowLabel } from './window';

/**
 * HEDIS IET, program adaptation (docs/measures.md "iet"): the same initiation and
 * engagement rule as the attendance metric (warehouse/models/per-episode.ts), per episode
 * with a label. Sessions count when attended and dated within the episode (admission to
 * discharge, or as_of). An episode discharged by as_of has its outcome decided: no later
 * session can count, so it is never `window_open`.
 */
const asOf = (ctx: MeasureContext) => sql`${ctx.filters.as_of}::date`;

export const iet: MeasureSpec = {
  name: 'iet',
  source: 'HEDIS IET (program adaptation)',
  labels: ['engaged', 'initiated_only', 'not_initiated', 'window_open'],
  numerator: ['engaged'],
  rates: { initiation: ['engaged', 'initiated_only'], engagement: ['engaged'] },
  definition: () => ({
    population: `episodes whose primary_substance is recorded and not ${NO_SUBSTANCE.filter((s) => s !== '').join(', ')}`,
    index_date: 'first_contact_on, else admitted_on',
    initiation_days: INITIATION_DAYS,
    engagement_sessions: ENGAGEMENT_SESSIONS,
    engagement_days: ENGAGEMENT_DAYS,
    sessions: 'attended sessions dated within the episode (admission to discharge, or as_of)',
    rates: { initiation: 'engaged + initiated_only', engagement: 'engaged' },
  }),
  text: (d) => ({
    population: `Initial population: ${String(d.population)}.`,
    index_date: 'Index date: the first contact, or the admission when no first contact is recorded (day 0).',
    initiation: `Initiation: an attended session on days 0 to ${String(d.initiation_days)} after the index date.`,
    engagement: `Engagement: initiation plus attended sessions on at least ${String(d.engagement_sessions)} more distinct days from the day after the initiation session through ${String(d.engagement_days)} days after it.`,
    window_open: `An episode is window_open while the outcome cannot be decided by the as-of date: not initiated and day ${String(d.initiation_days)} not reached, or initiated, not engaged and day ${String(d.engagement_days)} after the initiation not reached (an episode discharged by then is decided).`,
    rates: 'Two rates over the same denominator: initiation (engaged or initiated only) and engagement (engaged).',
  }),
  labelled: (ctx) => {
    const index = ietIndexDate(sql`m.first_contact_on`, sql`m.admitted_on`);
    return sql`iet_population as (
      select m.episode_id, m.admitted_on, m.first_contact_on, m.discharged_on, ${index} as index_date
      from measure_episodes m
      where not (coalesce(lower(trim(m.primary_substance)), '') = any(${[...NO_SUBSTANCE]}::text[]))
    ),
    iet_days as (
      -- one grouped pass over the sessions that can matter (IET days 0–47), as the episode model does
      select p.episode_id,
        min(a.session_date) filter (where ${inInitiationWindow(ietDay(sql`a.session_date`, sql`p.first_contact_on`, sql`p.admitted_on`))}) as initiated_on,
        array_agg(distinct a.session_date) as days
      from iet_population p join attendance a on a.episode_id = p.episode_id
      where a.status = 'attended' and a.session_date >= p.admitted_on and a.session_date <= ${asOf(ctx)}
        and (p.discharged_on is null or a.session_date <= p.discharged_on)
        and a.session_date >= p.index_date and a.session_date <= p.index_date + ${sql.lit(INITIATION_DAYS + ENGAGEMENT_DAYS)}
      group by p.episode_id
    ),
    iet_episode as (
      select d.episode_id, d.initiated_on,
        (select count(*)::int from unnest(d.days) x where ${inEngagementWindow(sql`x`, sql`d.initiated_on`)}) as later_days
      from iet_days d where d.initiated_on is not null
    ),
    iet_labelled as (
      select p.episode_id, p.index_date, p.index_date as window_start,
        case when i.initiated_on is null then p.index_date + ${sql.lit(INITIATION_DAYS)} else i.initiated_on + ${sql.lit(ENGAGEMENT_DAYS)} end as window_end,
        case
          when i.initiated_on is null then 'not_initiated'
          when ${isEngaged(sql`coalesce(i.later_days, 0)`)} then 'engaged'
          else 'initiated_only'
        end as closed_label,
        -- undecided while open: not initiated by day INITIATION_DAYS, or initiated and not engaged by ENGAGEMENT_DAYS after it
        p.discharged_on is null and (i.initiated_on is null or not ${isEngaged(sql`coalesce(i.later_days, 0)`)}) as undecided,
        i.initiated_on as score_date, coalesce(i.later_days, 0) as score
      from iet_population p
        left join iet_episode i on i.episode_id = p.episode_id
    ),
    labelled as (
      select l.episode_id, l.index_date, l.window_start, l.window_end, l.closed_label, l.open_until, l.score_date, l.score,
        ${windowLabel(asOf(ctx), 'l')} as label
      from (select x.*, case when x.undecided then x.window_end end as open_until from iet_labelled x) l
    )`;
  },
};
