import { sql, type RawBuilder } from 'kysely';
import type { Scope } from './episode-outcomes';
import { inBaselineWindow, inFollowupRange, inWeeklySeries, isFollowupAfter, weekOf, weeklyMeanX10k } from './per-episode';
import { WEEKS, weekColumn, weekColumnList, weeklyAggregates } from './weekly';

/**
 * Rebuilds `episode_instrument_outcomes` for the scoped episodes (already deleted):
 * baseline = the first score on days −14…+7; follow-up = the last score ≥ 14 days
 * after it, up to discharge + 14 days (open-ended while the episode is open); latest =
 * the last score of all (the not-on-track list, docs/progress.md "Alerts"); the mean
 * score per week 0–16. A (day, score) array's min()/max() is the first/last score in
 * one pass, since an episode has one score per instrument and day (the natural key), so
 * one grouped pass over the scores finds all four. Returns the latest score date seen.
 */
export function insertInstrumentOutcomes(scope: Scope): RawBuilder<{ scores_through: string | null }> {
  const followed = sql`b.baseline is not null and ${isFollowupAfter(sql`b.last[1]`, sql`b.baseline[1]`)}`;
  const daySince = sql`(s.administered_on - ep.admitted_on)`;
  return sql`
    with ep as (
      select e.episode_id, e.patient_id, e.track_code, e.clinician_id, e.admitted_on, e.discharged_on, e.primary_substance, p.sex,
        extract(year from e.admitted_on)::int - p.birth_year as age_at_admission
      from episodes e join patients p using (patient_id)
      where ${scope('e.episode_id')}
    ),
    base as (
      select episode_id, instrument, count(*)::int as scores_n, max(administered_on) as through,
        min(array[day, total_score]) filter (where ${inBaselineWindow(sql`day`)}) as baseline,
        max(array[day, total_score]) filter (where in_followup_range) as last,
        max(array[day, total_score]) as latest,
        ${weeklyAggregates('mean_x10k', (w) => weeklyMeanX10k(sql`total_score`, sql`wk = ${w}`))}
      from (
        select s.episode_id, s.instrument, s.administered_on, s.total_score, (s.administered_on - ep.admitted_on)::float8 as day,
          case when ${inWeeklySeries(daySince)} then ${weekOf(daySince)} end as wk,
          ${inFollowupRange(sql`s.administered_on`, sql`ep.discharged_on`)} as in_followup_range
        from assessments s join ep using (episode_id)
        where ${scope('s.episode_id')}
        offset 0
      ) x
      group by episode_id, instrument
    ),
    ins as (
      insert into episode_instrument_outcomes (episode_id, instrument, patient_id, track_code, clinician_id, scores_n,
        admitted_on, discharged_on, primary_substance, sex, age_at_admission,
        baseline_on, baseline_score, latest_on, latest_score, followup_on, followup_score, ${weekColumnList('mean_x10k')})
      select b.episode_id, b.instrument, ep.patient_id, ep.track_code, ep.clinician_id, b.scores_n,
        ep.admitted_on, ep.discharged_on, ep.primary_substance, ep.sex, ep.age_at_admission,
        ep.admitted_on + b.baseline[1]::int, b.baseline[2], ep.admitted_on + b.latest[1]::int, b.latest[2],
        -- the last score in range is the follow-up when it is far enough after the baseline;
        -- when it is not, no score is (every other one is earlier still)
        case when ${followed} then ep.admitted_on + b.last[1]::int end, case when ${followed} then b.last[2] end,
        ${sql.join(WEEKS.map((w) => sql.ref(`b.${weekColumn('mean_x10k', w)}`)))}
      from base b join ep using (episode_id)
      -- one instrument's rows together on a full rebuild: a symptom metric reads one instrument
      order by b.instrument, b.episode_id
      returning 1
    )
    select (select max(through) from base) as scores_through, (select count(*) from ins)::int as n`;
}
