import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/**
 * Two-sided standard-normal critical value for a confidence level:
 * `qnorm(1 - (1 - conf) / 2)` in R, 1.959963984540054 for 95%.
 *
 * docs/metrics.md writes "1.96"; R `survival::survfit`, `binom::binom.confint` and
 * CECPfuns `getRCIfromSDandAlpha` all use the exact quantile, and the published
 * references only reproduce to full precision with it (e.g. the CECPfuns RC
 * threshold 9.296925484568419 needs 1.959964…, 1.96 gives 9.29710).
 */
export function zFor(conf = 0.95): number {
  if (!(conf > 0 && conf < 1)) throw new RangeError(`confidence level must be in (0, 1), got ${conf}`);
  return normalQuantile(1 - (1 - conf) / 2, 0, 1);
}
