import type { SpcPeriod } from './filters';

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
