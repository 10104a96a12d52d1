import {
  BASELINE_FROM, BASELINE_TO, FOLLOWUP_AFTER_DISCHARGE, FOLLOWUP_MIN_GAP, LAST_WEEK, RESPONSE_FRACTION,
} from '../../warehouse/rules';
import { suppressionRule } from '../response';
import type { InstrumentRow } from './facts';

/** The `definition` block of a symptoms response (docs/metrics.md "Symptom change"), with the instrument's parameters. */
export function symptomsDefinition(ins: InstrumentRow, minCell: number): Record<string, unknown> {
  return {
    instrument: ins.code,
    higher_is_better: ins.higher_is_better,
    clinical_cutoff: ins.clinical_cutoff,
    remission_below: ins.remission_below,
    baseline_window_days: [BASELINE_FROM, BASELINE_TO],
    baseline: `the first score from admission - ${-BASELINE_FROM} days to admission + ${BASELINE_TO} days`,
    followup_min_days_after_baseline: FOLLOWUP_MIN_GAP,
    followup_max_days_after_discharge: FOLLOWUP_AFTER_DISCHARGE,
    followup: `the last score >= ${FOLLOWUP_MIN_GAP} days after the baseline, up to discharge + ${FOLLOWUP_AFTER_DISCHARGE} days (or as_of)`,
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
    trajectory: { week: 'floor((administered_on - admitted_on) / 7)', weeks: [0, LAST_WEEK], unit: 'episodes (each contributes its mean score in the week, to 0.0001 point)', ci: '95% t-interval' },
    scatter: 'paired episodes counted per (baseline, followup); cells with n of 1 to min_cell - 1 dropped under suppression',
    suppression: suppressionRule(minCell),
  };
}

function rcSource(ins: InstrumentRow): string {
  if (ins.reliable_change_points !== null) return 'reliable_change_points';
  if (ins.reliability === null) return 'none: the instrument has neither reliable_change_points nor reliability';
  return ins.norm_sd !== null ? 'reliability and norm_sd' : 'reliability and the sample SD of the paired baselines';
}
