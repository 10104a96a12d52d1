import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { Cells, withSuppressed } from '../cells';
import type { MetricFilters } from '../filters';
import { buildGroups, echoFilters, respond, suppressionRule } from '../response';
import { groupSizes } from '../sql/groups';
import { symptomsFromModel } from './model';
import type { MetricSource } from '../source';
import {
  BASELINE_FROM, BASELINE_TO, baselineCounts, FOLLOWUP_AFTER_DISCHARGE, FOLLOWUP_MIN_GAP, instrument, pairCounts,
  TRAJECTORY_LAST_WEEK, trajectorySums, type InstrumentRow, type PairCountRow, type TrajectoryRow,
} from './facts';
import { cohensD } from '../stats/effect-size';
import { classify, rcThreshold, type ChangeClass } from '../stats/reliable-change';
import { meanWithTInterval, summaryFromSums } from '../stats/t-interval';
import type { ChangeClasses, MetricResponse, ScatterCell, SymptomsGroup, TrajectoryPoint } from '../types';

/** METRICS.md "Response": follow-up at most this share of the baseline. */
export const RESPONSE_FRACTION = 0.5;

export function symptomsDefinition(ins: InstrumentRow, minCell: number): Record<string, unknown> {
  return {
    instrument: ins.code,
    higher_is_better: ins.higher_is_better,
    clinical_cutoff: ins.clinical_cutoff,
    remission_below: ins.remission_below,
    baseline_window_days: [BASELINE_FROM, BASELINE_TO],
    baseline: 'the first score from admission - 14 days to admission + 7 days',
    followup_min_days_after_baseline: FOLLOWUP_MIN_GAP,
    followup_max_days_after_discharge: FOLLOWUP_AFTER_DISCHARGE,
    followup: 'the last score >= 14 days after the baseline, up to discharge + 14 days (or as_of)',
    completeness: 'paired / with_baseline',
    change: 'followup - baseline; mean with a 95% t-interval',
    cohens_d: 'mean change / sample SD (n - 1) of the paired episodes\' baselines',
    reliable_change: {
      source: 'Jacobson & Truax 1991',
      rc_source: rcSource(ins),
      reliable_change_points: ins.reliable_change_points,
      reliability: ins.reliability,
      norm_sd: ins.norm_sd,
      formula: '1.96 * SD * sqrt(2) * sqrt(1 - reliability), z = qnorm(0.975)',
      classes: ['recovered', 'improved', 'unchanged', 'deteriorated'],
      recovered: 'reliable improvement from the clinical side of clinical_cutoff (>= cutoff when lower is better) to the healthy side',
    },
    response: ins.higher_is_better ? 'not defined for instruments where higher is better' : `followup <= ${RESPONSE_FRACTION} * baseline`,
    response_fraction: RESPONSE_FRACTION,
    remission: ins.remission_below === null ? 'not defined: the instrument has no remission_below' : 'followup < remission_below',
    rates_ci: { level: 0.95, method: 'wilson', continuity_correction: false, denominator: 'paired episodes' },
    trajectory: { week: 'floor((administered_on - admitted_on) / 7)', weeks: [0, TRAJECTORY_LAST_WEEK], unit: 'episodes (each contributes its mean score in the week, to 0.0001 point)', ci: '95% t-interval' },
    scatter: 'paired episodes counted per (baseline, followup); cells with n of 1 to min_cell - 1 dropped under suppression',
    suppression: suppressionRule(minCell),
  };
}

function rcSource(ins: InstrumentRow): string {
  if (ins.reliable_change_points !== null) return 'reliable_change_points';
  if (ins.reliability === null) return 'none: the instrument has neither reliable_change_points nor reliability';
  return ins.norm_sd !== null ? 'reliability and norm_sd' : 'reliability and the sample SD of the paired baselines';
}

interface PairSums {
  paired: number;
  baseline: ReturnType<typeof summaryFromSums>;
  followup: ReturnType<typeof summaryFromSums>;
  change: ReturnType<typeof summaryFromSums>;
}

function pairSums(pairs: readonly PairCountRow[]): PairSums {
  let n = 0; let b = 0; let b2 = 0; let fu = 0; let f2 = 0; let c = 0; let c2 = 0;
  for (const p of pairs) {
    const d = p.followup - p.baseline;
    n += p.n; b += p.n * p.baseline; b2 += p.n * p.baseline ** 2; fu += p.n * p.followup; f2 += p.n * p.followup ** 2;
    c += p.n * d; c2 += p.n * d * d;
  }
  return { paired: n, baseline: summaryFromSums(n, b, b2), followup: summaryFromSums(n, fu, f2), change: summaryFromSums(n, c, c2) };
}

function classCounts(pairs: readonly PairCountRow[], ins: InstrumentRow, rc: number | null): Record<ChangeClass, number> | null {
  if (rc === null || !(rc > 0)) return null;
  const counts: Record<ChangeClass, number> = { recovered: 0, improved: 0, unchanged: 0, deteriorated: 0 };
  for (const p of pairs) {
    counts[classify({ baseline: p.baseline, followup: p.followup, rc, higherIsBetter: ins.higher_is_better, clinicalCutoff: ins.clinical_cutoff })] += p.n;
  }
  return counts;
}

function shownClasses(counts: Record<ChangeClass, number> | null, ins: InstrumentRow, paired: number, cells: Cells): ChangeClasses {
  if (counts === null) return { recovered: null, improved: null, unchanged: null, deteriorated: null };
  const { improved, unchanged, deteriorated } = counts;
  const row = ins.clinical_cutoff === null ? { improved, unchanged, deteriorated } : counts;
  const shown = cells.row('classes', row, paired);
  return {
    recovered: ins.clinical_cutoff === null ? null : shown.recovered ?? null,
    improved: shown.improved ?? null,
    unchanged: shown.unchanged ?? null,
    deteriorated: shown.deteriorated ?? null,
  };
}

