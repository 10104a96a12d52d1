import { zFor } from './normal-z';

export interface RiskRatio {
  ratio: number;
  ci: [number, number] | null;
}

/**
 * Ratio of two proportions (x1/n1)/(x0/n0) with the Katz log interval
 * exp(log RR ± z·√(1/x1 − 1/n1 + 1/x0 − 1/n0)) (Katz, Baptista, Azen & Pike 1978,
 * Biometrics 34:469–474; R `epitools::riskratio.wald`, scipy `relative_risk`).
 * The ratio is null when the reference proportion is 0; the interval is null when either
 * count is 0, where the log method has no finite bound.
 */
export function riskRatio(x1: number, n1: number, x0: number, n0: number, conf = 0.95): RiskRatio | null {
  if (n1 <= 0 || n0 <= 0 || x0 === 0) return null;
  const ratio = (x1 / n1) / (x0 / n0);
  if (x1 === 0) return { ratio, ci: null };
  const se = Math.sqrt(1 / x1 - 1 / n1 + 1 / x0 - 1 / n0);
  const half = zFor(conf) * se;
  return { ratio, ci: [ratio * Math.exp(-half), ratio * Math.exp(half)] };
}
