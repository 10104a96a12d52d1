import { Cells, withSuppressed } from '../cells';
import { kmFields } from '../km-fields';
import { survivalAt, type CountRow, type KmCurve } from '../stats/kaplan-meier';
import type { RetentionGroup, SurvivalPoint } from '../types';
import { RETENTION_DAYS, RETENTION_LATE_DAY } from '../../warehouse/rules';

function pointAt(km: KmCurve, day: number): SurvivalPoint {
  const at = survivalAt(km, day);
  return { survival: at?.survival ?? null, lower: at?.lower ?? null, upper: at?.upper ?? null };
}

/** The last day of a count table: the last day its Kaplan–Meier curve reaches. */
export function lastDay(rows: readonly CountRow[]): number {
  return rows.reduce((max, r) => Math.max(max, r.day), -Infinity);
}

/**
 * docs/metrics.md "Retention time points": the days `retention_at` names besides `planned`,
 * RETENTION_DAYS always and RETENTION_LATE_DAY when any published group's curve reaches it.
 */
export function retentionDays(publishedLastDays: readonly number[]): string[] {
  const late = publishedLastDays.some((d) => d >= Number(RETENTION_LATE_DAY));
  return late ? [...RETENTION_DAYS, RETENTION_LATE_DAY] : [...RETENTION_DAYS];
}

export function retentionGroup(
  rows: readonly CountRow[], key: RetentionGroup['key'], n: number, minCell: number,
  days: readonly string[] = RETENTION_DAYS, plannedDay: number | null = null,
): RetentionGroup {
  const cells = new Cells(minCell);
  const { fields, km } = kmFields(rows, cells);
  const retention_at = {
    ...Object.fromEntries(days.map((d) => [d, pointAt(km, Number(d))])),
    planned: plannedDay === null ? null : { day: plannedDay, ...pointAt(km, plannedDay) },
  } as RetentionGroup['retention_at'];
  const { events, median_days, median_ci, curve } = fields;
  return withSuppressed({ key, n, events, median_days, median_ci, retention_at, curve }, cells);
}
