import binomialCdf from '@stdlib/stats-base-dists-binomial-cdf';

/**
 * The exact McNemar test of paired binary answers: the two-sided binomial test of the
 * discordant pairs, b of (b + c) at probability 0.5, as R computes `binom.test(b, b + c)`
 * (R stats, binom.test: the sum of the probabilities of the outcomes no more likely than
 * the one observed; at p = 0.5 the distribution is symmetric, so this is twice the
 * smaller tail, capped at 1). Null when there are no discordant pairs (R refuses n = 0).
 */
export function exactMcNemar(b: number, c: number): number | null {
  const n = b + c;
  if (n === 0) return null;
  const tail = binomialCdf(Math.min(b, c), n, 0.5);
  return Math.min(1, 2 * tail);
}
