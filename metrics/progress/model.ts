import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { fitLmm, type LmmFit } from '../stats/lmm';
import { statsFromGroupSums, type GroupSums } from '../stats/lmm-stats';
import { BANDS, bandOf, hasBands, type Band, type BandCutoffs } from './bands';
import { episodeSums, type TimeScale } from './episode-sums';
import { expectedBands, type ExpectedPoint } from './expected';

export interface ProgressModelOptions {
  readonly instrument: string;
  readonly time: TimeScale;
  /** Model the baseline band and band × time (docs/progress.md); false drops them. */
  readonly bands: boolean;
}

export interface ProgressModel {
  readonly instrument: string;
  readonly formula: string;
  readonly time: TimeScale;
  /** The bands in the model, reference first; empty without bands. */
  readonly bands: { band: Band; episodes: number }[];
  /** Episodes left out: no baseline score to band them by (only with bands). */
  readonly episodes_without_baseline: number;
  readonly fit: LmmFit;
  /** Per band and week, the predicted mean and the 80% tolerance interval (docs/progress.md). */
  readonly expected: ExpectedPoint[];
}

/** Thrown when the instrument or its data cannot give a model; the CLI says why. */
export class ProgressModelError extends Error {
  override name = 'ProgressModelError';
  constructor(message: string, readonly kind: 'usage' | 'data') {
    super(message);
  }
}

export async function instrumentCutoffs(db: Kysely<DB>, code: string): Promise<BandCutoffs | undefined> {
  return db.selectFrom('instruments').select(['higher_is_better', 'clinical_cutoff', 'remission_below']).where('code', '=', code).executeTakeFirst();
}

export async function knownInstruments(db: Kysely<DB>): Promise<string[]> {
  return (await db.selectFrom('instruments').select('code').orderBy('code').execute()).map((r) => r.code);
}

/**
 * Fits score ~ time + band + band:time + (time | episode) by REML (docs/progress.md).
 * Bands with no episode are left out of the design (their columns would be zero);
 * the mildest band present is the reference level.
 */
export async function fitProgressModel(db: Kysely<DB>, o: ProgressModelOptions): Promise<ProgressModel> {
  const ins = await instrumentCutoffs(db, o.instrument);
  if (!ins) throw new ProgressModelError(`unknown instrument ${o.instrument}; known instruments: ${(await knownInstruments(db)).join(', ')}`, 'usage');
  if (o.bands && !hasBands(ins)) {
    throw new ProgressModelError(`instrument ${o.instrument} has no clinical_cutoff or remission_below to band baselines by; use --no-bands`, 'usage');
  }
  const sums = await episodeSums(db, o.instrument, o.time);
  const banded = sums.map((e) => ({ e, band: o.bands && e.baseline !== null ? bandOf(e.baseline, ins) : null }));
  const kept = o.bands ? banded.filter((b) => b.band !== null) : banded;
  const present = BANDS.filter((band) => kept.some((k) => k.band === band));
  const others = present.slice(1);
  const names = ['(Intercept)', ...others.map((b) => `band[${b}]`), 'time', ...others.map((b) => `time:band[${b}]`)];
  // One covariate vector per band, shared by its episodes.
  const covariates = new Map<Band | null, number[]>([null, ...BANDS].map((band) => [band, [1, ...others.map((b) => (b === band ? 1 : 0))]]));
  const groups: GroupSums[] = kept.map(({ e, band }) => ({ n: e.n, st: e.st, stt: e.stt, sy: e.sy, sty: e.sty, syy: e.syy, w: covariates.get(band) ?? [] }));
  if (groups.length < 2) throw new ProgressModelError(`instrument ${o.instrument} has ${groups.length} episode(s) with scores to model; at least 2 are needed`, 'data');
  let fit: LmmFit;
  try {
    fit = fitLmm(statsFromGroupSums(names, groups));
  } catch (e) {
    if (e instanceof RangeError) throw new ProgressModelError(`cannot fit the model for ${o.instrument}: ${e.message}`, 'data');
    throw e;
  }
  const timeTerm = o.time === 'log' ? 'log(weeks + 1)' : 'weeks';
  return {
    instrument: o.instrument,
    formula: present.length > 1 ? `score ~ time * band + (time | episode), time = ${timeTerm}` : `score ~ time + (time | episode), time = ${timeTerm}`,
    time: o.time,
    bands: present.map((band) => ({ band, episodes: kept.filter((k) => k.band === band).length })),
    episodes_without_baseline: o.bands ? banded.length - kept.length : 0,
    fit,
    expected: expectedBands(fit, present, o.time),
  };
}
