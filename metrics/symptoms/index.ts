import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import type { MetricFamily, MetricSource } from '../family';
import type { MetricFilters } from '../filters';
import { buildGroups, echoFilters, respond } from '../response';
import { bucket } from '../rows';
import { groupSizes } from '../sql/groups';
import type { MetricResponse } from '../types';
import { symptomsDefinition } from './definition';
import { baselineCounts, instrument, pairCounts, trajectorySums } from './facts';
import { symptomsFromModel } from './model';
import { symptomsGroup } from './statistics';

export class UnknownInstrumentError extends Error {
  override name = 'UnknownInstrumentError';
}

/** docs/metrics.md "Symptom change", one instrument per request. */
export async function symptoms(db: Kysely<DB>, f: MetricFilters, minCell: number, source: MetricSource = 'facts'): Promise<MetricResponse<'symptoms'>> {
  const ins = await instrument(db, f.instrument);
  if (!ins) throw new UnknownInstrumentError(`unknown instrument ${f.instrument}`);
  const [sizes, pairs, baselines, traj] = source === 'facts'
    ? await Promise.all([groupSizes(db, f), pairCounts(db, f), baselineCounts(db, f), trajectorySums(db, f)])
    : await symptomsFromModel(db, f, source === 'rollup').then((m) => [m.sizes, m.pairs, m.baselines, m.trajectory] as const);
  const pairsBy = bucket(pairs);
  const trajBy = bucket(traj);
  const baseBy = new Map(baselines.map((r) => [r.grp, r.with_baseline]));
  const groups = buildGroups(f, minCell, sizes, (grp, key, n) =>
    symptomsGroup({ pairs: pairsBy.get(grp) ?? [], withBaseline: baseBy.get(grp) ?? 0, trajectory: trajBy.get(grp) ?? [] }, ins, key, n, minCell));
  return respond({ metric: 'symptoms', filters: f, minCell, echo: echoFilters(f, { instrument: f.instrument }), definition: symptomsDefinition(ins, minCell), groups });
}

export const SYMPTOMS: MetricFamily<'symptoms'> = {
  name: 'symptoms',
  summary: 'Symptom change for one instrument: Jacobson–Truax classes, response, remission, trajectory',
  dependsOn: ['scores_through'],
  usesInstrument: true,
  compute: symptoms,
};

export { symptomsDefinition } from './definition';
export type { InstrumentRow } from './facts';
export { symptomsGroup, type SymptomsInput } from './statistics';
