import tQuantile from '@stdlib/stats-base-dists-t-quantile';

export interface SummaryStats {
  n: number;
  /** Null when n = 0. */
  mean: number | null;
  /** Sample SD (n − 1); null when n < 2. */
  sd: number | null;
}

export interface MeanWithCi extends SummaryStats {
  lower: number | null;
  upper: number | null;
}

/** Two-pass mean and sample SD: the textbook-stable way when the values are at hand. */
export function summarize(values: readonly number[]): SummaryStats {
  const n = values.length;
  if (n === 0) return { n, mean: null, sd: null };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { n, mean, sd: null };
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { n, mean, sd: Math.sqrt(ss / (n - 1)) };
}

/**
 * Mean and sample SD from SQL aggregates: n, Σx and Σx² of the shifted values
 * x − `shift`. The sum of squares is formed as (n·Σx² − (Σx)²)/n, which is exact
 * for integer scores while both products stay below 2^53 (e.g. PHQ-9 totals for
 * a million episodes), so the usual cancellation of Σx² − (Σx)²/n cannot bite.
 * For non-integer data, shifting by a value near the mean (the instrument's
 * midpoint, say) keeps the cancellation small (Chan, Golub & LeVeque 1983).
 * Negative round-off is clamped to 0.
 */
export function summaryFromSums(n: number, sum: number, sumSq: number, shift = 0): SummaryStats {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  if (n === 0) return { n, mean: null, sd: null };
  const mean = shift + sum / n;
  if (n < 2) return { n, mean, sd: null };
  const ss = Math.max(0, (n * sumSq - sum * sum) / n);
  return { n, mean, sd: Math.sqrt(ss / (n - 1)) };
}

function isSummary(input: readonly number[] | SummaryStats): input is SummaryStats {
  return !Array.isArray(input);
}

/**
 * Mean with its two-sided t-interval, mean ± t(1 − α/2, n − 1)·sd/√n, as R
 * `t.test(x)$conf.int`. Accepts raw values or summary statistics (n, mean, sd),
 * e.g. PostgreSQL's `avg` and `stddev_samp`. Bounds are null when n < 2.
 */
export function meanWithTInterval(input: readonly number[] | SummaryStats, conf = 0.95): MeanWithCi {
  const stats = isSummary(input) ? input : summarize(input);
  const { n, mean, sd } = stats;
  if (mean === null || sd === null || n < 2) return { n, mean, sd, lower: null, upper: null };
  const half = tQuantile(1 - (1 - conf) / 2, n - 1) * (sd / Math.sqrt(n));
  return { n, mean, sd, lower: mean - half, upper: mean + half };
}