function countWhere(pairs: readonly PairCountRow[], pred: (p: PairCountRow) => boolean): number {
  return pairs.reduce((s, p) => s + (pred(p) ? p.n : 0), 0);
}

function trajectory(rows: readonly TrajectoryRow[], cells: Cells): TrajectoryPoint[] {
  const out = [...rows].sort((a, b) => a.week - b.week).map((r) => {
    if (cells.isSmall(r.n)) return { week: r.week, n: null, mean: null, lower: null, upper: null };
    const ci = meanWithTInterval(summaryFromSums(r.n, r.sum, r.sum_sq));
    return { week: r.week, n: r.n, mean: ci.mean, lower: ci.lower, upper: ci.upper };
  });
  if (out.some((p) => p.n === null)) cells.hide('trajectory');
  return out;
}

function scatter(pairs: readonly PairCountRow[], cells: Cells): ScatterCell[] {
  const kept = pairs.filter((p) => !cells.isSmall(p.n)).map(({ baseline, followup, n }) => ({ baseline, followup, n }))
    .sort((a, b) => a.baseline - b.baseline || a.followup - b.followup);
  if (kept.length < pairs.length) cells.hide('scatter');
  return kept;
}

export interface SymptomsInput {
  pairs: readonly PairCountRow[];
  withBaseline: number;
  trajectory: readonly TrajectoryRow[];
}

export function symptomsGroup(input: SymptomsInput, ins: InstrumentRow, key: SymptomsGroup['key'], n: number, minCell: number): SymptomsGroup {
  const cells = new Cells(minCell);
  const s = pairSums(input.pairs);
  const with_baseline = cells.count('with_baseline', input.withBaseline);
  const paired = cells.count('paired', s.paired);
  const completeness = with_baseline === null || paired === null
    ? (cells.hide('completeness'), null)
    : cells.rate(['completeness'], s.paired, input.withBaseline).rate;
  const show = paired !== null;
  const changeCi = meanWithTInterval(s.change);
  const d = cohensD(s.change.mean, s.baseline.sd);
  const rc = rcThreshold({ reliableChangePoints: ins.reliable_change_points, reliability: ins.reliability, normSd: ins.norm_sd, baselineSd: s.baseline.sd });
  const rcFromSample = ins.reliable_change_points === null && ins.norm_sd === null;
  if (!show) cells.hide('baseline_mean', 'followup_mean', 'change_mean', 'change_ci', 'cohens_d', 'classes', 'response_rate', 'response_ci', 'remission_rate', 'remission_ci', ...(rcFromSample ? ['rc_threshold'] : []));
  const classes = show ? shownClasses(classCounts(input.pairs, ins, rc), ins, s.paired, cells) : shownClasses(null, ins, 0, cells);
  const responders = countWhere(input.pairs, (p) => p.followup <= RESPONSE_FRACTION * p.baseline);
  const response = show && !ins.higher_is_better ? cells.rate(['response_rate', 'response_ci'], responders, s.paired) : { rate: null, ci: null };
  const remitted = ins.remission_below === null ? 0 : countWhere(input.pairs, (p) => p.followup < (ins.remission_below ?? -Infinity));
  const remission = show && ins.remission_below !== null ? cells.rate(['remission_rate', 'remission_ci'], remitted, s.paired) : { rate: null, ci: null };
  return withSuppressed({
    key, n, with_baseline, paired, completeness,
    baseline_mean: show ? s.baseline.mean : null,
    followup_mean: show ? s.followup.mean : null,
    change_mean: show ? s.change.mean : null,
    change_ci: show && changeCi.lower !== null && changeCi.upper !== null ? [changeCi.lower, changeCi.upper] : null,
    cohens_d: show ? d : null,
    rc_threshold: show || !rcFromSample ? rc : null,
    classes,
    response_rate: response.rate, response_ci: response.ci,
    remission_rate: remission.rate, remission_ci: remission.ci,
    trajectory: trajectory(input.trajectory, cells),
    scatter: scatter(input.pairs, cells),
  }, cells);
}

export class UnknownInstrumentError extends Error {
  override name = 'UnknownInstrumentError';
}

/** METRICS.md "Symptom change", one instrument per request. */
export async function symptoms(db: Kysely<DB>, f: MetricFilters, minCell: number, source: MetricSource = 'facts'): Promise<MetricResponse<'symptoms'>> {
  const ins = await instrument(db, f.instrument);
  if (!ins) throw new UnknownInstrumentError(`unknown instrument ${f.instrument}`);
  const [sizes, pairs, baselines, traj] = source === 'model'
    ? await symptomsFromModel(db, f).then((m) => [m.sizes, m.pairs, m.baselines, m.trajectory] as const)
    : await Promise.all([groupSizes(db, f), pairCounts(db, f), baselineCounts(db, f), trajectorySums(db, f)]);
  const pairsBy = bucket(pairs);
  const trajBy = bucket(traj);
  const baseBy = new Map(baselines.map((r) => [r.grp, r.with_baseline]));
  const groups = buildGroups(f, minCell, sizes, (grp, key, n) =>
    symptomsGroup({ pairs: pairsBy.get(grp) ?? [], withBaseline: baseBy.get(grp) ?? 0, trajectory: trajBy.get(grp) ?? [] }, ins, key, n, minCell));
  return respond({ metric: 'symptoms', filters: f, minCell, echo: echoFilters(f, { instrument: f.instrument }), definition: symptomsDefinition(ins, minCell), groups });
}

export function bucket<T extends { grp: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.grp);
    if (list) list.push(r);
    else out.set(r.grp, [r]);
  }
  return out;
}
