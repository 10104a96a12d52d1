import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { BASELINE_FROM, BASELINE_TO, DAYS_PER_WEEK, LAST_WEEK } from '../../warehouse/rules';
import { modelsAnswerSettled } from '../source';
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

/** What the rules read of an open episode; the days are since admission. */
interface OpenEpisodeRow {
  episode_id: string;
  baseline: number | null;
  baseline_day: number | null;
  latest: number;
  /** Days from admission to the latest score. */
  day: number;
}

/** What an alert shows besides: read only for the episodes that alert. */
interface OpenEpisodeDetails {
  episode_id: string;
  track_code: string;
  clinician_id: string | null;
  admitted_on: string;
  baseline_on: string;
  latest_on: string;
}

/** The open episodes in episode order, and the details of those asked for. */
interface OpenEpisodes {
  rows: OpenEpisodeRow[];
  details(ids: readonly string[]): Promise<Map<string, OpenEpisodeDetails>>;
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
async function openEpisodes(db: Kysely<DB>, s: AlertScope, higherIsBetter: boolean): Promise<OpenEpisodes> {
  const source = await alertsSource(db, s.as_of);
  return source === 'facts' ? openEpisodesFromFacts(db, s, higherIsBetter) : openEpisodesFromModel(db, s, source === 'model');
}

/**
 * Where the open episodes are read (metrics/source.ts `modelsAnswer`): from
 * `episode_instrument_outcomes` when the models are current and no score is dated after
 * as_of, so that the model's baseline and latest score are those on or before as_of
 * (an episode has one score per instrument and day, so "the worst of that day" is the
 * day's only score); else from the facts. `model_not_discharged` when, besides, no
 * episode in the models is discharged after as_of, so the open ones are those never
 * discharged.
 */
export async function alertsSource(db: Kysely<DB>, asOf: string): Promise<'model_not_discharged' | 'model' | 'facts'> {
  const { answer, settled } = await modelsAnswerSettled(db, ['scores_through'], asOf);
  if (!answer) return 'facts';
  return settled === null || settled <= asOf ? 'model_not_discharged' : 'model';
}

/**
 * One model row per open episode, with only what the rules read (the text columns of
 * 15k open episodes cost more to send than to find). Those never discharged come from
 * the partial index that holds every column read here, in episode order (an index-only
 * scan, no sort, once vacuum has marked the pages visible); those discharged after as_of,
 * when there can be any, from the (instrument, discharged_on) index, and the two are then
 * sorted together. The details of the alerting episodes are read by primary key.
 */
async function openEpisodesFromModel(db: Kysely<DB>, s: AlertScope, dischargedLater: boolean): Promise<OpenEpisodes> {
  const asOf = sql`${s.as_of}::date`;
  const part = (discharged: RawBuilder<unknown>) => sql`
    select o.episode_id, o.baseline_score as baseline, (o.baseline_on - o.admitted_on) as baseline_day,
      o.latest_score as latest, (o.latest_on - o.admitted_on) as day
    from episode_instrument_outcomes o
    where o.instrument = ${s.instrument} and ${discharged} and o.admitted_on <= ${asOf}
      and ${inTracks(sql`o.track_code`, s.track)}
      and ${s.clinician ? sql`o.clinician_id = any(${s.clinician}::text[])` : sql`true`}`;
  const r = dischargedLater
    ? await sql<OpenEpisodeRow>`
      select * from (${part(sql`o.discharged_on is null`)} union all ${part(sql`o.discharged_on > ${asOf}`)}) open
      order by episode_id`.execute(db)
    : await sql<OpenEpisodeRow>`${part(sql`o.discharged_on is null`)} order by o.episode_id`.execute(db);
  const details = async (ids: readonly string[]) => {
    if (ids.length === 0) return new Map<string, OpenEpisodeDetails>();
    const d = await sql<OpenEpisodeDetails>`
      select o.episode_id, o.track_code, o.clinician_id, o.admitted_on::text as admitted_on, o.baseline_on::text as baseline_on, o.latest_on::text as latest_on
      from episode_instrument_outcomes o
      where o.episode_id = any(${ids}::text[]) and o.instrument = ${s.instrument}`.execute(db);
    return new Map(d.rows.map((x) => [x.episode_id, x]));
  };
  return { rows: r.rows, details };
}

/** Two index probes on the scores per open episode. */
async function openEpisodesFromFacts(db: Kysely<DB>, s: AlertScope, higherIsBetter: boolean): Promise<OpenEpisodes> {
  const asOf = sql`${s.as_of}::date`;
  const worstFirst = higherIsBetter ? sql`a.total_score asc` : sql`a.total_score desc`;
  const r = await sql<OpenEpisodeRow & OpenEpisodeDetails>`
    select e.episode_id, e.track_code, e.clinician_id, e.admitted_on::text as admitted_on,
      b.score as baseline, b.on::text as baseline_on, (b.on - e.admitted_on) as baseline_day,
      l.score as latest, l.on::text as latest_on, (l.on - e.admitted_on) as day
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
  const byId = new Map(r.rows.map((x) => [x.episode_id, x]));
  return { rows: r.rows, details: async (ids) => new Map(ids.flatMap((id) => { const d = byId.get(id); return d ? [[id, d] as const] : []; })) };
}

/** The not-on-track list of `iop progress alerts` and GET /api/v1/progress/alerts. */
export async function progressAlerts(db: Kysely<DB>, fit: CurrentFit, s: AlertScope): Promise<ProgressAlertsResponse> {
  // One snapshot: the rows and the details of the alerting episodes are read from one state.
  const read = async (trx: Kysely<DB>) => {
    const open = await openEpisodes(trx, s, fit.instrument.higher_is_better);
    const opts = { cutoffs: fit.cutoffs, bandsInModel: fit.info.bands, expected: fit.expected, rc: fit.instrument.rc };
    const judgedAlerts: { row: OpenEpisodeRow & { baseline: number }; j: Judgement }[] = [];
    let judged = 0;
    let withoutFollowup = 0;
    for (const r of open.rows) {
      if (r.baseline === null || r.baseline_day === null) continue;
      // Only the baseline day is scored: the episode has no trajectory to judge yet.
      if (r.day <= r.baseline_day) {
        withoutFollowup++;
        continue;
      }
      judged++;
      const j = judge({ baseline: r.baseline, latest: r.latest, day: r.day }, opts);
      if (j.reasons.length > 0) judgedAlerts.push({ row: { ...r, baseline: r.baseline }, j });
    }
    const details = await open.details(judgedAlerts.map((a) => a.row.episode_id));
    const alerts: ProgressAlert[] = judgedAlerts.map(({ row: r, j }) => {
      const d = details.get(r.episode_id);
      if (!d) throw new Error(`episode ${r.episode_id} left the snapshot`);
      return {
        episode_id: r.episode_id, track_code: d.track_code, clinician_id: d.clinician_id, admitted_on: d.admitted_on,
        baseline: r.baseline, baseline_on: d.baseline_on, latest: r.latest, latest_on: d.latest_on, ...j,
      };
    });
    return { rows: open.rows.length, judged, withoutFollowup, alerts };
  };
  const a = db.isTransaction ? await read(db) : await db.transaction().setIsolationLevel('repeatable read').execute(read);
  return {
    instrument: fit.instrument,
    fit: fit.info,
    as_of: s.as_of,
    filters: { track: s.track ? [...s.track] : null, clinician: s.clinician ? [...s.clinician] : null },
    open_episodes_judged: a.judged,
    open_episodes_without_followup: a.withoutFollowup,
    open_episodes_without_baseline: a.rows - a.judged - a.withoutFollowup,
    alerts: a.alerts,
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
