import type { Kysely } from 'kysely';
import { readDataVersion } from '../../warehouse/data-version';
import type { DB } from '../../warehouse/db-types';
import { latestProgressFit, saveProgressFit } from '../../warehouse/progress-fits';
import { rcThreshold } from '../stats/reliable-change';
import { hasBands } from './bands';
import type { TimeScale } from './episode-sums';
import type { ExpectedPoint } from './expected';
import { fitProgressModel, knownInstruments, ProgressModelError, type ProgressModel } from './model';
import type { InstrumentInfo, ProgressFitInfo } from './schema';

/**
 * The fit the alerts, the episode view and the bands read (docs/progress.md "Alerts"):
 * the default model, log time, with the baseline bands when the instrument has cutoffs.
 */
export const ALERT_MODEL_TIME: TimeScale = 'log';

export interface CurrentFit {
  instrument: InstrumentInfo;
  /** The instrument's cutoffs, for banding a baseline. */
  cutoffs: { higher_is_better: boolean; clinical_cutoff: number | null; remission_below: number | null };
  info: ProgressFitInfo;
  model: ProgressModel;
  /** The model's expected bands clipped to the instrument's score range. */
  expected: ExpectedPoint[];
}

/** A limit of the normal model may fall outside the score range (below 0 on PHQ-9): clipped to it. */
export function clipToRange(points: readonly ExpectedPoint[], min: number, max: number): ExpectedPoint[] {
  const clip = (v: number) => Math.min(max, Math.max(min, v));
  return points.map((p) => ({ ...p, mean: clip(p.mean), lower: clip(p.lower), upper: clip(p.upper) }));
}

/**
 * Fits the instrument's model and stores it, in one repeatable-read snapshot so the data
 * version stored is the version fitted (as `iop progress model --save`).
 */
export async function fitAndStore(db: Kysely<DB>, instrument: string, time: TimeScale, bands: boolean): Promise<{ fit_id: number; fitted_at: string; data_version: string; model: ProgressModel }> {
  return db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
    const version = await readDataVersion(trx);
    const model = await fitProgressModel(trx, { instrument, time, bands });
    const saved = await saveProgressFit(trx, { instrument, time_scale: time, bands, data_version: version, model });
    return { ...saved, data_version: version, model };
  });
}

/**
 * The latest stored fit of the instrument's alert model, or, when none is stored, a fit
 * made now and stored (so the next request reads it). Throws ProgressModelError for an
 * unknown instrument or data that cannot be fitted.
 */
export async function currentFit(db: Kysely<DB>, code: string): Promise<CurrentFit> {
  const ins = await db.selectFrom('instruments')
    .select(['code', 'min_score', 'max_score', 'higher_is_better', 'clinical_cutoff', 'remission_below', 'reliable_change_points', 'reliability', 'norm_sd'])
    .where('code', '=', code).executeTakeFirst();
  if (!ins) throw new ProgressModelError(`unknown instrument ${code}; known instruments: ${(await knownInstruments(db)).join(', ')}`, 'usage');
  const cutoffs = { higher_is_better: ins.higher_is_better, clinical_cutoff: ins.clinical_cutoff, remission_below: ins.remission_below };
  const bands = hasBands(cutoffs);
  const stored = await latestProgressFit(db, code, ALERT_MODEL_TIME, bands);
  const current = await readDataVersion(db);
  let fit: { fit_id: number; fitted_at: string; data_version: string; model: ProgressModel; source: ProgressFitInfo['source'] };
  if (stored) fit = { fit_id: Number(stored.fit_id), fitted_at: stored.fitted_at, data_version: stored.data_version, model: stored.model as ProgressModel, source: 'stored' };
  else fit = { ...(await fitAndStore(db, code, ALERT_MODEL_TIME, bands)), source: 'fitted_on_demand' };
  const instrument: InstrumentInfo = {
    code: ins.code,
    min_score: Number(ins.min_score),
    max_score: Number(ins.max_score),
    higher_is_better: ins.higher_is_better,
    rc: rcThreshold({ reliableChangePoints: ins.reliable_change_points, reliability: ins.reliability, normSd: ins.norm_sd }),
  };
  return {
    instrument,
    cutoffs,
    info: {
      fit_id: fit.fit_id,
      source: fit.source,
      fitted_at: fit.fitted_at,
      data_version: fit.data_version,
      current_data_version: current,
      time: fit.model.time,
      bands,
      formula: fit.model.formula,
      n_episodes: fit.model.fit.n_groups,
      n_scores: fit.model.fit.n_obs,
      converged: fit.model.fit.convergence.converged,
    },
    model: fit.model,
    expected: clipToRange(fit.model.expected, instrument.min_score, instrument.max_score),
  };
}
