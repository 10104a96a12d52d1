import { MATURITY_GRACE_DAYS, PLANNED_WEEKS_DEFAULT, SPC_TARGET_DEFAULTS } from '../../warehouse/rules';
import { DISCLOSURE_RULE } from '../disclosure';
import { suppressionRule } from '../response';
import { D2 } from '../stats/spc';
import type { SpcSeries } from './series';

/** The `definition` block of an SPC response (docs/metrics.md "SPC charts"): the series, the chart's formulas, the rules and the maturity horizon. */
export function spcDefinition(series: SpcSeries, horizon: { days: number; rule: string; planned_weeks: number | null }, minCell: number, disclosure: boolean): Record<string, unknown> {
  return {
    series: series.name,
    source: series.source,
    numerator: series.numerator,
    denominator: series.denominator,
    period: 'admission period (month or quarter) of the episodes',
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
      immature: 'listed in immature, never charted as points and never part of a signal',
    },
    target_defaults: { ...SPC_TARGET_DEFAULTS, source: 'SAMHSA TEDS-D 2004 discharges from intensive outpatient treatment; IOP_SPC_TARGETS overrides' },
    phases: 'each split date opens a phase at the first period that starts on or after it; centre, limits and runs are computed per phase',
    suppression: { ...suppressionRule(minCell), spc: 'a suppressed period is left out of the centre line, the limits and the runs analysis (qicharts2 exclude)' },
    ...(disclosure ? { disclosure: { ...DISCLOSURE_RULE, spc: 'the chart is computed from the rounded counts (I-charts: rounded n, mean to 1 decimal)' } } : {}),
  };
}
