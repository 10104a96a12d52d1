import type { Kysely } from 'kysely';
import { completeness, instrumentsWithBaselines, type CompletenessRow } from '../../metrics/completeness';
import { DISCLOSURE_RULE, protectCounts, type DisclosureRule } from '../../metrics/disclosure';
import { echoListFilters, type ListFilter, type MetricFilters } from '../../metrics/filters';
import { suppressionRule } from '../../metrics/response';
import { METRIC_NAMES, type MetricName, type MetricResponse } from '../../metrics/types';
import { listTracks } from '../../warehouse/catalog';
import type { DB } from '../../warehouse/db-types';
import type { OverviewResponses } from './figures';
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
  /** The responses the headline figures are drawn from (the same ones as the tables). */
  overview?: OverviewResponses;
  /** The list filters the report was limited to (a site-scoped account's sites among them); empty when none. */
  limits: Partial<Record<ListFilter, string[]>>;
  /** Set for roles below analyst: the rounding rule the report's numbers went through. */
  disclosure?: DisclosureRule;
}

/** The instrument of the overview's reliable-improvement panel, as on the dashboard's overview. */
const OVERVIEW_INSTRUMENT = 'PHQ-9';

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
  const byName: Partial<Record<MetricName, MetricResponse>> = {};
  let symptoms: MetricResponse | null = null;
  for (const name of METRIC_NAMES) {
    if (name === 'symptoms') {
      for (const instrument of await instrumentsWithBaselines(db, f)) {
        const response = await metric(name, { ...f, instrument });
        // the overview's improvement panel is the PHQ-9's (the first instrument when the PHQ-9 has no baselines)
        if (symptoms === null || instrument === OVERVIEW_INSTRUMENT) symptoms = response;
        tables.push(tableOf(response, names));
      }
      continue;
    }
    const response = await metric(name, f);
    byName[name] = response;
    tables.push(tableOf(response, names));
  }
  const overview = { ...byName, symptoms } as OverviewResponses;
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
    overview,
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
