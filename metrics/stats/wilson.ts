import { zFor } from './normal-z';

/**
 * Wilson score interval for a binomial proportion x/n, without continuity
 * correction (Wilson 1927; R `binom::binom.confint(method = "wilson")`,
 * `prop.test(correct = FALSE)`). Null when n = 0. The limit is exactly 0 at
 * x = 0 and exactly 1 at x = n, as in closed form; rounding would leave ±1e-17.
 */
export function wilson(x: number, n: number, conf = 0.95): [number, number] | null {
  if (!Number.isInteger(x) || !Number.isInteger(n) || x < 0 || x > n) {
    throw new RangeError(`need integers 0 ≤ x ≤ n, got x=${x}, n=${n}`);
  }
  if (n === 0) return null;
  const z = zFor(conf);
  const z2 = z * z;
  const p = x / n;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [x === 0 ? 0 : centre - half, x === n ? 1 : centre + half];
}
