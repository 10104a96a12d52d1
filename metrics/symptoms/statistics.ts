import { RESPONSE_FRACTION } from '../../warehouse/rules';
import { Cells, withSuppressed } from '../cells';
import { cohensD } from '../stats/effect-size';
import { classify, rcThreshold, type ChangeClass } from '../stats/reliable-change';
import { suppressCounts } from '../stats/suppression';
import { meanWithTInterval, summaryFromSums } from '../stats/t-interval';
import { bandIndex, severityBands } from './bands';
import type { ChangeClasses, ScatterBin, ScatterCell, SymptomsGroup, TrajectoryPoint } from '../types';
import type { InstrumentRow, PairCountRow, TrajectoryRow } from './facts';

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

/**
 * Paired episodes counted per (baseline band, follow-up band) of the instrument's severity bands, every
 * cell listed (zeros too). A cell of 1 to min_cell − 1 is null, and so is a second one when only one
 * would be, so that the paired total cannot give it back (complementary suppression).
 */
export function scatterBins(pairs: readonly PairCountRow[], ins: Pick<InstrumentRow, 'min_score' | 'max_score'>, paired: number | null, cells: Cells): ScatterBin[] {
  const bands = severityBands(ins.min_score, ins.max_score);
  const counts: Record<string, number> = {};
  for (let b = 0; b < bands.length; b++) for (let f = 0; f < bands.length; f++) counts[`${b}:${f}`] = 0;
  for (const p of pairs) {
    const k = `${bandIndex(bands, p.baseline)}:${bandIndex(bands, p.followup)}`;
    counts[k] = (counts[k] ?? 0) + p.n;
  }
  const hidden = suppressCounts(counts, paired, cells.minCell);
  if (hidden.size > 0) cells.hide('scatter_bins');
  return Object.entries(counts).map(([k, n]) => {
    const [b, f] = k.split(':').map(Number) as [number, number];
    return { baseline: bands[b] as [number, number], followup: bands[f] as [number, number], n: hidden.has(k) ? null : n };
  });
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
  if (!show) cells.hide('baseline_mean', 'followup_mean', 'change_mean', 'change_ci', 'cohens_d', 'classes', 'improvement_rate', 'improvement_ci', 'response_rate', 'response_ci', 'remission_rate', 'remission_ci', ...(rcFromSample ? ['rc_threshold'] : []));
  const counts = show ? classCounts(input.pairs, ins, rc) : null;
  const classes = show ? shownClasses(counts, ins, s.paired, cells) : shownClasses(null, ins, 0, cells);
  // Reliable improvement: recovered + improved over the paired episodes, with its Wilson CI (exact counts, then suppressed).
  // A withheld class would come back from the share and the classes shown (recovered + improved = rate × paired), so it hides the share too.
  const classHidden = (['recovered', 'improved', 'unchanged', 'deteriorated'] as const).some((c) => cells.isHidden(`classes.${c}`));
  if (counts !== null && classHidden) cells.hide('improvement_rate', 'improvement_ci');
  const improvement = counts !== null && !classHidden ? cells.rate(['improvement_rate', 'improvement_ci'], counts.recovered + counts.improved, s.paired) : { rate: null, ci: null };
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
    improvement_rate: improvement.rate, improvement_ci: improvement.ci,
    response_rate: response.rate, response_ci: response.ci,
    remission_rate: remission.rate, remission_ci: remission.ci,
    trajectory: trajectory(input.trajectory, cells),
    scatter: scatter(input.pairs, cells),
    scatter_bins: paired === null ? [] : scatterBins(input.pairs, ins, s.paired, cells),
  }, cells);
}
