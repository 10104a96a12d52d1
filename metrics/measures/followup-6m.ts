import { sql, type RawBuilder } from 'kysely';
import { FOLLOWUP_LABELS, FOLLOWUP_TARGET_RATE, FOLLOWUP_WINDOW_MONTHS } from '../../warehouse/followup-rules';
import { deathsCte } from './deaths';
import type { MeasureContext, MeasureSpec } from './spec';
import { windowLabel } from './window';

/**
 * `followup-6m` (SAMHSA GPRA six-month follow-up; docs/funder-reporting.md "Six-month
 * follow-up"). Initial population: the episodes in scope with a completed `intake`
 * interview dated on or before as_of (the first, when an episode has several); index date
 * = that interview. Window = [addMonths(intake, 5), addMonths(intake, 8)], both ends
 * included, with PostgreSQL's month arithmetic (`date + interval 'k months'` clamps the
 * 31st to the month's end).
 *
 * The follow-up interviews are matched to the intake by patient and date, not by their
 * stored episode link: a follow-up months after discharge may link to a later
 * readmission of the same patient (ingest links an interview to the latest episode
 * admitted on or before it). Only interviews dated on or before as_of count.
 *
 * Labels, first match wins: `excluded` (a death of the patient on or before the window's
 * end, by the one death rule of the measures, ./deaths.ts: a `deceased` interview or a
 * `died` discharge of any of the patient's episodes), `completed` (a
 * completed `followup_6m` in the window; the first is the pair's follow-up, its date the
 * row's score_date), `window_open` (as_of before the window's end), `refused`,
 * `not_located` (an attempt with that status in the window), else `no_record`.
 */

const monthsAfter = (date: RawBuilder<unknown>, months: number) => sql`(${date} + ${sql.lit(`${months} months`)}::interval)::date`;

/** The CTEs of `followup-6m`, ending in `labelled`; `noms` reads `fu_labelled` too (the intake and follow-up of each pair). */
export function followupLabelled(ctx: MeasureContext): RawBuilder<unknown> {
  const asOf = sql`${ctx.filters.as_of}::date`;
  const inWindow = sql`f.interviewed_on between w.window_start and w.window_end and f.interviewed_on <= ${asOf}`;
  return sql`${deathsCte(ctx.filters.as_of)},
    fu_intakes as (
      select distinct on (m.episode_id) m.episode_id, m.patient_id, f.interviewed_on as intake_on
      from followups f join measure_episodes m on m.episode_id = f.episode_id
      where f.interview_type = 'intake' and f.status = 'completed' and f.interviewed_on <= ${asOf}
      order by m.episode_id, f.interviewed_on
    ),
    fu_windows as (
      select i.*, ${monthsAfter(sql`i.intake_on`, FOLLOWUP_WINDOW_MONTHS.from)} as window_start,
        ${monthsAfter(sql`i.intake_on`, FOLLOWUP_WINDOW_MONTHS.to)} as window_end
      from fu_intakes i
    ),
    fu_labelled as (
      select w.episode_id, w.patient_id, w.intake_on, w.window_start, w.window_end,
        (select min(f.interviewed_on) from followups f
          where f.patient_id = w.patient_id and f.interview_type = 'followup_6m' and f.status = 'completed' and ${inWindow}) as followup_on,
        exists (select 1 from measure_deaths d where d.patient_id = w.patient_id and d.died_on <= w.window_end) as died,
        exists (select 1 from followups f where f.patient_id = w.patient_id and f.status = 'refused' and ${inWindow}) as refused,
        exists (select 1 from followups f where f.patient_id = w.patient_id and f.status = 'not_located' and ${inWindow}) as not_located
      from fu_windows w
    ),
    fu_closed as (
      select episode_id, intake_on as index_date, window_start, window_end,
        case
          when died then 'excluded'
          when followup_on is not null then 'completed'
          when refused then 'refused'
          when not_located then 'not_located'
          else 'no_record'
        end as closed_label,
        -- neither excluded nor completed: window_open until the window ends
        case when not died and followup_on is null then window_end end as open_until,
        followup_on as score_date, null::numeric as score
      from fu_labelled
    ),
    labelled as (select c.*, ${windowLabel(asOf)} as label from fu_closed c
    )`;
}

export function followupDefinition(): Record<string, unknown> {
  return {
    index: 'the first completed intake interview of the episode',
    window_months: { from: FOLLOWUP_WINDOW_MONTHS.from, to: FOLLOWUP_WINDOW_MONTHS.to },
    window_ends_included: true,
    labels: [...FOLLOWUP_LABELS],
    numerator: ['completed'],
    target_rate: FOLLOWUP_TARGET_RATE,
    exclusion: 'a deceased interview or a died discharge on or before the window end',
  };
}

export const followup6m: MeasureSpec = {
  name: 'followup-6m',
  source: 'SAMHSA GPRA six-month follow-up',
  labels: FOLLOWUP_LABELS,
  numerator: ['completed'],
  definition: followupDefinition,
  text: (d) => {
    const w = d.window_months as { from: number; to: number };
    return {
      population: 'Episodes with a completed intake interview (GPRA); the index date is the interview.',
      window: `The follow-up window runs from ${w.from} to ${w.to} months after the intake, both ends included (a month later than the 31st is the month's last day).`,
      labels: 'An episode is excluded when the patient died before the window ends; completed when a six-month follow-up was completed in the window; window open while the window has not ended; otherwise refused, not located or no record, from the attempts recorded in the window.',
      target: `SAMHSA expects at least ${Number(d.target_rate) * 100}% of intakes to be followed up.`,
    };
  },
  labelled: followupLabelled,
};
