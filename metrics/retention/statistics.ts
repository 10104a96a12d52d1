import { Cells, withSuppressed } from '../cells';
import { kmFields } from '../km-fields';
import { survivalAt, type CountRow, type KmCurve } from '../stats/kaplan-meier';
import type { RetentionGroup, SurvivalPoint } from '../types';
import { RETENTION_DAYS } from '../../warehouse/rules';

function pointAt(km: KmCurve, day: number): SurvivalPoint {
  const at = survivalAt(km, day);
  return { survival: at?.survival ?? null, lower: at?.lower ?? null, upper: at?.upper ?? null };
}

export function retentionGroup(rows: readonly CountRow[], key: RetentionGroup['key'], n: number, minCell: number): RetentionGroup {
  const cells = new Cells(minCell);
  const { fields, km } = kmFields(rows, cells);
  const retention_at = Object.fromEntries(RETENTION_DAYS.map((d) => [d, pointAt(km, Number(d))])) as RetentionGroup['retention_at'];
  const { events, median_days, median_ci, curve } = fields;
  return withSuppressed({ key, n, events, median_days, median_ci, retention_at, curve }, cells);
}

