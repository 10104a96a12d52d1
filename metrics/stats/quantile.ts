import { quantileSorted } from 'd3-array';

export interface MedianIqr {
  median: number;
  q1: number;
  q3: number;
}

/**
 * Median and quartiles by d3 `quantileSorted`, which interpolates as R's default
 * `quantile(type = 7)` (Hyndman & Fan 1996). Non-finite values are ignored, as
 * d3 ignores them; null when none remain.
 */
export function medianAndIqr(values: readonly number[]): MedianIqr | null {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const median = quantileSorted(sorted, 0.5);
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  if (median === undefined || q1 === undefined || q3 === undefined) return null;
  return { median, q1, q3 };
}
