import { sql } from 'kysely';
import { inBaselineWindow } from '../../warehouse/models/per-episode';
import {
  DEATH_DISCHARGE_REASON, DEPRESSION_AGE_STRATA, DEPRESSION_DIAGNOSES, DEPRESSION_EXCLUDED_DIAGNOSES,
  DEPRESSION_INDEX_ABOVE, DEPRESSION_INSTRUMENT, DEPRESSION_MIN_AGE, DEPRESSION_REMISSION_BELOW, DEPRESSION_WINDOWS,
} from '../../warehouse/measure-rules';
import { BASELINE_FROM, BASELINE_TO, RESPONSE_FRACTION } from '../../warehouse/rules';
import { list } from '../definition-text';
import { codeListPattern } from './codes';
import { deathsCte } from './deaths';
import { windowLabel } from './window';
import type { MeasureContext, MeasureSpec } from './spec';

/**
 * The depression measures (docs/measures.md "Depression remission and response"):
 * dep-rem-6 (CCBHC DEP-REM-6), dep-rem-12 (CMS159 / MIPS #370) and dep-resp-6 (NQF 1884),
 * program adaptations over PHQ-9 scores. One builder, three parameter sets from
 * warehouse/measure-rules.ts (index window and response fraction from warehouse/rules.ts, shared with the symptom metrics).
 *
 * - Index: the episode's baseline PHQ-9 (the first score on days BASELINE_FROM…BASELINE_TO
 *   of the episode, as the symptom metrics take it); the index date is its date.
 * - Initial population: index score > DEPRESSION_INDEX_ABOVE, age (index year − birth
 *   year) ≥ DEPRESSION_MIN_AGE or unknown, a depression diagnosis unless any_diagnosis.
 * - Window: addMonths(index date, months) ± days, inclusive.
 * - Labels, first match wins: excluded (an excluded diagnosis, or a death on or before
 *   the window's end), window_open (as_of before the window's end), then the outcome:
 *   the last PHQ-9 of the patient (any episode or none) dated in the window.
 */

type DepressionName = keyof typeof DEPRESSION_WINDOWS;

interface Kind {
  name: DepressionName;
  source: string;
  kind: 'remission' | 'response';
}

function definition(k: Kind, ctx: MeasureContext): Record<string, unknown> {
  const w = DEPRESSION_WINDOWS[k.name];
  return {
    instrument: DEPRESSION_INSTRUMENT,
    index: { rule: 'the episode\'s baseline score: the first on days from..to of the episode', from: BASELINE_FROM, to: BASELINE_TO, score_above: DEPRESSION_INDEX_ABOVE },
    min_age: DEPRESSION_MIN_AGE,
    age_strata: DEPRESSION_AGE_STRATA.map((s) => s.band),
    diagnoses: ctx.options.any_diagnosis ? 'any' : [...DEPRESSION_DIAGNOSES],
    any_diagnosis: ctx.options.any_diagnosis,
    exclusions: { diagnoses: [...DEPRESSION_EXCLUDED_DIAGNOSES], discharge_reason: DEATH_DISCHARGE_REASON, death: 'on or before the window end' },
    window: { months: w.months, days_before: w.days, days_after: w.days, inclusive: true },
    outcome: 'the last score of the patient (any episode or none) dated in the window',
    numerator: k.kind === 'remission' ? { score_below: DEPRESSION_REMISSION_BELOW } : { at_most_fraction_of_index: RESPONSE_FRACTION },
    labels: k.kind === 'remission'
      ? ['remission', 'no_remission', 'no_follow_up', 'excluded', 'window_open']
      : ['response', 'no_response', 'no_follow_up', 'excluded', 'window_open'],
  };
}

function text(k: Kind, ctx: MeasureContext): Record<string, string> {
  const w = DEPRESSION_WINDOWS[k.name];
  const dx = ctx.options.any_diagnosis
    ? 'any diagnosis or none (the diagnosis requirement is off)'
    : `a diagnosis ${list(DEPRESSION_DIAGNOSES)}`;
  return {
    population: `Episodes whose index ${DEPRESSION_INSTRUMENT} (the first score from ${-BASELINE_FROM} days before to ${BASELINE_TO} days after admission) is above ${DEPRESSION_INDEX_ABOVE}, aged ${DEPRESSION_MIN_AGE} or over at the index date (an unknown birth year counts as eligible), with ${dx}.`,
    window: `The outcome window runs from ${w.days} days before to ${w.days} days after the date ${w.months} months after the index date, both ends included.`,
    outcome: k.kind === 'remission'
      ? `Remission: the patient's last ${DEPRESSION_INSTRUMENT} in the window, from any episode or none, is below ${DEPRESSION_REMISSION_BELOW}.`
      : `Response: the patient's last ${DEPRESSION_INSTRUMENT} in the window, from any episode or none, is at most ${RESPONSE_FRACTION * 100}% of the index score.`,
    exclusions: `Excluded: a diagnosis ${list(DEPRESSION_EXCLUDED_DIAGNOSES)}, or a death (discharge reason ${DEATH_DISCHARGE_REASON}) on or before the window's end.`,
    window_open: 'Episodes whose window has not closed by the as-of date are counted apart (window_open) and left out of the denominator.',
    source: `Program adaptation of ${k.source}.`,
  };
}

