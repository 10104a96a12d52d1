import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { SPC_TARGET_DEFAULTS } from '../../warehouse/rules';
import { roundToBase } from '../disclosure';
import { checkFiltersInWarehouse, echoListFilters } from '../filters';
import { MetricFilterError } from '../index';
import { isSmall } from '../stats/suppression';
import { spc, type SpcPointInput } from '../stats/spc';
import { spcDefinition } from './definition';
import type { SpcFilters } from './filters';
import { addDays, binByPeriod, periodsBetween, type PeriodSpan } from './periods';
import { SPC_SERIES_NAMES, type SpcImmature, type SpcPhaseOut, type SpcPointOut, type SpcResponse, type SpcSeriesName } from './schema';
import { dischargesByDay, longestPlannedWeeks } from './facts';
import { horizonOf, periodBasisProblem, SPC_SERIES, type PeriodCounts, type SpcSeries } from './series';

export { DISCHARGE_BASIS_SERIES, SPC_SERIES, SpcSeriesError } from './series';
export { SPC_PERIOD_BASES, type SpcPeriodBasis } from './periods';
export { parseSpcFilters, SpcFiltersSchema, type SpcFilters } from './filters';
export { SpcResponseSchema, SPC_SERIES_NAMES, type SpcResponse, type SpcSeriesName } from './schema';

export function isSpcSeries(name: string): name is SpcSeriesName {
  return (SPC_SERIES_NAMES as readonly string[]).includes(name);
}

export interface SpcOptions {
  /** The suppression threshold, already settled for the caller's role. */
  minCell: number;
  /** Target lines by series (config.spcTargets, IOP_SPC_TARGETS). */
  targets: Readonly<Record<string, number>>;
  /** Roles below analyst: counts rounded to base 5 before the chart is computed (metrics/disclosure.ts). */
  disclosure?: boolean;
}

interface Period extends PeriodSpan {
  counts: PeriodCounts;
  maturesOn: string;
}

/** A point's counts hide when any of numerator, its complement or the denominator is 1…min_cell−1 (metrics/cells.ts `rate`). */
function isSuppressed(series: SpcSeries, c: PeriodCounts, minCell: number): boolean {
  if (series.chart === 'i') return isSmall(c.den, minCell);
  return isSmall(c.num, minCell) || isSmall(c.den - c.num, minCell) || isSmall(c.den, minCell);
}

/**
 * What is published of a period: for roles below analyst the counts are rounded to base 5
 * and a mean to one decimal (metrics/disclosure.ts), before any figure is computed from them.
 */
function published(series: SpcSeries, c: PeriodCounts, disclosure: boolean): { input: PeriodCounts; numerator: number | null; denominator: number; value: number | null } {
  if (series.chart === 'i') {
    const den = disclosure ? roundToBase(c.den) : c.den;
    const mean = c.den > 0 ? c.num / c.den : null;
    const value = mean === null || den === 0 ? null : disclosure ? Number(mean.toFixed(1)) : mean;
    return { input: { num: value ?? 0, den: value === null ? 0 : 1 }, numerator: null, denominator: den, value };
  }
  const den = disclosure ? roundToBase(c.den) : c.den;
  const num = disclosure ? Math.min(den, roundToBase(c.num)) : c.num;
  return { input: { num, den }, numerator: num, denominator: den, value: den > 0 ? num / den : null };
}

/** The first and last period of the chart: from `from` (else the first admission period with data) to `to` or as_of. */
function chartSpan(f: SpcFilters, counts: Map<string, PeriodCounts>): [string, string] | null {
  const last = f.metric.to !== null && f.metric.to < f.metric.as_of ? f.metric.to : f.metric.as_of;
  if (f.metric.from !== null) return [f.metric.from, last];
  const labels = [...counts.keys()].sort();
  const first = labels[0];
  if (first === undefined) return null;
  // a label's first day: 'YYYY-MM' or 'YYYY-Qn'
  const start = f.period === 'month' ? `${first}-01` : `${first.slice(0, 4)}-${String(3 * Number(first.slice(6)) - 2).padStart(2, '0')}-01`;
  return [start, last];
}

/** Phase starts (indexes into the mature points) of the split dates; a split that opens no phase is noted. */
function phaseStarts(points: readonly Period[], split: readonly string[], notes: string[]): { starts: number[]; dates: Map<number, string> } {
  const dates = new Map<number, string>();
  for (const d of split) {
    const i = points.findIndex((p) => p.start >= d);
    if (i <= 0 || dates.has(i)) {
      notes.push(`split ${d} opens no phase: ${i === 0 ? 'it is on or before the first period' : i < 0 ? 'no mature period starts on or after it' : 'another split opens the same period'}`);
      continue;
    }
    dates.set(i, d);
  }
  return { starts: [...dates.keys()].sort((a, b) => a - b), dates };
}

/**
 * An SPC chart of one series (docs/metrics.md "SPC charts"): the series' counts per admission period from
 * its metric family, the immature periods set apart, small cells suppressed (and left out
 * of every statistic, as qicharts2's `exclude`), then the engine of metrics/stats/spc.ts
 * over the mature periods with the phases of the split dates. The CLI and the API share it.
 */
