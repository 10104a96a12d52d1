import { summarize } from './t-interval';

export interface Pair {
  baseline: number;
  followup: number;
}

/**
 * Cohen's d for pre–post change as docs/metrics.md defines it: mean change divided
 * by the sample SD (n − 1) of the baselines (Cohen 1988, the "SD of the pretest"
 * variant). Null when either is missing or the SD is 0.
 */
export function cohensD(meanChange: number | null, baselineSd: number | null): number | null {
  if (meanChange === null || baselineSd === null || !(baselineSd > 0)) return null;
  return meanChange / baselineSd;
}

/** Cohen's d from paired scores; change = follow-up − baseline. */
export function cohensDFromPairs(pairs: readonly Pair[]): number | null {
  const change = summarize(pairs.map((p) => p.followup - p.baseline));
  const baseline = summarize(pairs.map((p) => p.baseline));
  return cohensD(change.mean, baseline.sd);
}
