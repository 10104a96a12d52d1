import type { Kysely } from 'kysely';
import { completeness, instrumentsWithBaselines, type CompletenessRow } from '../../metrics/completeness';
import { DISCLOSURE_RULE, protectCounts, type DisclosureRule } from '../../metrics/disclosure';
import { echoListFilters, type ListFilter, type MetricFilters } from '../../metrics/filters';
import { suppressionRule } from '../../metrics/response';
import { METRIC_NAMES, type MetricName, type MetricResponse } from '../../metrics/types';
import { listTracks } from '../../warehouse/catalog';
import type { DB } from '../../warehouse/db-types';
import { MEASURE_NAMES, MEASURES, type MeasureName, type MeasureResponse } from '../../metrics/measures/index';
import { measureTableOf, tableOf, type Table } from './model';

/** Everything the program-effectiveness report shows, for one scope and one as-of date. */
export interface ReportData {
  generated_at: string;
  as_of: string;
  from: string | null;
  to: string | null;
  min_cell: number;
  suppression: Record<string, unknown>;
  /** The tracks covered (the user's scope, or every track). */
  tracks: { track_code: string; name: string; level_of_care: string | null; active: boolean }[];
  tables: Table[];
  /** "Standard measures": every registered measure by track, with its rate, definition and source. */
  measures: Table[];
  completeness: CompletenessRow[];
  /** The list filters the report was limited to (a site-scoped account's sites among them); empty when none. */
  limits: Partial<Record<ListFilter, string[]>>;
  /** Set for roles below analyst: the rounding rule the report's numbers went through. */
  disclosure?: DisclosureRule;
}

export type MetricSource = (name: MetricName, filters: MetricFilters) => Promise<MetricResponse>;
/** One standard measure for the report's filters (grouped by track), as the measure endpoint answers it. */
export type MeasureSource = (name: MeasureName, filters: MetricFilters) => Promise<MeasureResponse>;

/**
 * Gathers every metric by track (symptoms once per instrument that has baselines in
 * scope). `metric` computes one response for the given filters and min cell, through
 * the API's cache, so the report equals what the metric endpoints answer.
 */
export async function gatherReport(
  db: Kysely<DB>, filters: MetricFilters, minCell: number, metric: MetricSource, measure: MeasureSource, now: Date = new Date(),
): Promise<ReportData> {
  const f: MetricFilters = { ...filters, group_by: ['track'] };
  const tracks = await listTracks(db, f.track);
  const names = new Map(tracks.map((t) => [t.track_code, t.name]));
  const tables: Table[] = [];
  for (const name of METRIC_NAMES) {
    if (name === 'symptoms') {
      for (const instrument of await instrumentsWithBaselines(db, f)) tables.push(tableOf(await metric(name, { ...f, instrument }), names));
      continue;
    }
    tables.push(tableOf(await metric(name, f), names));
  }
  const measures: Table[] = [];
  for (const name of MEASURE_NAMES) {
    if (MEASURES[name]) measures.push(measureTableOf(await measure(name, f), names));
  }
  return {
    generated_at: now.toISOString(),
    as_of: f.as_of,
    from: f.from,
    to: f.to,
    min_cell: minCell,
    suppression: suppressionRule(minCell),
    tracks,
    tables,
    measures,
    completeness: await completeness(db, f, minCell),
    limits: echoListFilters(f),
  };
}

/**
 * The report as a role below analyst may see it: the tables already come from
 * protected metric responses; the completeness counts are rounded here the same way.
 */
export function protectReport(data: ReportData): ReportData {
  return {
    ...data,
    completeness: data.completeness.map((row) => protectCounts(row, ['with', 'without', 'total'])),
    disclosure: DISCLOSURE_RULE,
  };
}