export async function computeSpc(db: Kysely<DB>, name: SpcSeriesName, f: SpcFilters, opts: SpcOptions): Promise<SpcResponse> {
  const series = SPC_SERIES[name];
  const basisProblem = periodBasisProblem(series, f.period_basis);
  if (basisProblem) throw new MetricFilterError({ error: `Invalid SPC filter: ${basisProblem.param}: ${basisProblem.message}`, details: [basisProblem] });
  const problem = await checkFiltersInWarehouse(db, f.metric, name === 'remission');
  if (problem) throw new MetricFilterError(problem);
  const byDischarge = f.period_basis === 'discharge' ? series.atDischarge : null;
  const [counts, plannedWeeks] = await Promise.all([
    byDischarge ? dischargesByDay(db, f.metric).then((rows) => binByPeriod(rows, (r) => r.day, f.period, byDischarge)) : series.counts(db, f.metric),
    !byDischarge && series.horizon === 'episode' ? longestPlannedWeeks(db, f.metric) : null,
  ]);
  const horizon = horizonOf(series, plannedWeeks, f.period_basis);
  const disclosure = opts.disclosure === true;
  const notes: string[] = [];

  const span = chartSpan(f, counts);
  const all: Period[] = span === null ? [] : periodsBetween(span[0], span[1], f.period).map((p) => ({
    ...p, counts: counts.get(p.period) ?? { num: 0, den: 0 }, maturesOn: addDays(p.end, horizon.days),
  }));
  const mature = all.filter((p) => p.maturesOn <= f.metric.as_of);
  const young = all.filter((p) => p.maturesOn > f.metric.as_of);
  if (young.length > 0) {
    notes.push(byDischarge
      ? `${young[0]?.period ?? ''} has not ended by as_of: its discharges so far are a partial ${f.period}, listed in immature, not charted`
      : `${young.length} ${f.period === 'month' ? 'month' : 'quarter'}(s) from ${young[0]?.period ?? ''} are immature: their episodes cannot all have reached the outcome by as_of (${horizon.rule}); they are listed in immature, not charted`);
  }

  const shown = mature.map((p) => ({ p, hidden: isSuppressed(series, p.counts, opts.minCell), pub: published(series, p.counts, disclosure) }));
  const { starts, dates } = phaseStarts(mature, f.split, notes);
  const inputs: SpcPointInput[] = shown.map(({ p, pub }) => ({ x: p.period, ...pub.input }));
  const exclude = shown.flatMap((s, i) => (s.hidden ? [i] : []));
  const result = spc(inputs, { chart: series.chart, laney: f.laney, phaseStarts: starts, exclude });
  if (f.laney && series.chart === 'i') notes.push('laney applies to p-charts only; this I-chart ignores it');
  if (exclude.length > 0) notes.push(`${exclude.length} period(s) with a small count are suppressed and left out of the centre line, the limits and the runs analysis`);

  const points: SpcPointOut[] = shown.map(({ p, hidden, pub }, i) => {
    const r = result.points[i];
    return {
      period: p.period, start: p.start, end: p.end,
      numerator: hidden ? null : pub.numerator, denominator: hidden ? null : pub.denominator, value: hidden ? null : pub.value,
      phase: r?.phase ?? 1, cl: r?.cl ?? null, ucl: hidden ? null : r?.ucl ?? null, lcl: hidden ? null : r?.lcl ?? null,
      sigma_signal: !hidden && r?.sigma_signal === true, suppressed: hidden,
    };
  });
  const phases: SpcPhaseOut[] = result.phases.map((ph) => {
    const firstIndex = points.findIndex((p) => p.phase === ph.phase);
    return {
      phase: ph.phase, split: dates.get(firstIndex) ?? null, first: ph.first, last: ph.last, cl: ph.cl,
      n_obs: ph.n_obs, n_useful: ph.n_useful, longest_run: ph.longest_run, longest_run_max: ph.longest_run_max,
      n_crossings: ph.n_crossings, n_crossings_min: ph.n_crossings_min,
      shift_signal: ph.shift_signal, crossings_signal: ph.crossings_signal, runs_signal: ph.runs_signal,
      sigma_signals: points.filter((p) => p.phase === ph.phase && p.sigma_signal).length,
    };
  });
  const immature: SpcImmature[] = young.map((p) => {
    const hidden = isSuppressed(series, p.counts, opts.minCell);
    const pub = published(series, p.counts, disclosure);
    return {
      period: p.period, start: p.start, end: p.end, matures_on: p.maturesOn,
      numerator: hidden ? null : pub.numerator, denominator: hidden ? null : pub.denominator, value: hidden ? null : pub.value, suppressed: hidden,
    };
  });

  const targetValue = opts.targets[name];
  const target = targetValue === undefined ? null : {
    value: targetValue,
    source: SPC_TARGET_DEFAULTS[name] === targetValue ? 'SAMHSA TEDS-D 2004, discharges from intensive outpatient treatment (N = 114,440)' : 'configuration (IOP_SPC_TARGETS)',
  };
  return {
    series: name, as_of: f.metric.as_of, min_cell: opts.minCell,
    filters: {
      track: f.metric.track, from: f.metric.from, to: f.metric.to, ...echoListFilters(f.metric), period: f.period,
      ...(f.period_basis === 'discharge' ? { period_basis: f.period_basis } : {}),
      ...(name === 'remission' ? { instrument: f.metric.instrument } : {}), laney: f.laney, split: f.split,
    },
    definition: spcDefinition(series, horizon, opts.minCell, disclosure, f.period_basis),
    chart: series.chart, laney: result.laney, target, points, phases, immature, notes,
  };
}
