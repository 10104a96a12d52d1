/**
 * Abstinence monitoring for one episode: a weekly urine drug screen for the primary substance
 * (with an `any` panel some weeks), a breathalyser for alcohol patients, and a self-report of
 * days used in the past 30 at intake and every four weeks.
 */
import type { DayFormatter } from './calendar';
import type { DischargeReason, Substance } from './catalog';
import type { LineSink } from './attendance';
import type { EpisodeFrame, Visit } from './schedule';
import { Rng, Weighted, clamp } from './prng';

export const ABSTINENCE_COLUMNS = [
  'patient_id', 'collected_on', 'method', 'substance', 'result', 'episode_id', 'prescribed', 'days_used_past_30',
];
const UNLINKED = 0.08;

type Pattern = 'steady' | 'early_use' | 'relapse';

/**
 * Use patterns: steady abstinence with rare slips; use in the first weeks, then abstinence;
 * abstinence, then a run of use (a relapse), more common in patients who leave early.
 */
const PATTERNS_ENGAGED = new Weighted<Pattern>([['steady', 0.6], ['early_use', 0.28], ['relapse', 0.12]]);
const PATTERNS_LEAVING = new Weighted<Pattern>([['steady', 0.25], ['early_use', 0.3], ['relapse', 0.45]]);
const LEAVING: ReadonlySet<DischargeReason> = new Set(['dropped_out', 'against_advice', 'terminated', 'incarcerated']);

/** Mean days used in the 30 days before admission, by substance (daily use is typical of opioids and cannabis). */
const INTAKE_DAYS_USED: Readonly<Record<Substance, number>> = {
  alcohol: 16, opioids: 22, stimulants: 13, cannabis: 21, benzodiazepines: 16,
};

export interface AbstinenceFrame extends EpisodeFrame {
  reason: DischargeReason;
  /** Opioid patients on buprenorphine, whose opioid screens may be positive as prescribed. */
  moud: boolean;
}

/** Whether the patient used in each week of the episode. */
function useByWeek(rng: Rng, f: AbstinenceFrame, weeks: number): boolean[] {
  const pattern = (LEAVING.has(f.reason) ? PATTERNS_LEAVING : PATTERNS_ENGAGED).draw(rng);
  const earlyWeeks = rng.int(1, 3);
  const lastWeek = Math.floor(f.lastAttended / 7);
  const relapseWeek = Math.max(1, LEAVING.has(f.reason) ? lastWeek - rng.int(0, 2) : rng.int(2, 9));
  const use: boolean[] = [];
  for (let w = 0; w < weeks; w++) {
    if (w === 0) use.push(rng.chance(pattern === 'early_use' ? 0.85 : 0.35));
    else if (pattern === 'early_use' && w < earlyWeeks) use.push(rng.chance(0.75));
    else if (pattern === 'relapse' && w >= relapseWeek) use.push(rng.chance(0.7));
    else use.push(rng.chance(0.04));
  }
  return use;
}

function visitInWeek(rng: Rng, visits: readonly Visit[], week: number): Visit | null {
  const inWeek = visits.filter((v) => v.offset >= 7 * week && v.offset < 7 * week + 7 && v.status !== 'cancelled');
  if (inWeek.length === 0) return null;
  return inWeek[rng.int(0, inWeek.length - 1)] ?? null;
}

function screenResult(rng: Rng, using: boolean, moud: boolean): [string, boolean] {
  const u = rng.next();
  if (u < 0.02) return ['refused', false];
  if (u < 0.03) return ['invalid', false];
  if (using) return rng.chance(0.9) ? ['positive', false] : ['negative', false];
  // Buprenorphine shows on some opioid panels; the site marks those results as prescribed.
  if (moud && rng.chance(0.5)) return ['positive', true];
  return ['negative', false];
}

export function writeAbstinence(sink: LineSink, rng: Rng, f: AbstinenceFrame, dates: DayFormatter): void {
  const row = (offset: number, method: string, substance: string, result: string, prescribed = false, days = ''): void => {
    const episode = rng.chance(UNLINKED) ? '' : f.episodeId;
    const date = dates.format(f.admitted + offset);
    sink.push(`${f.patientId},${date},${method},${substance},${result},${episode},${prescribed},${days}\n`);
  };
  const weeks = Math.floor(f.endOffset / 7) + 1;
  const use = useByWeek(rng, f, weeks);
  for (let week = 0; week < weeks; week++) {
    // The first screen is taken at the intake visit.
    const visit = week === 0 ? (f.visits[0] ?? null) : visitInWeek(rng, f.visits, week);
    if (!visit || visit.status === 'excused') continue;
    if (visit.status === 'no_show') {
      if (rng.chance(0.7)) row(visit.offset, 'uds', f.substance, 'missed');
      continue;
    }
    const using = use[week] ?? false;
    const [result, prescribed] = screenResult(rng, using, f.moud && f.substance === 'opioids');
    row(visit.offset, 'uds', f.substance, result, prescribed);
    const drugUse = using && f.substance !== 'alcohol';
    if (rng.chance(0.25)) row(visit.offset, 'uds', 'any', drugUse || rng.chance(0.05) ? 'positive' : 'negative');
    if (f.substance === 'alcohol') {
      const breath = rng.chance(0.01) ? 'refused' : using && rng.chance(0.35) ? 'positive' : 'negative';
      row(visit.offset, 'breath', 'alcohol', breath);
    }
  }
  writeSelfReports(rng, f, use, row);
}

function writeSelfReports(
  rng: Rng,
  f: AbstinenceFrame,
  use: readonly boolean[],
  row: (offset: number, method: string, substance: string, result: string, prescribed: boolean, days: string) => void,
): void {
  const report = (offset: number, days: number): void =>
    row(offset, 'self_report', f.substance, days > 0 ? 'positive' : 'negative', false, String(days));
  report(0, Math.round(clamp(rng.normal(INTAKE_DAYS_USED[f.substance], 7), 1, 30)));
  const last = Math.min(f.lastAttended, f.endOffset);
  for (let target = 28; target <= last; target += 28) {
    const visit = f.visits.find((v) => v.offset >= target && v.offset <= Math.min(target + 6, last) && v.status === 'attended');
    if (!visit) continue;
    const week = Math.floor(visit.offset / 7);
    const usedWeeks = [1, 2, 3, 4].filter((back) => use[week - back] ?? false).length;
    const days = usedWeeks === 0 ? (rng.chance(0.1) ? 1 : 0) : Math.round(clamp(usedWeeks * rng.normal(3, 1.5), 1, 30));
    report(visit.offset, days);
  }
}
