import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { BASELINE_FROM, BASELINE_TO, DAYS_PER_WEEK, LAST_WEEK } from '../../warehouse/rules';
import { modelsAnswer } from '../source';
import { inTracks } from '../sql/scope';
import { bandOf, type Band, type BandCutoffs } from './bands';
import type { CurrentFit } from './current-fit';
import { TOLERANCE_LEVEL, type ExpectedPoint } from './expected';
import type { ProgressAlert, ProgressAlertsResponse, ProgressBandsResponse, ProgressEpisodeResponse } from './schema';

/**
 * Not-on-track alerts (docs/progress.md "Alerts"). An episode open as of as_of, with a
 * baseline and a score after its baseline day, is not on track when its latest score (on
 * or before as_of) is
 * - worse than its baseline band's 80% limit at that week (above the upper limit when
 *   lower is better, below the lower limit when higher is better; the limits clipped to
 *   the instrument's range, so a score can never pass a limit at the end of the scale), or
 * - at least the instrument's RC worse than its baseline (a reliable worsening).
 * The week is whole weeks since admission (a score before admission is week 0); after
 * the last modelled week (LAST_WEEK) only the RC rule applies.
 */

export interface JudgeInput {
  baseline: number;
  latest: number;
  /** Days from admission to the latest score. */
  day: number;
}

export interface Judgement {
  band: Band | null;
  week: number;
  expected_lower: number | null;
  expected_upper: number | null;
  worsening: number;
  reasons: ProgressAlert['reasons'];
}

/** Whole weeks since admission, 0 before it. */
export function weekOf(day: number): number {
  return Math.max(0, Math.floor(day / DAYS_PER_WEEK));
}

/** The rules above for one episode, given the fit's clipped expected bands and the instrument's RC. */
export function judge(x: JudgeInput, o: { cutoffs: BandCutoffs; bandsInModel: boolean; expected: readonly ExpectedPoint[]; rc: number | null }): Judgement {
  const band = o.bandsInModel ? bandOf(x.baseline, o.cutoffs) : null;
  const week = weekOf(x.day);
  const point = week <= LAST_WEEK ? o.expected.find((e) => e.band === band && e.week === week) : undefined;
  const higher = o.cutoffs.higher_is_better;
  const worsening = higher ? x.baseline - x.latest : x.latest - x.baseline;
  const reasons: ProgressAlert['reasons'] = [];
  if (point && (higher ? x.latest < point.lower : x.latest > point.upper)) reasons.push('above_band');
  if (o.rc !== null && worsening >= o.rc) reasons.push('reliable_worsening');
  return { band, week, expected_lower: point?.lower ?? null, expected_upper: point?.upper ?? null, worsening, reasons };
}

interface OpenEpisodeRow {
  episode_id: string;
  track_code: string;
  clinician_id: string | null;
  admitted_on: string;
  baseline: number | null;
  baseline_on: string | null;
  latest: number;
  latest_on: string;
  day: number;
}

export interface AlertScope {
  instrument: string;
  as_of: string;
  track: readonly string[] | null;
  clinician: readonly string[] | null;
}

/**
 * Every episode open as of as_of (admitted on or before, not discharged by then) in the
 * scope, with a score of the instrument on or before as_of: its latest score (the worst
 * of that day when several) and its baseline (the first score on days −14…+7, the
 * lowest of that day, as the model reads it), in episode order. From the models when
 * they answer (`alertsSource`), else from the facts.
 */
async function openEpisodes(db: Kysely<DB>, s: AlertScope, higherIsBetter: boolean): Promise<OpenEpisodeRow[]> {
  return (await alertsSource(db, s.as_of)) === 'model' ? openEpisodesFromModel(db, s) : openEpisodesFromFacts(db, s, higherIsBetter);
}

/**
 * Where the open episodes are read (metrics/source.ts `modelsAnswer`): from
 * `episode_instrument_outcomes` when the models are current and no score is dated after
 * as_of, so that the model's baseline and latest score are those on or before as_of
 * (an episode has one score per instrument and day, so "the worst of that day" is the
 * day's only score); else from the facts.
 */
export async function alertsSource(db: Kysely<DB>, asOf: string): Promise<'model' | 'facts'> {
  return (await modelsAnswer(db, ['scores_through'], asOf)) ? 'model' : 'facts';
}

/**
 * One model row per open episode: those not discharged at all from the partial index
 * that holds every column read here (an index-only scan, once vacuum has marked the pages
 * visible), those discharged after as_of from the (instrument, discharged_on) index.
 */
