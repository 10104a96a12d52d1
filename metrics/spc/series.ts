import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { ENGAGEMENT_DAYS, INITIATION_DAYS, MATURITY_GRACE_DAYS, PLANNED_WEEKS_DEFAULT, POSITIVE_REASONS } from '../../warehouse/rules';
import type { MetricFilters } from '../filters';
import { computeMetric } from '../index';
import type { SpcChart } from '../stats/spc';
import { isSuppressedGroup, type GroupOf, type MetricName } from '../types';
import { lengthOfStayByPeriod, waitDaysByPeriod, type DischargeDayRow } from './facts';
import { DISCHARGE_BASIS_HORIZON, type SpcPeriodBasis } from './periods';
import type { SpcSeriesName } from './schema';

/** What one admission period contributes: a rate num/den (p) or a mean over den items (i). */
export interface PeriodCounts {
  num: number;
  den: number;
}

/** A series the warehouse cannot draw (a missing column, an instrument without a remission cut-off): 400 / exit 64. */
export class SpcSeriesError extends Error {
  override name = 'SpcSeriesError';
}

/**
 * One SPC series (docs/metrics.md "SPC charts: Series"): its chart, the metric family whose definition
 * and queries it reads (never a second copy of the rule), the text of its numerator and
 * denominator for the definition block, and its maturity horizon.
 */
export interface SpcSeries {
  name: SpcSeriesName;
  chart: SpcChart;
  /** The metric family it reads, or the query of this folder it runs. */
  source: string;
  numerator: string;
  denominator: string;
  /**
   * Days after an admission period ends before all its episodes can have reached the
   * outcome: `episode` waits the planned length of treatment + MATURITY_GRACE_DAYS.
   */
  horizon: 'episode' | { days: number; rule: string };
  /** Counts per admission period label (the family's `group_by=period` strata). */
  counts: (db: Kysely<DB>, f: MetricFilters) => Promise<Map<string, PeriodCounts>>;
  /**
   * For a series whose outcome is known on the day of discharge, what one discharge day's
   * row (per reason) adds to its discharge period (`--period-basis discharge`); null where
   * the basis makes no sense (sessions, engagement windows, follow-up scores, waits).
   */
  atDischarge: ((acc: PeriodCounts, r: DischargeDayRow) => void) | null;
}

/** The maturity horizon of a series, given the longest planned length of the request's episodes (null: none recorded). */
export function horizonOf(series: SpcSeries, plannedWeeks: number | null, basis: SpcPeriodBasis = 'admission'): { days: number; rule: string; planned_weeks: number | null } {
  if (basis === 'discharge') return { ...DISCHARGE_BASIS_HORIZON };
  if (series.horizon !== 'episode') return { ...series.horizon, planned_weeks: null };
  const weeks = plannedWeeks ?? PLANNED_WEEKS_DEFAULT;
  const source = plannedWeeks === null ? 'the default: no episode or track of the request records one' : 'the longest among the episodes (an episode\'s own, else its track\'s)';
  return { days: weeks * 7 + MATURITY_GRACE_DAYS, rule: `planned length (${weeks} weeks, ${source}) + ${MATURITY_GRACE_DAYS} days after the admission period ends`, planned_weeks: weeks };
}

/** The family's groups by period label, unsuppressed (suppression is applied to the chart's points). */
async function groupsByPeriod<M extends MetricName>(db: Kysely<DB>, metric: M, f: MetricFilters): Promise<Map<string, GroupOf<M>>> {
  const response = await computeMetric(db, metric, { ...f, group_by: ['period'] }, { minCell: 0 });
  const out = new Map<string, GroupOf<M>>();
  for (const g of response.groups) {
    if (isSuppressedGroup(g) || g.key.period === undefined) continue;
    out.set(g.key.period, g as GroupOf<M>);
  }
  return out;
}

function mapCounts<T>(groups: Map<string, T>, pick: (g: T) => PeriodCounts): Map<string, PeriodCounts> {
  return new Map([...groups].map(([k, g]) => [k, pick(g)]));
}

const fromFamily = <M extends MetricName>(metric: M, pick: (g: GroupOf<M>) => PeriodCounts) =>
  async (db: Kysely<DB>, f: MetricFilters) => mapCounts(await groupsByPeriod(db, metric, f), pick);

const n = (v: number | null): number => v ?? 0;