function labelled(k: Kind, ctx: MeasureContext) {
  const f = ctx.filters;
  const asOf = sql`${f.as_of}::date`;
  const w = DEPRESSION_WINDOWS[k.name];
  const [hit, miss] = k.kind === 'remission' ? ['remission', 'no_remission'] : ['response', 'no_response'];
  const qualifies = k.kind === 'remission'
    ? sql`c.score < ${sql.lit(DEPRESSION_REMISSION_BELOW)}`
    : sql`c.score <= ${sql.lit(RESPONSE_FRACTION)} * c.index_score`;
  const hasDiagnosis = (pattern: string) => sql`exists (select 1 from unnest(m.diagnoses) as c(code) where c.code ~ ${pattern})`;
  return sql`dep_index as (
    select distinct on (m.episode_id) m.episode_id, m.patient_id, a.administered_on as index_date, a.total_score as index_score
    from measure_episodes m join assessments a on a.episode_id = m.episode_id
    where a.instrument = ${DEPRESSION_INSTRUMENT} and a.administered_on <= ${asOf}
      and ${inBaselineWindow(sql`(a.administered_on - m.admitted_on)`)}
    order by m.episode_id, a.administered_on
  ),
  dep_windows as (
    select i.episode_id, i.patient_id, i.index_date, i.index_score,
      (i.index_date + ${sql.lit(`${w.months} months`)}::interval)::date - ${sql.lit(w.days)} as window_start,
      (i.index_date + ${sql.lit(`${w.months} months`)}::interval)::date + ${sql.lit(w.days)} as window_end,
      ${hasDiagnosis(codeListPattern(DEPRESSION_EXCLUDED_DIAGNOSES))} as excluded_diagnosis
    from dep_index i join measure_episodes m on m.episode_id = i.episode_id
    where i.index_score > ${sql.lit(DEPRESSION_INDEX_ABOVE)}
      and (m.birth_year is null or extract(year from i.index_date)::int - m.birth_year >= ${sql.lit(DEPRESSION_MIN_AGE)})
      and ${ctx.options.any_diagnosis ? sql`true` : hasDiagnosis(codeListPattern(DEPRESSION_DIAGNOSES))}
  ),
  ${deathsCte(f.as_of)},
  dep_outcome as (
    select distinct on (w.episode_id) w.episode_id, a.administered_on as score_date, a.total_score as score
    from dep_windows w join assessments a on a.patient_id = w.patient_id
    where a.instrument = ${DEPRESSION_INSTRUMENT} and a.administered_on between w.window_start and w.window_end
      and a.administered_on <= ${asOf}
    order by w.episode_id, a.administered_on desc
  ),
  dep_closed as (
    select w.episode_id, w.index_date, w.index_score, w.window_start, w.window_end, o.score_date, o.score,
      (w.excluded_diagnosis or coalesce(d.died_on <= w.window_end, false)) as excluded
    from dep_windows w
      left join measure_deaths d on d.patient_id = w.patient_id
      left join dep_outcome o on o.episode_id = w.episode_id
  ),
  dep_labelled as (
    select c.episode_id, c.index_date, c.window_start, c.window_end, c.score_date, c.score,
      case
        when c.excluded then 'excluded'
        when c.score is null then 'no_follow_up'
        when ${qualifies} then ${hit}
        else ${miss}
      end as closed_label,
      case when not c.excluded then c.window_end end as open_until
    from dep_closed c
  ),
  labelled as (
    select episode_id, index_date, window_start, window_end, label, closed_label, open_until,
      case when label in (${hit}, ${miss}) then score_date end as score_date,
      case when label in (${hit}, ${miss}) then score end as score
    from (select d.*, ${windowLabel(asOf)} as label from dep_labelled d) x
  )`;
}

function depression(k: Kind): MeasureSpec {
  const labels = k.kind === 'remission'
    ? ['remission', 'no_remission', 'no_follow_up', 'excluded', 'window_open'] as const
    : ['response', 'no_response', 'no_follow_up', 'excluded', 'window_open'] as const;
  return {
    name: k.name,
    source: k.source,
    labels,
    numerator: [labels[0]],
    ageStrata: DEPRESSION_AGE_STRATA,
    definition: (ctx) => definition(k, ctx),
    text: (_block, ctx) => text(k, ctx),
    labelled: (ctx) => labelled(k, ctx),
  };
}

export const DEP_REM_6 = depression({ name: 'dep-rem-6', source: 'CCBHC DEP-REM-6', kind: 'remission' });
export const DEP_REM_12 = depression({ name: 'dep-rem-12', source: 'CMS159 / MIPS #370', kind: 'remission' });
export const DEP_RESP_6 = depression({ name: 'dep-resp-6', source: 'NQF 1884', kind: 'response' });
