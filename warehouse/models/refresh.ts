import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../db-types';

type Executor = Kysely<DB> | Transaction<DB>;

/**
 * Rebuilds the per-episode outcome models (DESIGN.md §3 "Models") for the given
 * episodes, or for all of them. Set-based: one statement per model, so a full refresh
 * costs about one grouped pass over each fact table. Definitions follow METRICS.md:
 * IET initiation = an attended session on days 0–14; engagement = ≥ 2 further attended
 * sessions dated after the initiation session and within 34 days of it; symptom
 * baseline = first score on days −14…+7; follow-up = last score ≥ 14 days after the
 * baseline, up to discharge + 14 days (or the as-of date).
 */
export async function refreshEpisodes(db: Executor, episodeIds: readonly string[] | 'all', asOf?: string): Promise<number> {
  if (episodeIds !== 'all' && episodeIds.length === 0) return 0;
  const ids = episodeIds === 'all' ? null : [...new Set(episodeIds)];
  const today = asOf ?? new Date().toISOString().slice(0, 10);
  const scope = (col: RawBuilder<unknown>) => (ids ? sql`${col} = any(${ids}::text[])` : sql`true`);

  if (ids) {
    await sql`delete from episode_outcomes where ${scope(sql.ref('episode_id'))}`.execute(db);
    await sql`delete from episode_instrument_outcomes where ${scope(sql.ref('episode_id'))}`.execute(db);
  } else {
    await sql`truncate episode_outcomes, episode_instrument_outcomes`.execute(db);
  }

  const inserted = await sql`
    with ep as (
      select e.*, p.sex, p.birth_year from episodes e join patients p using (patient_id)
      where ${scope(sql.ref('e.episode_id'))}
    ),
    att as (
      select a.episode_id,
        count(*) filter (where a.status = 'attended')::int as attended,
        count(*) filter (where a.status = 'no_show')::int as no_show,
        count(*) filter (where a.status = 'cancelled')::int as cancelled,
        count(*) filter (where a.status = 'excused')::int as excused,
        min(a.session_date) filter (where a.status = 'attended') as first_attended_on,
        max(a.session_date) filter (where a.status = 'attended') as last_attended_on,
        min(a.session_date) filter (where a.status = 'attended'
          and a.session_date between ep.admitted_on and ep.admitted_on + 14) as initiation_on
      from attendance a join ep using (episode_id)
      where ${scope(sql.ref('a.episode_id'))}
      group by a.episode_id
    ),
    eng as (
      select a.episode_id, count(*)::int as later
      from attendance a join att using (episode_id)
      where ${scope(sql.ref('a.episode_id'))} and a.status = 'attended' and att.initiation_on is not null
        and a.session_date > att.initiation_on and a.session_date <= att.initiation_on + 34
      group by a.episode_id
    ),
    tests as (
      select t.episode_id, t.collected_on,
        (t.result = 'negative') as negative,
        ((t.result = 'positive' and not t.prescribed) or t.result in ('refused', 'missed')) as positive
      from abstinence_tests t join ep using (episode_id)
      where ${scope(sql.ref('t.episode_id'))} and t.collected_on between ep.admitted_on and coalesce(ep.discharged_on, ${today}::date)
    ),
    neg as (
      select episode_id,
        count(*) filter (where negative or positive)::int as counted,
        count(*) filter (where negative)::int as negatives,
        min(collected_on) filter (where negative) as first_negative_on,
        max(collected_on) filter (where negative or positive) as last_test_on
      from tests group by episode_id
    ),
    rel as (
      select t.episode_id, min(t.collected_on) as first_relapse_on
      from tests t join neg using (episode_id)
      where t.positive and t.collected_on > neg.first_negative_on
      group by t.episode_id
    )
    insert into episode_outcomes (
      episode_id, patient_id, track_code, admitted_on, discharged_on, discharge_reason, primary_substance, sex,
      age_at_admission, sessions_attended, sessions_no_show, sessions_cancelled, sessions_excused,
      first_attended_on, last_attended_on, initiation_on, engaged,
      tests_counted, tests_negative, first_negative_on, first_relapse_on, last_test_on)
    select ep.episode_id, ep.patient_id, ep.track_code, ep.admitted_on, ep.discharged_on, ep.discharge_reason,
      ep.primary_substance, ep.sex,
      extract(year from ep.admitted_on)::int - ep.birth_year,
      coalesce(att.attended, 0), coalesce(att.no_show, 0), coalesce(att.cancelled, 0), coalesce(att.excused, 0),
      att.first_attended_on, att.last_attended_on, att.initiation_on, coalesce(eng.later, 0) >= 2,
      coalesce(neg.counted, 0), coalesce(neg.negatives, 0), neg.first_negative_on, rel.first_relapse_on, neg.last_test_on
    from ep
      left join att using (episode_id)
      left join eng using (episode_id)
      left join neg using (episode_id)
      left join rel using (episode_id)`.execute(db);

  await sql`
    with ep as (
      select episode_id, patient_id, track_code, admitted_on, discharged_on from episodes
      where ${scope(sql.ref('episode_id'))}
    ),
    scores as (
      select s.episode_id, s.instrument, s.administered_on, s.total_score, ep.admitted_on, ep.discharged_on
      from assessments s join ep using (episode_id)
      where ${scope(sql.ref('s.episode_id'))}
    ),
    base as (
      select episode_id, instrument, count(*)::int as scores_n,
        (array_agg(administered_on order by administered_on) filter (
          where administered_on between admitted_on - 14 and admitted_on + 7))[1] as baseline_on,
        (array_agg(total_score order by administered_on) filter (
          where administered_on between admitted_on - 14 and admitted_on + 7))[1] as baseline_score
      from scores group by episode_id, instrument
    ),
    fu as (
      select s.episode_id, s.instrument,
        (array_agg(s.administered_on order by s.administered_on desc))[1] as followup_on,
        (array_agg(s.total_score order by s.administered_on desc))[1] as followup_score
      from scores s join base b using (episode_id, instrument)
      where b.baseline_on is not null
        and s.administered_on >= b.baseline_on + 14
        and s.administered_on <= coalesce(s.discharged_on, ${today}::date) + 14
      group by s.episode_id, s.instrument
    )
    insert into episode_instrument_outcomes (episode_id, instrument, patient_id, track_code, scores_n,
      baseline_on, baseline_score, followup_on, followup_score)
    select b.episode_id, b.instrument, ep.patient_id, ep.track_code, b.scores_n,
      b.baseline_on, b.baseline_score, fu.followup_on, fu.followup_score
    from base b join ep using (episode_id) left join fu using (episode_id, instrument)`.execute(db);

  return Number(inserted.numAffectedRows ?? 0);
}
