/** The units of an SPC chart's periods (`period` of `iop spc` / `GET /api/v1/spc/{series}`). */
export const SPC_PERIODS = ['month', 'quarter'] as const;
export type SpcPeriod = (typeof SPC_PERIODS)[number];

/**
 * Admission periods as the metric families label them (metrics/sql/scope.ts: to_char
 * 'YYYY-MM' and 'YYYY-"Q"Q'), with their first and last days, so the SPC series can
 * list every period of the chart, empty ones included, and date its maturity.
 */
export interface PeriodSpan {
  period: string;
  start: string;
  end: string;
}

const iso = (d: Date): string => d.toISOString().slice(0, 10);

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return iso(d);
}

/** The period a date lies in. */
export function periodOf(date: string, unit: SpcPeriod): string {
  const y = date.slice(0, 4);
  const m = Number(date.slice(5, 7));
  return unit === 'month' ? date.slice(0, 7) : `${y}-Q${Math.ceil(m / 3)}`;
}

/** First and last day of a period label. */
export function spanOf(period: string, unit: SpcPeriod): PeriodSpan {
  const y = Number(period.slice(0, 4));
  const firstMonth = unit === 'month' ? Number(period.slice(5, 7)) : 3 * Number(period.slice(6)) - 2;
  const months = unit === 'month' ? 1 : 3;
  return {
    period,
    start: iso(new Date(Date.UTC(y, firstMonth - 1, 1))),
    end: iso(new Date(Date.UTC(y, firstMonth - 1 + months, 0))),
  };
}

/** Every period from the one holding `from` to the one holding `to`, in order. */
export function periodsBetween(from: string, to: string, unit: SpcPeriod): PeriodSpan[] {
  const out: PeriodSpan[] = [];
  let span = spanOf(periodOf(from, unit), unit);
  while (span.start <= to) {
    out.push(span);
    span = spanOf(periodOf(addDays(span.end, 1), unit), unit);
  }
  return out;
}

/**
 * What a period of an SPC chart groups episodes by (docs/metrics.md "SPC charts: Period basis"):
 * `admission` (the default) the period the episodes were admitted in, with the series'
 * maturity horizon; `discharge` the period they were discharged in, on or before as_of,
 * for a series whose outcome is known on the day of discharge.
 */
export const SPC_PERIOD_BASES = ['admission', 'discharge'] as const;
export type SpcPeriodBasis = (typeof SPC_PERIOD_BASES)[number];

/**
 * The maturity of a discharge period: an outcome known at discharge cannot change later,
 * so a period is complete, and enters the chart, once it has ended on or before as_of
 * (0 days after its last day); the period holding as_of, not yet ended, is immature.
 */
export const DISCHARGE_BASIS_HORIZON = {
  days: 0,
  rule: 'none after the discharge period ends: the outcome is known on the day of discharge, so a period is complete once its last day is on or before as_of; the period not yet ended is partial',
  planned_weeks: null,
} as const;

/** Counts one day's discharges into the discharge period holding that day (the same labels as the admission periods). */
export function binByPeriod<T>(rows: readonly T[], dateOf: (r: T) => string, unit: SpcPeriod, add: (acc: { num: number; den: number }, r: T) => void): Map<string, { num: number; den: number }> {
  const out = new Map<string, { num: number; den: number }>();
  for (const r of rows) {
    const label = periodOf(dateOf(r), unit);
    const acc = out.get(label) ?? { num: 0, den: 0 };
    add(acc, r);
    out.set(label, acc);
  }
  return out;
}