async function openEpisodesFromModel(db: Kysely<DB>, s: AlertScope): Promise<OpenEpisodeRow[]> {
  const asOf = sql`${s.as_of}::date`;
  const part = (discharged: RawBuilder<unknown>) => sql`
    select o.episode_id, o.track_code, o.clinician_id, o.admitted_on::text as admitted_on,
      o.baseline_score as baseline, o.baseline_on::text as baseline_on, o.latest_score as latest, o.latest_on::text as latest_on,
      (o.latest_on - o.admitted_on) as day
    from episode_instrument_outcomes o
    where o.instrument = ${s.instrument} and ${discharged} and o.admitted_on <= ${asOf}
      and ${inTracks(sql`o.track_code`, s.track)}
      and ${s.clinician ? sql`o.clinician_id = any(${s.clinician}::text[])` : sql`true`}`;
  const r = await sql<OpenEpisodeRow>`
    select * from (${part(sql`o.discharged_on is null`)} union all ${part(sql`o.discharged_on > ${asOf}`)}) open
    order by episode_id`.execute(db);
  return r.rows;
}

/** Two index probes on the scores per open episode. */
async function openEpisodesFromFacts(db: Kysely<DB>, s: AlertScope, higherIsBetter: boolean): Promise<OpenEpisodeRow[]> {
  const asOf = sql`${s.as_of}::date`;
  const worstFirst = higherIsBetter ? sql`a.total_score asc` : sql`a.total_score desc`;
  const r = await sql<OpenEpisodeRow>`
    select e.episode_id, e.track_code, e.clinician_id, e.admitted_on::text as admitted_on,
      b.score as baseline, b.on::text as baseline_on, l.score as latest, l.on::text as latest_on, (l.on - e.admitted_on) as day
    from episodes e
    cross join lateral (
      select a.total_score::float8 as score, a.administered_on as on from assessments a
      where a.episode_id = e.episode_id and a.instrument = ${s.instrument} and a.administered_on <= ${asOf}
      order by a.administered_on desc, ${worstFirst} limit 1) l
    left join lateral (
      select a.total_score::float8 as score, a.administered_on as on from assessments a
      where a.episode_id = e.episode_id and a.instrument = ${s.instrument}
        and a.administered_on between e.admitted_on + ${sql.lit(BASELINE_FROM)} and e.admitted_on + ${sql.lit(BASELINE_TO)}
        and a.administered_on <= ${asOf}
      order by a.administered_on, a.total_score limit 1) b on true
    where e.admitted_on <= ${asOf} and (e.discharged_on is null or e.discharged_on > ${asOf})
      and ${inTracks(sql`e.track_code`, s.track)}
      and ${s.clinician ? sql`e.clinician_id = any(${s.clinician}::text[])` : sql`true`}
    order by e.episode_id`.execute(db);
  return r.rows;
}

/** The not-on-track list of `iop progress alerts` and GET /api/v1/progress/alerts. */
export async function progressAlerts(db: Kysely<DB>, fit: CurrentFit, s: AlertScope): Promise<ProgressAlertsResponse> {
  const rows = await openEpisodes(db, s, fit.instrument.higher_is_better);
  const opts = { cutoffs: fit.cutoffs, bandsInModel: fit.info.bands, expected: fit.expected, rc: fit.instrument.rc };
  const alerts: ProgressAlert[] = [];
  let judged = 0;
  let withoutFollowup = 0;
  for (const r of rows) {
    if (r.baseline === null || r.baseline_on === null) continue;
    // Only the baseline day is scored: the episode has no trajectory to judge yet.
    if (r.latest_on <= r.baseline_on) {
      withoutFollowup++;
      continue;
    }
    judged++;
    const j = judge({ baseline: r.baseline, latest: r.latest, day: r.day }, opts);
    if (j.reasons.length === 0) continue;
    alerts.push({
      episode_id: r.episode_id, track_code: r.track_code, clinician_id: r.clinician_id, admitted_on: r.admitted_on,
      baseline: r.baseline, baseline_on: r.baseline_on, latest: r.latest, latest_on: r.latest_on, ...j,
    });
  }
  return {
    instrument: fit.instrument,
    fit: fit.info,
    as_of: s.as_of,
    filters: { track: s.track ? [...s.track] : null, clinician: s.clinician ? [...s.clinician] : null },
    open_episodes_judged: judged,
    open_episodes_without_followup: withoutFollowup,
    open_episodes_without_baseline: rows.length - judged - withoutFollowup,
    alerts,
  };
}

