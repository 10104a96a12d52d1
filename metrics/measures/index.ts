import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { checkFiltersInWarehouse } from '../filters';
import { MetricFilterError } from '../index';
import type { MeasureRequest } from './request';
import { runMeasure } from './run';
// Registers the measure model's refresh step with the warehouse (every process computing measures keeps it).
import './model-build';
import type { MeasureResponse } from './schema';

/**
 * Computes a parsed measure request: the one entry the CLI (bin/commands/measures.ts)
 * and the API (api/routes/measures.ts) share. Unknown tracks are a MetricFilterError
 * (exit 64 / 400), never an empty result. The caller decides `min_cell` for its user,
 * checks the role before asking for rows, and audits the read.
 */
export async function computeMeasure(db: Kysely<DB>, req: MeasureRequest, minCell: number): Promise<MeasureResponse> {
  const bad = await checkFiltersInWarehouse(db, req.ctx.filters, false);
  if (bad) throw new MetricFilterError(bad);
  return runMeasure(db, req.spec, req.ctx, { minCell, rows: req.rows });
}

export { parseMeasureRequest, MeasureQuerySchema, MEASURE_FORMATS, type MeasureFormat, type MeasureRequest } from './request';
export { MeasureResponseSchema, type MeasureResponse, type MeasureGroup, type MeasureRow } from './schema';
export { MEASURE_NAMES, type MeasureName, type MeasureSpec, type MeasureContext } from './spec';
export { MEASURES } from './registry';
