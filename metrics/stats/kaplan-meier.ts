import { zFor } from './normal-z';

/** One line of an aggregated count table: how many events and censorings happened on a day. */
export interface CountRow {
  day: number;
  events: number;
  censored: number;
}

/** One curve point, as R `summary(survfit(...), censored = TRUE)` prints it. */
export interface KmRow {
  day: number;
  at_risk: number;
  events: number;
  censored: number;
  survival: number;
  /** Greenwood standard error of S itself (not of log S); null where S = 0. */
  std_err: number | null;
  lower: number | null;
  upper: number | null;
}

export interface KmCurve {
  n: number;
  events: number;
  curve: KmRow[];
}

function assertCount(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer, got ${value}`);
}

/** Sums repeated days, drops days on which nothing happened, sorts by day. */
export function collapseCounts(rows: readonly CountRow[]): CountRow[] {
  const byDay = new Map<number, CountRow>();
  for (const row of rows) {
    if (!Number.isFinite(row.day)) throw new RangeError(`day must be finite, got ${row.day}`);
    assertCount(row.events, 'events');
    assertCount(row.censored, 'censored');
    const seen = byDay.get(row.day);
    if (seen) {
      seen.events += row.events;
      seen.censored += row.censored;
    } else {
      byDay.set(row.day, { day: row.day, events: row.events, censored: row.censored });
    }
  }
  return [...byDay.values()].filter((r) => r.events + r.censored > 0).sort((a, b) => a.day - b.day);
}

/**
 * Log-scale interval exp(log S ± z·sqrt(Σ d/(n(n−d)))), upper capped at 1:
 * R `survfit` defaults (conf.type = "log"). Undefined where S = 0, which is also
 * the only place the Greenwood sum is infinite (d = n).
 */
function pointEstimate(survival: number, greenwood: number, z: number): Pick<KmRow, 'std_err' | 'lower' | 'upper'> {
  if (survival === 0 || !Number.isFinite(greenwood)) return { std_err: null, lower: null, upper: null };
  const seLog = Math.sqrt(greenwood);
  return {
    std_err: survival * seLog,
    lower: Math.exp(Math.log(survival) - z * seLog),
    upper: Math.min(1, Math.exp(Math.log(survival) + z * seLog)),
  };
}

/**
 * Kaplan–Meier product-limit estimate from an aggregated count table
 * (docs/metrics.md "Retention"). Censorings on day t are still at risk for the
 * events on day t. One row per day on which anything happened.
 */
export function kaplanMeier(rows: readonly CountRow[], conf = 0.95): KmCurve {
  const z = zFor(conf);
  const days = collapseCounts(rows);
  const n = days.reduce((sum, r) => sum + r.events + r.censored, 0);
  const curve: KmRow[] = [];
  let atRisk = n;
  let survival = 1;
  let greenwood = 0;
  let events = 0;
  for (const { day, events: d, censored } of days) {
    if (d > 0) {
      // (n − d)/n rather than 1 − d/n: exact flats at 0.5 matter for the median rule.
      survival *= (atRisk - d) / atRisk;
      greenwood += atRisk === d ? Infinity : d / (atRisk * (atRisk - d));
      events += d;
    }
    curve.push({ day, at_risk: atRisk, events: d, censored, survival, ...pointEstimate(survival, greenwood, z) });
    atRisk -= d + censored;
  }
  return { n, events, curve };
}

/**
 * KM from a life table whose at-risk counts are given rather than derived from the
 * events and censorings before them: the curve of rounded, coarsened steps that roles
 * below analyst see (docs/metrics.md "Disclosure control"), where each count was
 * rounded on its own. Same estimator, Greenwood sum and log CI as `kaplanMeier`; the
 * table ends before a row with no one at risk.
 */
export function kaplanMeierFromTable(rows: readonly Omit<KmRow, 'survival' | 'std_err' | 'lower' | 'upper'>[], conf = 0.95): KmCurve {
  const z = zFor(conf);
  const curve: KmRow[] = [];
  let survival = 1;
  let greenwood = 0;
  let events = 0;
  for (const { day, at_risk: atRisk, events: d, censored } of rows) {
    if (atRisk <= 0 || d > atRisk) break;
    if (d > 0) {
      survival *= (atRisk - d) / atRisk;
      greenwood += atRisk === d ? Infinity : d / (atRisk * (atRisk - d));
      events += d;
    }
    curve.push({ day, at_risk: atRisk, events: d, censored, survival, ...pointEstimate(survival, greenwood, z) });
  }
  return { n: curve[0]?.at_risk ?? 0, events, curve };
}

/** S(t) and its interval on a given day, as R `summary(fit, times = t)` reports it. */
export interface SurvivalAt {
  day: number;
  at_risk: number;
  survival: number;
  std_err: number | null;
  lower: number | null;
  upper: number | null;
}

/**
 * The curve read at `day`, following R `summary.survfit(fit, times = day)`
 * (survival 3.x, `extend = FALSE`):
 * - the estimate is that of the last curve row with row.day ≤ day;
 * - before the first row, S = 1 with std_err 0 and CI [1, 1] (`survfit0` adds
 *   that point at time 0);
 * - after the last row (the last follow-up) R drops the time, and so do we:
 *   null, rather than carrying S forward beyond the data.
 * `at_risk` is R's n.risk at that time: those whose day is ≥ `day`.
 */
export function survivalAt(km: KmCurve, day: number): SurvivalAt | null {
  const last = km.curve.at(-1);
  if (!last || day > last.day) return null;
  let before: KmRow | undefined;
  let atOrAfter: KmRow | undefined;
  for (const row of km.curve) {
    if (row.day <= day) before = row;
    if (row.day >= day && !atOrAfter) atOrAfter = row;
  }
  const at_risk = atOrAfter?.at_risk ?? 0;
  if (!before) return { day, at_risk, survival: 1, std_err: 0, lower: 1, upper: 1 };
  const { survival, std_err, lower, upper } = before;
  return { day, at_risk, survival, std_err, lower, upper };
}

export interface MedianWithCi {
  median: number | null;
  lower: number | null;
  upper: number | null;
}

/** sqrt(.Machine$double.eps), the tolerance R uses to recognise S = 0.5. */
const HALF_TOLERANCE = Math.sqrt(Number.EPSILON);

/**
 * First day on which a curve (S, or one of its CI limits) is ≤ 0.5, with the
 * rule of R `survival:::survmean` (`minmin`, the function behind
 * `print(survfit)`): when the first such value equals 0.5 within tolerance and
 * the curve later drops below it, the answer is the midpoint between that day
 * and the day of the drop; a flat at 0.5 that never drops gives its first day.
 * Null values (CI limits where S = 0) are skipped; null if never reached.
 *
 * `quantile.survfit` differs on a flat at 0.5 that runs to the end (it averages
 * with the last follow-up time); we reproduce the printed median, as the
 * published aml medians (31 [18, NA], 23 [8, NA]) are.
 */
function firstAtOrBelowHalf(days: readonly number[], values: readonly (number | null)[]): number | null {
  const kept: { day: number; value: number }[] = [];
  values.forEach((value, i) => {
    const day = days[i];
    if (value !== null && day !== undefined && value < 0.5 + HALF_TOLERANCE) kept.push({ day, value });
  });
  const first = kept[0];
  if (!first) return null;
  if (Math.abs(first.value - 0.5) >= HALF_TOLERANCE) return first.day;
  const drop = kept.find((k) => k.value < first.value);
  return drop ? (first.day + drop.day) / 2 : first.day;
}

/**
 * Median survival time with its 95% CI (docs/metrics.md "Retention"): the first
 * time S ≤ 0.5; the CI's lower bound is where the lower CI curve first reaches
 * 0.5, the upper bound where the upper CI curve does; null when never.
 */
export function medianWithCi(km: KmCurve): MedianWithCi {
  const days = km.curve.map((r) => r.day);
  return {
    median: firstAtOrBelowHalf(days, km.curve.map((r) => r.survival)),
    lower: firstAtOrBelowHalf(days, km.curve.map((r) => r.lower)),
    upper: firstAtOrBelowHalf(days, km.curve.map((r) => r.upper)),
  };
}
