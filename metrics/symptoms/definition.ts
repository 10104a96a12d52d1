import {
  BASELINE_FROM, BASELINE_TO, FOLLOWUP_AFTER_DISCHARGE, FOLLOWUP_MIN_GAP, LAST_WEEK, RESPONSE_FRACTION, SEVERITY_BAND_POINTS, SEVERITY_MAX_BANDS,
} from '../../warehouse/rules';
import { severityBands } from './bands';
import { AS_OF, daysFromAdmission, intervalWords, list, percent, suppressionText, weeksWords } from '../definition-text';
import { suppressionRule } from '../response';
import type { InstrumentRow } from './facts';

/** The rules of a symptoms response (docs/metrics.md "Symptom change"), with the instrument's parameters. */
function symptomsRules(ins: InstrumentRow, minCell: number) {
  return {
    instrument: ins.code,
    higher_is_better: ins.higher_is_better,
    clinical_cutoff: ins.clinical_cutoff,
    remission_below: ins.remission_below,
    baseline_window_days: [BASELINE_FROM, BASELINE_TO] as [number, number],
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
    improvement: '(recovered + improved) / paired: reliable improvement, with its Wilson CI',
    response: ins.higher_is_better ? 'not defined for instruments where higher is better' : `followup <= ${RESPONSE_FRACTION} * baseline`,
    response_fraction: RESPONSE_FRACTION,
    remission: ins.remission_below === null ? 'not defined: the instrument has no remission_below' : 'followup < remission_below',
    rates_ci: { level: 0.95, method: 'wilson', continuity_correction: false, denominator: 'paired episodes' },
    trajectory: { week: 'floor((administered_on - admitted_on) / 7)', weeks: [0, LAST_WEEK] as [number, number], unit: 'episodes (each contributes its mean score in the week, to 0.0001 point)', ci: '95% t-interval' },
    scatter: 'paired episodes counted per (baseline, followup); cells with n of 1 to min_cell - 1 dropped under suppression',
    scatter_bins: {
      bands: severityBands(ins.min_score, ins.max_score),
      band_points: SEVERITY_BAND_POINTS,
      max_bands: SEVERITY_MAX_BANDS,
      counts: 'paired episodes per (baseline band, followup band), every cell listed; a cell of 1 to min_cell - 1 is null, with a complementary cell when only one would be',
      source: 'PHQ-9 (Kroenke, Spitzer & Williams 2001) and GAD-7 (Spitzer et al. 2006) severity bands',
    },
    suppression: suppressionRule(minCell),
  };
}

function rcSource(ins: InstrumentRow): string {
  if (ins.reliable_change_points !== null) return 'reliable_change_points';
  if (ins.reliability === null) return 'none: the instrument has neither reliable_change_points nor reliability';
  return ins.norm_sd !== null ? 'reliability and norm_sd' : 'reliability and the sample SD of the paired baselines';
}

type SymptomsRules = ReturnType<typeof symptomsRules>;

/** The threshold RC in words, from the instrument's parameters in the rules object; null when there is none. */
function thresholdWords(rc: SymptomsRules['reliable_change']): string | null {
  if (rc.reliable_change_points !== null) return `${rc.reliable_change_points} points (the instrument’s published reliable change)`;
  if (rc.reliability === null) return null;
  const sd = rc.norm_sd !== null ? `the instrument’s norm SD of ${rc.norm_sd}` : 'the sample SD of the paired baselines';
  return `1.96 · SD · √2 · √(1 − ${rc.reliability}), with ${sd}`;
}

function reliableChangeWords(d: SymptomsRules): string {
  const rc = thresholdWords(d.reliable_change);
  if (rc === null) {
    return 'Reliable change (Jacobson & Truax 1991) is not defined for this instrument: it states neither a reliable change nor a reliability, so no change is classed.';
  }
  const cutoff = d.clinical_cutoff === null
    ? 'Recovered is not defined: the instrument has no clinical cutoff.'
    : `Recovered: a reliable improvement from a baseline ${d.higher_is_better ? 'below' : 'at or above'} the clinical cutoff of ${d.clinical_cutoff} to a follow-up on the healthy side of it.`;
  return `Reliable change (Jacobson & Truax 1991): a change of at least RC = ${rc}. ` +
    `At least RC in the improving direction (${d.higher_is_better ? 'a rise' : 'a fall'}) is a reliable improvement; at least RC the other way is a reliable deterioration. ${cutoff} ` +
    `The classes are exclusive: ${list(d.reliable_change.classes, 'and')}.`;
}

/** The symptom rules in plain sentences, each window and parameter read from the rules object. */
export function symptomsText(d: SymptomsRules) {
  const [from, to] = d.baseline_window_days;
  return {
    baseline: `Baseline: the first ${d.instrument} score from ${daysFromAdmission(from)} to ${daysFromAdmission(to)}.`,
    followup: `Follow-up: the last score at least ${d.followup_min_days_after_baseline} days after the baseline, up to ${d.followup_max_days_after_discharge} days after discharge (or ${AS_OF} while the episode is open). Paired episodes have both.`,
    completeness: 'Completeness = paired episodes / episodes with a baseline.',
    change: 'Change = follow-up − baseline; its mean carries a 95% t-interval, and Cohen’s d is the mean change over the sample SD of the paired baselines.',
    reliable_change: reliableChangeWords(d),
    improvement: 'Reliable improvement: the share of paired episodes that recovered or improved reliably, with its 95% Wilson interval.',
    response: d.higher_is_better ? 'Response is not defined for an instrument where higher is better.' : `Response: a follow-up at most ${percent(d.response_fraction)} of the baseline.`,
    remission: d.remission_below === null ? 'Remission is not defined: the instrument has no remission threshold.' : `Remission: a follow-up below ${d.remission_below}.`,
    rates_ci: `Rates are over the paired episodes, each with a ${intervalWords(d.rates_ci)}.`,
    trajectory: `Trajectory: the mean score in each week since admission (${weeksWords(d.trajectory.weeks)}), each episode contributing its mean score in the week, with a 95% t-interval.`,
    scatter: `Scatter: paired episodes counted per (baseline, follow-up) pair${d.suppression.min_cell > 1 ? `; pairs of fewer than ${d.suppression.min_cell} episodes are left out` : ''}.`,
    scatter_bins: `Binned counts: paired episodes per baseline band × follow-up band, the bands ${list(d.scatter_bins.bands.map(([a, b]) => `${a}–${b}`), 'and')} (bands of ${d.scatter_bins.band_points} points, at most ${d.scatter_bins.max_bands}: the PHQ-9 and GAD-7 severity bands); every cell is listed${d.suppression.min_cell > 1 ? `, and a cell of fewer than ${d.suppression.min_cell} episodes is withheld (with a second one when the total would give it back)` : ''}.`,
    suppression: suppressionText(d.suppression),
  };
}

/** The `definition` block of a symptoms response: the rules, and the same rules as `text`. */
export function symptomsDefinition(ins: InstrumentRow, minCell: number) {
  const rules = symptomsRules(ins, minCell);
  return { ...rules, text: symptomsText(rules) };
}

export type SymptomsTextPart = keyof ReturnType<typeof symptomsText>;
