import { zFor } from './normal-z';

/**
 * Jacobson–Truax reliable-change threshold 1.96·SD·√2·√(1 − r) (Jacobson &
 * Truax 1991, with the √2 of Christensen & Mendoza 1986). Computed in the order
 * of CECPfuns `getRCIfromSDandAlpha`, with z = qnorm(0.975) as there.
 */
export function rcFromSd(sd: number, reliability: number, conf = 0.95): number {
  if (!(sd > 0)) throw new RangeError(`SD must be positive, got ${sd}`);
  if (!(reliability >= 0 && reliability < 1)) throw new RangeError(`reliability must be in [0, 1), got ${reliability}`);
  return zFor(conf) * Math.sqrt(2) * sd * Math.sqrt(1 - reliability);
}

export interface RcSource {
  /** The instrument's fixed RC in points; wins when set. */
  reliableChangePoints?: number | null;
  reliability?: number | null;
  /** Normative SD; when empty, the sample SD of the group's baselines is used. */
  normSd?: number | null;
  baselineSd?: number | null;
}

/** The RC threshold of docs/metrics.md "Symptom change", or null when it cannot be formed. */
export function rcThreshold(source: RcSource): number | null {
  const { reliableChangePoints, reliability, normSd, baselineSd } = source;
  if (reliableChangePoints !== null && reliableChangePoints !== undefined) return reliableChangePoints;
  const sd = normSd ?? baselineSd ?? null;
  if (reliability === null || reliability === undefined || sd === null || !(sd > 0)) return null;
  return rcFromSd(sd, reliability);
}

export type ChangeClass = 'recovered' | 'improved' | 'unchanged' | 'deteriorated';

export interface ClassifyInput {
  baseline: number;
  followup: number;
  rc: number;
  higherIsBetter: boolean;
  clinicalCutoff?: number | null;
}

/**
 * Whether a score is on the clinical side of the cutoff. docs/metrics.md: "≥ cutoff
 * when lower is better" (PHQ-9 ≥ 10 is caseness). For higher-is-better scales
 * the clinical side is strictly below the cutoff (e.g. WHO-5 raw < 13), so in
 * both directions a score equal to the cutoff counts as clinical only for
 * lower-is-better scales.
 */
export function isClinical(score: number, cutoff: number, higherIsBetter: boolean): boolean {
  return higherIsBetter ? score < cutoff : score >= cutoff;
}

/**
 * Jacobson–Truax class of one paired episode (docs/metrics.md "Symptom change"):
 * a change of at least RC in the improving direction is reliable improvement,
 * at least RC the other way reliable deterioration. Recovered = reliable
 * improvement from a clinical baseline to a non-clinical follow-up. Without a
 * cutoff there is no recovered class: every reliable improvement is improved.
 */
export function classify(input: ClassifyInput): ChangeClass {
  const { baseline, followup, rc, higherIsBetter, clinicalCutoff } = input;
  if (!(rc > 0)) throw new RangeError(`RC threshold must be positive, got ${rc}`);
  const improvement = higherIsBetter ? followup - baseline : baseline - followup;
  if (improvement <= -rc) return 'deteriorated';
  if (improvement < rc) return 'unchanged';
  if (clinicalCutoff === null || clinicalCutoff === undefined) return 'improved';
  const recovered =
    isClinical(baseline, clinicalCutoff, higherIsBetter) && !isClinical(followup, clinicalCutoff, higherIsBetter);
  return recovered ? 'recovered' : 'improved';
}
