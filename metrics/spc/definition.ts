import { MATURITY_GRACE_DAYS, PLANNED_WEEKS_DEFAULT, SPC_TARGET_DEFAULTS } from '../../warehouse/rules';
import { AS_OF, disclosureText, list, percent, suppressionText, type DefinitionText } from '../definition-text';
import { DISCLOSURE_RULE } from '../disclosure';
import { suppressionRule } from '../response';
import { D2 } from '../stats/spc';
import type { SpcPeriodBasis } from './periods';
import type { SpcSeries } from './series';

export interface SpcHorizon {
  days: number;
  rule: string;
  /** The planned length the horizon waited for (null for a series whose outcome does not take a stay). */
  planned_weeks: number | null;
}

/** The rules of an SPC chart (docs/metrics.md "SPC charts"): the series, the chart's formulas, the run rules, maturity, targets. */
function spcRules(series: SpcSeries, horizon: SpcHorizon, minCell: number, basis: SpcPeriodBasis) {
  return {
    series: series.name,
    source: series.source,
    numerator: series.numerator,
    denominator: series.denominator,
    period: basis === 'admission'
      ? 'admission period (month or quarter) of the episodes'
      : 'discharge period (month or quarter) of the episodes discharged on or before as_of; from and to bound the discharge date',
    // named only off the default, so an admission chart's block is as it was
    ...(basis === 'discharge' ? { period_basis: basis } : {}),
    chart: series.chart === 'p'
      ? { type: 'p', centre: 'sum of numerators / sum of denominators', limits: 'centre +/- 3 * sqrt(centre * (1 - centre) / denominator), clipped to [0, 1]', laney: `on request: sigma multiplied by the mean moving range of the z-scores / ${D2}` }
      : { type: 'i', centre: 'mean of the points', limits: `centre +/- 3 * mean moving range / ${D2} (2.66 * mean moving range)` },
    rules: {
      sigma: 'a point above the upper or below the lower limit',
      shift: 'longest run of points on one side of the centre line > round(log2(n_useful)) + 3; points on the centre line neither break nor count',
      crossings: 'crossings of the centre line < qbinom(0.05, n_useful - 1, 0.5)',
      source: 'Anhoej rules as in qicharts2 (Anhoej and Olesen 2014; Schilling 2012; Chen 2010)',
    },
    maturity: {
      horizon_days: horizon.days, rule: horizon.rule, planned_weeks: horizon.planned_weeks,
      planned_weeks_default: PLANNED_WEEKS_DEFAULT, grace_days: MATURITY_GRACE_DAYS,
      immature: basis === 'admission'
        ? 'listed in immature, never charted as points and never part of a signal'
        : 'the discharge period holding as_of, not yet ended, is partial: listed in immature, never charted as a point and never part of a signal',
    },
    target_defaults: { ...SPC_TARGET_DEFAULTS, source: 'SAMHSA TEDS-D 2004 discharges from intensive outpatient treatment; IOP_SPC_TARGETS overrides' },
    phases: 'each split date opens a phase at the first period that starts on or after it; centre, limits and runs are computed per phase',
    suppression: { ...suppressionRule(minCell), spc: 'a suppressed period is left out of the centre line, the limits and the runs analysis (qicharts2 exclude)' },
  };
}

/** The SPC rules in plain sentences, read from the rules object. */
function spcText(d: ReturnType<typeof spcRules>): DefinitionText {
  const targets = Object.entries(d.target_defaults).flatMap(([k, v]) => (typeof v === 'number' ? [`${k.replaceAll('-', ' ')} ${percent(v)}`] : []));
  return {
    series: d.period_basis === 'discharge'
      ? `Each point is one discharge period, the episodes discharged in it on or before ${AS_OF}: ${d.numerator} / ${d.denominator}.`
      : `Each point is one admission period: ${d.numerator} / ${d.denominator}.`,
    chart: d.chart.type === 'p'
      ? `A p-chart: the centre line is the sum of the numerators over the sum of the denominators; the limits are 3 standard errors either side, wider for a period with fewer episodes, and never below 0 or above 1. Laney’s p′ (on request) widens them by the spread of the points’ z-scores (mean moving range / ${D2}).`
      : `An I-chart: the centre line is the mean of the points; the limits are 2.66 mean moving ranges either side (3 × mean moving range / ${D2}).`,
    rules: 'A signal is a point outside the limits, a run of points on one side of the centre line longer than round(log2(n)) + 3, or fewer crossings of the centre line than qbinom(0.05, n − 1, 0.5), where n counts the points not on the line (the Anhøj rules, as qicharts2 applies them).',
    maturity: d.period_basis === 'discharge'
      ? `Periods are of discharge: the outcome is known on the day of discharge and cannot change later, so every period that has ended by ${AS_OF} is complete and enters the chart; the period not yet ended is partial, listed apart and never raises a signal.`
      : `A period enters the chart only when all its episodes could have reached the outcome by ${AS_OF}: ${d.maturity.horizon_days} days after it ends (${d.maturity.rule}; without a recorded planned length, ${d.maturity.planned_weeks_default} weeks + ${d.maturity.grace_days} days). Younger periods are listed apart and never raise a signal.`,
    target_defaults: `Default target lines, from SAMHSA TEDS-D 2004 discharges from intensive outpatient treatment: ${list(targets, 'and')}.`,
    phases: 'Each change date opens a phase at the first period that starts on or after it; the centre line, the limits and the runs are computed again within each phase.',
    suppression: `${suppressionText(d.suppression)} A suppressed period is left out of the centre line, the limits and the runs.`,
  };
}

/** The `definition` block of an SPC response: the rules, the same rules as `text`, and disclosure for roles below analyst. */
export function spcDefinition(series: SpcSeries, horizon: SpcHorizon, minCell: number, disclosure: boolean, basis: SpcPeriodBasis = 'admission') {
  const rules = spcRules(series, horizon, minCell, basis);
  const text = spcText(rules);
  if (!disclosure) return { ...rules, text };
  const rule = { ...DISCLOSURE_RULE, spc: 'the chart is computed from the rounded counts (I-charts: rounded n, mean to 1 decimal)' };
  return { ...rules, disclosure: rule, text: { ...text, disclosure: disclosureText(rule) } };
}
