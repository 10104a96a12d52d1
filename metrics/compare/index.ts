import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { checkFiltersInWarehouse, echoListFilters } from '../filters';
import { MetricFilterError } from '../index';
import { adjustedPatterns, patternsOf } from './adjusted';
import { adjustedDefinition, equityDefinition } from './definition';
import { compareEpisodes, comparePatterns, compareSource, type CompareEpisodeRow, type ComparePattern, type CompareSource } from './episodes';
import { MEASURES } from '../measures/registry';
import type { MeasureName } from '../measures/spec';
import { leftOutCounts, measureEpisodes, type MeasureEpisodes } from './measure-episodes';
import { countsByGroup, equityGroups } from './equity';
import { isEquity, isMeasureOutcome, type CompareRequest, type EpisodeOutcome } from './request';
import type { ComparisonResponse } from './schema';

export { protectComparison } from './protect';
export { parseCompare, COMPARE_OUTCOMES, COMPARE_BY, ADJUSTERS, type CompareRequest } from './request';
export { ComparisonResponseSchema, type ComparisonResponse } from './schema';

/**
 * `iop compare` and `GET /api/v1/compare/{outcome}` (docs/comparisons.md): the episodes of
 * the outcome's denominator, then either the case-mix adjusted model with O/E per unit
 * and funnel limits, or (by race or ethnicity) the equity rates and ratios. Unknown
 * tracks or instruments, and remission on an instrument without `remission_below`, are a
 * MetricFilterError (exit 64, HTTP 400).
 */
export async function computeComparison(
  db: Kysely<DB>, req: CompareRequest, minCell: number, opts: { source?: CompareSource } = {},
): Promise<ComparisonResponse> {
  const f = req.filters;
  const equity = isEquity(req.by);
  const baseline = !equity && req.adjustFor.includes('baseline');
  const usesInstrument = req.outcome === 'remission' || baseline;
  const problem = await checkFiltersInWarehouse(db, f, usesInstrument);
  if (problem) throw new MetricFilterError(problem);
  const remissionBelow = req.outcome === 'remission' ? await remissionThreshold(db, f.instrument) : null;
  const measure = isMeasureOutcome(req.outcome) ? await measureOf(db, req.outcome, req) : null;
  const leftOut = measure ? leftOutCounts(measure.excluded, measure.window_open, minCell) : null;
  const header = {
    comparison: req.outcome, by: req.by, as_of: f.as_of, min_cell: minCell,
    filters: { track: f.track, from: f.from, to: f.to, ...echoListFilters(f), as_of: f.as_of, instrument: f.instrument },
  };
  if (equity) {
    const rows = measure?.rows ?? await episodesOf(db, req, remissionBelow, baseline, opts.source);
    const { reference, groups } = equityGroups(countsByGroup(rows), minCell);
    return {
      kind: 'equity', ...header, definition: equityDefinition(req.outcome, f, remissionBelow, minCell),
      reference, groups, ...(leftOut ? { notes: leftOut } : {}),
      suppressed: groups.some((g) => g.suppressed !== undefined) || leftOut?.excluded === null,
    };
  }
  const patterns = measure ? patternsOf(measure.rows, req.adjustFor) : await patternsOfOutcome(db, req, remissionBelow, opts.source);
  const parts = adjustedPatterns(patterns, req.adjustFor, req.overdispersion, minCell);
  const suppressed = parts.units.some((u) => u.suppressed !== undefined) || parts.model.coefficients.some((c) => c.suppressed !== undefined)
    || leftOut?.excluded === null;
  return {
    kind: 'adjusted', ...header,
    definition: adjustedDefinition({ outcome: req.outcome, filters: f, remissionBelow, adjustFor: req.adjustFor, overdispersion: req.overdispersion, minCell }),
    adjust_for: req.adjustFor, overdispersion: req.overdispersion, ...parts,
    notes: leftOut ? { ...parts.notes, ...leftOut } : parts.notes,
    suppressed,
  };
}

/** A standard measure's episodes, through the measures framework, with the episodes outside its denominator counted. */
async function measureOf(db: Kysely<DB>, outcome: MeasureName, req: CompareRequest): Promise<MeasureEpisodes> {
  const spec = MEASURES[outcome];
  if (!spec) throw new Error(`measure ${outcome} is not registered`);
  return measureEpisodes(db, spec, req.by, req.filters);
}

/**
 * The episodes of an episode outcome's denominator, from the models or the facts
 * (docs/metrics.md "Models and as_of"; `source` forces one, for tests).
 */
async function episodesOf(
  db: Kysely<DB>, req: CompareRequest, remissionBelow: number | null, baseline: boolean, source?: CompareSource,
): Promise<CompareEpisodeRow[]> {
  const outcome = req.outcome as EpisodeOutcome;
  const from = source ?? await compareSource(db, outcome, baseline, req.filters);
  return compareEpisodes(db, outcome, req.by, req.filters, remissionBelow, from, baseline);
}

/** The same episodes by covariate pattern, for an adjusted comparison, grouped in the query. */
async function patternsOfOutcome(db: Kysely<DB>, req: CompareRequest, remissionBelow: number | null, source?: CompareSource): Promise<ComparePattern[]> {
  const outcome = req.outcome as EpisodeOutcome;
  const from = source ?? await compareSource(db, outcome, req.adjustFor.includes('baseline'), req.filters);
  return comparePatterns(db, outcome, req.by, req.filters, remissionBelow, from, req.adjustFor);
}

async function remissionThreshold(db: Kysely<DB>, instrument: string): Promise<number> {
  const row = await db.selectFrom('instruments').select('remission_below').where('code', '=', instrument).executeTakeFirst();
  const below = row?.remission_below ?? null;
  if (below === null) {
    const message = `instrument ${instrument} has no remission_below, so remission is not defined for it`;
    throw new MetricFilterError({ error: `Invalid comparison: instrument: ${message}`, details: [{ param: 'instrument', value: instrument, message }] });
  }
  return Number(below);
}
