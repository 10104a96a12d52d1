/**
 * PHQ-9 scores after discharge, about 6 and 12 months after admission (a phone or clinic
 * follow-up, as the depression measures need: docs/measures.md "Depression remission and
 * response"). Drawn from a stream of their own (FOLLOWUP_SCORE_STREAM, keyed by the
 * episode index), so adding them left every other stream, and every other row, as it was.
 * Written without episode_id: ingest links a score to no episode, or to the patient's
 * readmission when it falls in that episode's window.
 */
import type { LineSink } from './attendance';
import type { DayFormatter } from './calendar';
import { Rng, clamp } from './prng';
import type { Trajectory } from './scores';

export const FOLLOWUP_SCORE_STREAM = 4;
/** Shares of discharged episodes with a follow-up PHQ-9 near 6 and near 12 months (many programs reach about half). */
const REACHED = { 6: 0.55, 12: 0.4 } as const;
/** Days between admission and the follow-up: months × 30.4, give or take up to 45 days. */
const SPREAD_DAYS = 45;
/** Follow-ups start this many days after discharge at the earliest. */
const AFTER_DISCHARGE_DAYS = 14;
/** Extra drift after treatment: a sustained gain for most, relapse for some (points, sd). */
const DRIFT_SD = 3.5;
/** The share of the end-of-treatment score left months later, on average (gains keep growing after IOP for many). */
const LATER_SHARE = 0.7;

export interface FollowupFrame {
  patientId: string;
  admitted: number;
  /** The discharge day; open episodes get no follow-up. */
  discharged: number | null;
  phq9: Trajectory;
  /** The last day a follow-up may fall on: the day before as-of, or before a readmission's linking window. */
  until: number;
}

export function writeFollowupScores(sink: LineSink, seed: number, index: number, f: FollowupFrame, dates: DayFormatter): void {
  if (f.discharged === null) return;
  const rng = new Rng(seed, FOLLOWUP_SCORE_STREAM, index);
  const relapse = rng.normal(0, DRIFT_SD);
  for (const months of [6, 12] as const) {
    const reached = rng.chance(REACHED[months]);
    const offset = Math.round(months * 30.4) + rng.int(-SPREAD_DAYS, SPREAD_DAYS);
    const day = f.admitted + offset;
    const noise = rng.normal(0, f.phq9.noise);
    if (!reached || day <= f.discharged + AFTER_DISCHARGE_DAYS || day > f.until) continue;
    const mean = (f.phq9.baseline - f.phq9.change) * LATER_SHARE + relapse * (months / 12);
    const total = Math.round(clamp(mean + noise, 0, f.phq9.max));
    sink.push(`${f.patientId},PHQ-9,${dates.format(day)},${total},${','.repeat(9)}\n`);
  }
}
