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

/** One distinct value and how many times it occurs. */
export interface ValueCount {
  value: number;
  n: number;
}

/**
 * Median and quartiles of a frequency table (values ascending), equal to
 * `medianAndIqr` of the expanded values: R type 7 takes h = (N − 1)·p and interpolates
 * between the values at positions ⌊h⌋ and ⌊h⌋ + 1, which the cumulative counts find
 * without expanding the table. It lets SQL return (value, count) rows instead of
 * every stay. Null when the table is empty.
 */
export function medianAndIqrOfCounts(table: readonly ValueCount[]): MedianIqr | null {
  const total = table.reduce((s, r) => s + r.n, 0);
  if (total === 0) return null;
  const at = (i: number): number => {
    let seen = 0;
    for (const r of table) {
      seen += r.n;
      if (i < seen) return r.value;
    }
    return table[table.length - 1]?.value ?? Number.NaN;
  };
  const q = (p: number): number => {
    const h = (total - 1) * p;
    const lo = Math.floor(h);
    const a = at(lo);
    return h === lo ? a : a + (h - lo) * (at(lo + 1) - a);
  };
  return { median: q(0.5), q1: q(0.25), q3: q(0.75) };
}
