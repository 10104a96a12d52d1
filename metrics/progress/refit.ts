import { sql, type Kysely } from 'kysely';
import { readDataVersion } from '../../warehouse/data-version';
import type { DB } from '../../warehouse/db-types';
import { latestProgressFit } from '../../warehouse/progress-fits';
import { PROGRESS_REFIT_MIN_EPISODES } from '../../warehouse/rules';
import { hasBands } from './bands';
import { ALERT_MODEL_TIME, fitAndStore } from './current-fit';
import { ProgressModelError } from './model';

export interface RefitOutcome {
  instrument: string;
  /** Episodes with a score of the instrument. */
  episodes: number;
  status: 'refitted' | 'current' | 'too_few_episodes' | 'failed';
  /** The stored fit (refitted or current), or why it failed. */
  fit_id?: number;
  seconds?: number;
  message?: string;
}

/**
 * `iop refresh` (docs/progress.md "Stored fits"): refits and stores the alert model of
 * every instrument with at least PROGRESS_REFIT_MIN_EPISODES scored episodes whose
 * latest stored fit saw another data version than the warehouse's now (or that has
 * none). An instrument whose data cannot be fitted is reported, not fatal.
 */
export async function refitProgressFits(db: Kysely<DB>, now: () => number = () => performance.now()): Promise<RefitOutcome[]> {
  const version = await readDataVersion(db);
  const counts = await sql<{ instrument: string; episodes: number; higher_is_better: boolean; clinical_cutoff: number | null; remission_below: number | null }>`
    select i.code as instrument, coalesce(n.episodes, 0)::int as episodes, i.higher_is_better, i.clinical_cutoff, i.remission_below
    from instruments i
    left join (select instrument, count(distinct episode_id) as episodes from assessments where episode_id is not null group by instrument) n on n.instrument = i.code
    order by i.code`.execute(db);
  const out: RefitOutcome[] = [];
  for (const c of counts.rows) {
    if (c.episodes < PROGRESS_REFIT_MIN_EPISODES) {
      out.push({ instrument: c.instrument, episodes: c.episodes, status: 'too_few_episodes' });
      continue;
    }
    const bands = hasBands(c);
    const stored = await latestProgressFit(db, c.instrument, ALERT_MODEL_TIME, bands);
    if (stored && stored.data_version === version) {
      out.push({ instrument: c.instrument, episodes: c.episodes, status: 'current', fit_id: Number(stored.fit_id) });
      continue;
    }
    const start = now();
    try {
      const saved = await fitAndStore(db, c.instrument, ALERT_MODEL_TIME, bands);
      out.push({ instrument: c.instrument, episodes: c.episodes, status: 'refitted', fit_id: Number(saved.fit_id), seconds: (now() - start) / 1000 });
    } catch (e) {
      if (!(e instanceof ProgressModelError)) throw e;
      out.push({ instrument: c.instrument, episodes: c.episodes, status: 'failed', message: e.message });
    }
  }
  return out;
}