export const SPC_SERIES: { readonly [S in SpcSeriesName]: SpcSeries } = {
  'completion': {
    name: 'completion', chart: 'p', source: 'metric completion (docs/metrics.md "Completion")',
    numerator: 'episodes discharged with reason completed', denominator: 'episodes discharged on or before as_of',
    horizon: 'episode',
    counts: fromFamily('completion', (g) => ({ num: n(g.completed), den: n(g.discharged) })),
    atDischarge: (acc, r) => { acc.den += r.n; if (r.reason === 'completed') acc.num += r.n; },
  },
  'positive-discharge': {
    name: 'positive-discharge', chart: 'p', source: 'metric completion (docs/metrics.md "Completion")',
    numerator: `episodes discharged with reason ${POSITIVE_REASONS.join(' or ')} (TEDS-D positive discharge)`, denominator: 'episodes discharged on or before as_of',
    horizon: 'episode',
    counts: fromFamily('completion', (g) => ({ num: POSITIVE_REASONS.reduce((s, r) => s + n(g.reasons[r] ?? null), 0), den: n(g.discharged) })),
    atDischarge: (acc, r) => { acc.den += r.n; if ((POSITIVE_REASONS as readonly (string | null)[]).includes(r.reason)) acc.num += r.n; },
  },
  'attendance': {
    name: 'attendance', chart: 'p', source: 'metric attendance (docs/metrics.md "Attendance and engagement")',
    numerator: 'attended sessions', denominator: 'attended + no-show sessions (cancelled and excused excluded)',
    horizon: 'episode',
    atDischarge: null,
    counts: fromFamily('attendance', (g) => ({ num: n(g.attended), den: n(g.attended) + n(g.no_show) })),
  },
  'no-show': {
    name: 'no-show', chart: 'p', source: 'metric attendance (docs/metrics.md "Attendance and engagement")',
    numerator: 'no-show sessions', denominator: 'attended + no-show sessions (cancelled and excused excluded)',
    horizon: 'episode',
    atDischarge: null,
    counts: fromFamily('attendance', (g) => ({ num: n(g.no_show), den: n(g.attended) + n(g.no_show) })),
  },
  'engagement': {
    name: 'engagement', chart: 'p', source: 'metric attendance, IET engagement (docs/metrics.md "Attendance and engagement")',
    numerator: 'episodes engaged (IET)', denominator: 'episodes admitted',
    horizon: { days: INITIATION_DAYS + ENGAGEMENT_DAYS, rule: `initiation days (${INITIATION_DAYS}) + engagement days (${ENGAGEMENT_DAYS}) after the admission period ends` },
    atDischarge: null,
    counts: fromFamily('attendance', (g) => ({ num: n(g.engaged), den: g.n })),
  },
  'remission': {
    name: 'remission', chart: 'p', source: 'metric symptoms, remission (docs/metrics.md "Symptom change")',
    numerator: 'paired episodes whose follow-up score is below the instrument\'s remission cut-off', denominator: 'episodes with a baseline and a follow-up score (paired)',
    horizon: 'episode',
    atDischarge: null,
    counts: async (db, f) => mapCounts(await groupsByPeriod(db, 'symptoms', f), (g) => {
      const paired = n(g.paired);
      if (paired > 0 && g.remission_rate === null) throw new SpcSeriesError(`remission is not defined for instrument ${f.instrument}: it has no remission cut-off`);
      // unsuppressed (min_cell 0), the rate is remitted / paired exactly; rounding recovers the count
      return { num: paired === 0 ? 0 : Math.round(n(g.remission_rate) * paired), den: paired };
    }),
  },
  'length-of-stay': {
    name: 'length-of-stay', chart: 'i', source: 'completion\'s length of stay, discharged_on - admitted_on in days (docs/metrics.md "Completion")',
    numerator: 'sum of the lengths of stay', denominator: 'episodes discharged on or before as_of (the point is their mean length of stay, in days)',
    horizon: 'episode',
    counts: async (db, f) => new Map((await lengthOfStayByPeriod(db, f)).map((r) => [r.grp, { num: r.total, den: r.n }])),
    atDischarge: (acc, r) => { acc.den += r.n; acc.num += r.los; },
  },
  'wait-days': {
    name: 'wait-days', chart: 'i', source: 'NIATx wait days: first attended session - first_contact_on (docs/metrics.md "SPC charts")',
    numerator: 'sum of the wait days', denominator: 'episodes with a first contact date',
    horizon: { days: 0, rule: 'none: the first attended session is the admission, so the wait is known when the period ends' },
    atDischarge: null,
    counts: async (db, f) => new Map((await waitDaysByPeriod(db, f)).map((r) => [r.grp, { num: r.total, den: r.n }])),
  },
};

/** The series that accept `period_basis=discharge`: those whose outcome is known on the day of discharge. */
export const DISCHARGE_BASIS_SERIES: readonly SpcSeriesName[] = Object.values(SPC_SERIES).flatMap((s) => (s.atDischarge ? [s.name] : []));

/** Null when the series can be charted on the basis, else the error detail (400 / exit 64) naming the parameter and value. */
export function periodBasisProblem(series: SpcSeries, basis: SpcPeriodBasis): { param: string; value: string; message: string } | null {
  if (basis !== 'discharge' || series.atDischarge) return null;
  return {
    param: 'period_basis', value: basis,
    message: `series ${series.name} has no outcome known at discharge, so it is charted by admission period only; period_basis=discharge is accepted by ${DISCHARGE_BASIS_SERIES.join(', ')}; expected admission for ${series.name}`,
  };
}