export interface EpisodeHeader {
  episode_id: string;
  track_code: string;
  clinician_id: string | null;
  admitted_on: string;
  discharged_on: string | null;
}

/** The episode's track, clinician and dates, or undefined when the warehouse has no such episode. */
export async function episodeHeader(db: Kysely<DB>, episodeId: string): Promise<EpisodeHeader | undefined> {
  const r = await sql<EpisodeHeader>`
    select episode_id, track_code, clinician_id, admitted_on::text as admitted_on, discharged_on::text as discharged_on
    from episodes where episode_id = ${episodeId}`.execute(db);
  return r.rows[0];
}

/**
 * One episode against its expected band (`iop progress episode <id>`, GET
 * /api/v1/progress/episodes/{id}): its scores through as_of, its band's expected limits
 * week by week, the RC threshold and the alert as of as_of.
 */
export async function progressEpisode(db: Kysely<DB>, fit: CurrentFit, e: EpisodeHeader, asOf: string): Promise<ProgressEpisodeResponse> {
  const r = await sql<{ administered_on: string; day: number; score: number }>`
    select a.administered_on::text as administered_on, (a.administered_on - ${e.admitted_on}::date) as day, a.total_score::float8 as score
    from assessments a
    where a.episode_id = ${e.episode_id} and a.instrument = ${fit.instrument.code} and a.administered_on <= ${asOf}::date
    order by a.administered_on, a.total_score`.execute(db);
  const scores = r.rows.map((x) => ({ ...x, week: weekOf(x.day) }));
  const base = scores.find((x) => x.day >= BASELINE_FROM && x.day <= BASELINE_TO);
  const open = e.admitted_on <= asOf && (e.discharged_on === null || e.discharged_on > asOf);
  const higher = fit.instrument.higher_is_better;
  const band = base && fit.info.bands ? bandOf(base.score, fit.cutoffs) : null;
  let alert: ProgressAlert | null = null;
  const latest = scores.length ? scores.reduce((worst, x) => (x.administered_on > worst.administered_on || (x.administered_on === worst.administered_on && (higher ? x.score < worst.score : x.score > worst.score)) ? x : worst)) : undefined;
  if (open && base && latest && latest.administered_on > base.administered_on) {
    const j = judge({ baseline: base.score, latest: latest.score, day: latest.day }, { cutoffs: fit.cutoffs, bandsInModel: fit.info.bands, expected: fit.expected, rc: fit.instrument.rc });
    if (j.reasons.length) {
      alert = {
        episode_id: e.episode_id, track_code: e.track_code, clinician_id: e.clinician_id, admitted_on: e.admitted_on,
        baseline: base.score, baseline_on: base.administered_on, latest: latest.score, latest_on: latest.administered_on, ...j,
      };
    }
  }
  const rc = fit.instrument.rc;
  return {
    instrument: fit.instrument,
    fit: fit.info,
    as_of: asOf,
    episode: {
      ...e,
      discharged_on: e.discharged_on !== null && e.discharged_on <= asOf ? e.discharged_on : null,
      baseline: base?.score ?? null,
      baseline_on: base?.administered_on ?? null,
      band,
    },
    scores,
    expected: base ? fit.expected.filter((x) => x.band === band) : [],
    rc_threshold: base && rc !== null ? (higher ? base.score - rc : base.score + rc) : null,
    alert,
  };
}

/**
 * The expected bands of the instrument's current fit (GET /api/v1/progress/bands): an
 * aggregate every role may read. For roles below analyst (`disclosure`) a band fitted on
 * fewer episodes than the min cell is left out and the counts are rounded to base 5.
 */
export function progressBands(fit: CurrentFit, disclosure: { minCell: number; round: (n: number) => number } | null): ProgressBandsResponse {
  const hidden = disclosure ? fit.model.bands.filter((b) => b.episodes < disclosure.minCell).map((b) => b.band) : [];
  const shown = fit.model.bands.filter((b) => !hidden.includes(b.band));
  return {
    instrument: fit.instrument,
    fit: disclosure ? { ...fit.info, n_episodes: disclosure.round(fit.info.n_episodes), n_scores: disclosure.round(fit.info.n_scores) } : fit.info,
    tolerance: TOLERANCE_LEVEL,
    bands: shown.map((b) => ({ band: b.band, episodes: disclosure ? disclosure.round(b.episodes) : b.episodes })),
    suppressed_bands: hidden,
    expected: fit.expected.filter((x) => x.band === null || !hidden.includes(x.band)),
  };
}
