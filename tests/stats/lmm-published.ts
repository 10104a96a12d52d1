/**
 * Published REML fits with a random intercept and slope, and the data they were fitted
 * to (tests/reference/published/README.md lists the sources).
 */
import { readReference } from './reference';

export interface PublishedFit {
  readonly fixed: readonly [string, string];
  readonly se: readonly [string, string];
  readonly sd: readonly [string, string];
  readonly correlation: string;
  readonly residualSd: string;
  readonly reml: string;
  readonly nObs: number;
  readonly nGroups: number;
}

/**
 * lme4 `lmer(Reaction ~ Days + (Days | Subject), sleepstudy)`, as printed in the
 * examples of `?lmer` (lme4/lme4 docs/reference/lmer.html, commit 32b5bfd):
 * "REML criterion at convergence: 1743.628"; Std.Dev. 24.741 and 5.922, Residual
 * 25.592; fixed effects 251.405 (Std. Error 6.825) and 10.467 (1.546). The summary
 * rounds the correlation to 0.07; nlme's `lme(Reaction ~ Days, random = ~ Days | Subject)`
 * fits the same model and prints "0.066" (bbolker/broom.mixed
 * tests/testthat/test-VarCorr.R, commit 196277f, from `VarCorr(lmm.nlme)`).
 */
export const SLEEPSTUDY: PublishedFit = {
  fixed: ['251.405', '10.467'], se: ['6.825', '1.546'], sd: ['24.741', '5.922'], correlation: '0.066',
  residualSd: '25.592', reml: '1743.628', nObs: 180, nGroups: 18,
};

/**
 * lme4 `lmer(Reaction ~ Days + (Days | Subject), sleepstudy, subset = Days >= 2)`, as
 * printed in the examples of `?sleepstudy` (lme4/lme4 docs/reference/sleepstudy.html,
 * commit 32b5bfd): "REML criterion at convergence: 1404.094"; Std.Dev. 31.507 and
 * 6.766, Corr −0.25, Residual 25.526; fixed effects 245.10 and 11.44 (no SEs printed).
 */
export const SLEEPSTUDY_DAYS_2: Omit<PublishedFit, 'se'> = {
  fixed: ['245.10', '11.44'], sd: ['31.507', '6.766'], correlation: '-0.25', residualSd: '25.526', reml: '1404.094', nObs: 144, nGroups: 18,
};

/**
 * nlme `lme(distance ~ age, Orthodont, random = ~ age | Subject)` (the same model as
 * lme4's `lmer(distance ~ age + (age | Subject), Orthodont)`), cran/nlme
 * tests/lme.Rout.save (version 3.1-169, fm4): "Log-restricted-likelihood: -221.318"
 * (REML criterion = −2 × that = 442.636); fixed effects 16.761111 and 0.660185 with
 * Std.Error 0.77524603 and 0.071253264 (the stopifnot in the same file); StdDev 2.327034
 * and 0.226428, Corr −0.609 (intervals: −0.60933286), Residual 1.310040. lme4's
 * `?VarCorr` example prints the same fit as 2.32736, 0.22645, −0.609, 1.31002.
 */
export const ORTHODONT: PublishedFit = {
  fixed: ['16.761111', '0.660185'], se: ['0.77524603', '0.071253264'], sd: ['2.327034', '0.226428'], correlation: '-0.60933286',
  residualSd: '1.310040', reml: '442.636', nObs: 108, nGroups: 27,
};

export interface Observation { y: number; t: number; group: string }

/** lme4's sleepstudy: Reaction (ms) by Days, per Subject (Rdatasets csv/lme4/sleepstudy.csv). */
export function sleepstudy(): Observation[] {
  return readReference('sleepstudy.csv').map((r) => ({ y: Number(r.Reaction), t: Number(r.Days), group: String(r.Subject) }));
}

/** nlme's Orthodont: distance (mm) by age (years), per Subject (Rdatasets csv/nlme/Orthodont.csv). */
export function orthodont(): Observation[] {
  return readReference('orthodont.csv').map((r) => ({ y: Number(r.distance), t: Number(r.age), group: String(r.Subject) }));
}

/** |actual − published| ≤ 1e-3, the bar of docs/progress.md "Verification". */
export function within1e3(actual: number | null | undefined, published: string): boolean {
  return actual !== null && actual !== undefined && Math.abs(actual - Number(published)) <= 1e-3;
}
