import {
  BASELINE_FROM, BASELINE_TO, END_OF_TREATMENT_DAYS, ENGAGEMENT_DAYS, ENGAGEMENT_SESSIONS, INITIATION_DAYS, POSITIVE_REASONS,
} from '../../warehouse/rules';
import { FUNNEL_LEVELS, WINSORISE_SHARE, type Overdispersion } from '../stats/funnel';
import { IRLS_EPSILON, IRLS_MAX_ITERATIONS } from '../stats/logistic';
import { suppressionRule } from '../response';
import { MEASURES } from '../measures/registry';
import { DEFAULT_EXCLUDED, DEFAULT_WINDOW_OPEN } from '../measures/run';
import type { MetricFilters } from '../filters';
import { measureContext } from './measure-episodes';
import { isMeasureOutcome, type Adjuster, type CompareOutcome, type EpisodeOutcome } from './request';

/**
 * The `definition` block of a comparison (docs/comparisons.md), built from the rule
 * constants so that the response states the windows it applied.
 */
const OUTCOMES: Record<EpisodeOutcome, (remissionBelow: number | null, instrument: string) => Record<string, unknown>> = {
  completion: () => ({ denominator: 'episodes discharged by as_of', event: "discharge_reason = 'completed'" }),
  positive_discharge: () => ({ denominator: 'episodes discharged by as_of', event: `discharge_reason in (${POSITIVE_REASONS.join(', ')})` }),
  engagement: () => ({
    denominator: 'episodes admitted by as_of',
    event: `HEDIS IET engagement: an attended session on days 0-${INITIATION_DAYS}, then at least ${ENGAGEMENT_SESSIONS} more within ${ENGAGEMENT_DAYS} days of it`,
  }),
  remission: (remissionBelow, instrument) => ({
    denominator: `discharged episodes with a baseline and a follow-up ${instrument} score (docs/metrics.md "Symptom change")`,
    event: `follow-up < remission_below (${remissionBelow ?? 'not set'})`,
  }),
  abstinence: () => ({
    denominator: `discharged episodes with a counted test in their last ${END_OF_TREATMENT_DAYS} days`,
    event: `only negative tests in the last ${END_OF_TREATMENT_DAYS} days (refused and missed count as positive)`,
  }),
};

/**
 * A measure's outcome block: its denominator and numerator labels, and the measure's own
 * definition (windows, code lists, options) as `iop measures` states it.
 */
function measureOutcome(outcome: CompareOutcome, f: MetricFilters): Record<string, unknown> {
  const spec = isMeasureOutcome(outcome) ? MEASURES[outcome] : undefined;
  if (!spec) throw new Error(`measure ${outcome} is not registered`);
  const excluded = spec.excludedLabel ?? DEFAULT_EXCLUDED;
  const windowOpen = spec.windowOpenLabel ?? DEFAULT_WINDOW_OPEN;
  return {
    measure: spec.name,
    source: spec.source,
    denominator: `the measure's denominator: its initial population less the episodes labelled ${excluded} or ${windowOpen} (counted in notes.excluded and notes.window_open)`,
    event: `the episode's label is ${spec.numerator.join(' or ')}`,
    index_dates: 'from and to select the index dates, as iop measures does (docs/measures.md)',
    definition: spec.definition(measureContext(f)),
  };
}

function outcomeDefinition(outcome: CompareOutcome, f: MetricFilters, remissionBelow: number | null): Record<string, unknown> {
  return isMeasureOutcome(outcome) ? measureOutcome(outcome, f) : OUTCOMES[outcome](remissionBelow, f.instrument);
}

export function adjustedDefinition(o: {
  outcome: CompareOutcome; filters: MetricFilters; remissionBelow: number | null; adjustFor: readonly Adjuster[];
  overdispersion: Overdispersion; minCell: number;
}): Record<string, unknown> {
  const instrument = o.filters.instrument;
  return {
    outcome: outcomeDefinition(o.outcome, o.filters, o.remissionBelow),
    covariates: {
      baseline: `first ${instrument} score on days ${BASELINE_FROM}..${BASELINE_TO} of the episode; episodes without one are left out (notes.without_baseline)`,
      age: 'admission year - birth year, in years; episodes without a birth year are left out (notes.without_age)',
      sex: 'categorical, missing = unknown',
      substance: 'primary substance, categorical, missing = unknown',
      used: o.adjustFor,
      coding: 'treatment contrasts, the first level in code-point order as the reference (R contr.treatment)',
    },
    model: {
      method: 'logistic regression by IRLS (maximum likelihood), as R glm(family = binomial)',
      convergence: `|dev - dev_old| / (|dev| + 0.1) < ${IRLS_EPSILON}, at most ${IRLS_MAX_ITERATIONS} iterations`,
      std_error: 'square roots of the diagonal of the inverse Fisher information',
      p: 'two-sided Wald test, normal reference',
      c_statistic: 'area under the ROC curve of the fitted probabilities, ties counted 1/2',
    },
    expected: 'E = sum of the fitted probabilities of a unit\'s episodes; O/E with the exact Poisson 95% CI of O, divided by E',
    funnel: {
      source: 'Spiegelhalter 2005; FunnelPlotR (data_type SR)',
      levels: FUNNEL_LEVELS,
      limits: 'exact Poisson limits of O/E around 1 at each E',
      overdispersion: o.overdispersion,
      z_scores: `(sqrt(O/E) - 1) * 2 sqrt(E), Winsorised at ${WINSORISE_SHARE * 100}% at each end`,
      phi: 'mean of the squared Winsorised z-scores',
      tau2: 'DerSimonian-Laird: max(0, (n phi - (n - 1)) / (sum w - sum w^2 / sum w)), w = 4E',
      multiplicative: '(1 +/- z sqrt(phi) / (2 sqrt(E)))^2',
      additive: '(1 +/- z sqrt(1 / (4E) + tau2))^2',
      no_overdispersion: 'when phi <= 1 the Poisson limits stand',
    },
    suppression: suppressionRule(o.minCell),
  };
}

export function equityDefinition(outcome: CompareOutcome, f: MetricFilters, remissionBelow: number | null, minCell: number): Record<string, unknown> {
  return {
    outcome: outcomeDefinition(outcome, f, remissionBelow),
    rate: 'events / n with the Wilson 95% interval (unadjusted)',
    reference: 'the largest group with a known value (ties: first in code-point order)',
    ratio: 'rate / reference rate, with the Katz log 95% interval exp(log RR +/- z sqrt(1/x1 - 1/n1 + 1/x0 - 1/n0))',
    suppression: suppressionRule(minCell),
  };
}
