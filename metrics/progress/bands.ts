import { isClinical } from '../stats/reliable-change';

/**
 * Baseline-severity bands of docs/progress.md, by the instrument's own cutoffs, from
 * mildest to most severe. `clinical` is the clinical side of `clinical_cutoff` (as in
 * "Reliable change": ≥ cutoff when lower is better, < cutoff when higher is better);
 * `remission` is a baseline already below `remission_below` (lower-is-better
 * instruments only, as in "Remission"); `subclinical` is the rest.
 */
export const BANDS = ['remission', 'subclinical', 'clinical'] as const;
export type Band = (typeof BANDS)[number];

export interface BandCutoffs {
  readonly higher_is_better: boolean;
  readonly clinical_cutoff: number | null;
  readonly remission_below: number | null;
}

export function bandOf(baseline: number, ins: BandCutoffs): Band {
  if (ins.clinical_cutoff !== null && isClinical(baseline, ins.clinical_cutoff, ins.higher_is_better)) return 'clinical';
  if (!ins.higher_is_better && ins.remission_below !== null && baseline < ins.remission_below) return 'remission';
  return 'subclinical';
}

/** Whether the instrument has any cutoff to band by. */
export function hasBands(ins: BandCutoffs): boolean {
  return ins.clinical_cutoff !== null || (!ins.higher_is_better && ins.remission_below !== null);
}
