import { LAST_WEEK } from '../../warehouse/rules';
import type { LmmFit } from '../stats/lmm';
import { zFor } from '../stats/normal-z';
import type { Band } from './bands';
import type { TimeScale } from './episode-sums';

/** docs/progress.md "Expected bands": the central 80% of scores expected at a week. */
export const TOLERANCE_LEVEL = 0.8;

export interface ExpectedPoint {
  /** The baseline band, or null in a model without bands. */
  band: Band | null;
  week: number;
  mean: number;
  lower: number;
  upper: number;
}

/** The model's time covariate at a whole week since admission. */
export function timeAt(week: number, scale: TimeScale): number {
  return scale === 'log' ? Math.log(week + 1) : week;
}

/**
 * Per band and week 0…LAST_WEEK: the predicted mean x'β, and mean ± z₀.₉·sd with
 * sd² = z'Σz + σ² for z = (1, t) — the spread of a new episode's score at that week
 * from the random-effect covariance Σ and the residual variance σ² (the uncertainty of
 * β itself is not included). `bands` lists the model's bands, reference first; the
 * coefficient names are those `fitProgressModel` gives.
 */
export function expectedBands(fit: LmmFit, bands: readonly Band[], scale: TimeScale): ExpectedPoint[] {
  const coef = new Map(fit.fixed.map((f) => [f.name, f.estimate]));
  const z = zFor(TOLERANCE_LEVEL);
  const [[v00, v01], [, v11]] = fit.random.covariance;
  const s2 = fit.residual_sd ** 2;
  const levels: (Band | null)[] = bands.length ? [...bands] : [null];
  return levels.flatMap((band, i) => Array.from({ length: LAST_WEEK + 1 }, (_, week) => {
    const t = timeAt(week, scale);
    const shift = i === 0 || band === null ? 0 : coef.get(`band[${band}]`) ?? 0;
    const slope = i === 0 || band === null ? 0 : coef.get(`time:band[${band}]`) ?? 0;
    const mean = (coef.get('(Intercept)') ?? 0) + shift + ((coef.get('time') ?? 0) + slope) * t;
    const sd = Math.sqrt(v00 + 2 * t * v01 + t * t * v11 + s2);
    return { band, week, mean, lower: mean - z * sd, upper: mean + z * sd };
  }));
}
