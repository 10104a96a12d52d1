import type { RawBuilder } from 'kysely';
import type { DefinitionText } from '../definition-text';
import type { MetricFilters } from '../filters';

/**
 * The measure plug-in interface (docs/measures.md). A measure is one file
 * `metrics/measures/<name>.ts` exporting a `MeasureSpec`, plus one line in
 * `./registry.ts`. The framework (`./run.ts`) scopes the episodes, applies the
 * index-date range, counts the labels per group, computes the rates with Wilson CIs,
 * suppresses small cells, and renders the rows and the FHIR MeasureReport; the CLI
 * (`iop measures`) and the API (`GET /api/v1/measures/{name}`) both call it.
 *
 * This module holds no schema, so code that needs only the names does not load the
 * response schemas (their OpenAPI ids register on first load).
 */

/** Every standard measure the product names, registered or not yet. */
export const MEASURE_NAMES = [
  'dep-rem-6', 'dep-rem-12', 'dep-resp-6', 'mbc', 'iet', 'niatx', 'i-serv', 'followup-6m', 'noms',
] as const;
export type MeasureName = (typeof MEASURE_NAMES)[number];

export function isMeasureName(value: string): value is MeasureName {
  return (MEASURE_NAMES as readonly string[]).includes(value);
}

/** Measure options beyond the metric filters (`--any-diagnosis`, the configured holidays). */
export interface MeasureOptions {
  /** Depression measures: drop the depression-diagnosis requirement of the initial population. */
  any_diagnosis: boolean;
  /** Extra holidays (YYYY-MM-DD) on top of the US federal ones, for business-day counts. */
  holidays: readonly string[];
}

export interface MeasureContext {
  /** as_of, track, from/to (the index-date range), group_by, period, min_cell… */
  filters: MetricFilters;
  options: MeasureOptions;
}

/** An age stratum every response of the measure carries (`strata`), by age at the index date. */
export interface AgeStratum {
  band: string;
  from: number;
  /** Last age of the band; null = no upper limit. */
  upTo: number | null;
}

export interface MeasureSpec {
  name: MeasureName;
  /** The published measure it adapts, e.g. 'CCBHC DEP-REM-6'. */
  source: string;
  /** Every label, in display order (includes 'excluded' / 'window_open' where used). */
  labels: readonly string[];
  /** Labels counted in the primary numerator. */
  numerator: readonly string[];
  /**
   * Whether the numerator is a per-episode outcome `iop compare` may model (default true).
   * False for a measure whose result is not its label rate (noms: per-domain change among
   * the follow-up pairs, whose labels are followup-6m's).
   */
  comparable?: boolean;
  /** Extra named rates over the same denominator (iet: initiation, engagement). */
  rates?: Readonly<Record<string, readonly string[]>>;
  /** Label outside the denominator for exclusions; default 'excluded'. */
  excludedLabel?: string;
  /** Label outside the denominator while the window is open; default 'window_open'. */
  windowOpenLabel?: string;
  /** Strata every response carries besides the groups (depression measures: 12–17 and 18+). */
  ageStrata?: readonly AgeStratum[];
  /** Windows, code lists, options used; the framework adds `source`, `text` and `suppression`. */
  definition(ctx: MeasureContext): Record<string, unknown>;
  /** The definition in plain sentences (`definition.text`), written from the block. */
  text?(definition: Record<string, unknown>, ctx: MeasureContext): DefinitionText;
  /**
   * SQL for one or more CTEs (`a as (…), b as (…), labelled as (…)`) ending in `labelled` with columns
   *   episode_id text, index_date date, window_start date|null, window_end date|null,
   *   closed_label text, open_until date|null, label text, score_date date|null, score numeric|null
   * one row per initial-population episode, exactly one label each: `closed_label` is the label once
   * the window has closed, `open_until` the day it closes (null when the label cannot change), and
   * `label` is `windowLabel` (./window.ts) of the two as of as_of. It reads the framework's CTE
   *   measure_episodes(episode_id, patient_id, track_code, site_code, clinician_id, admitted_on,
   *     discharged_on, discharge_reason, first_contact_on, evaluated_on, diagnoses text[],
   *     planned_weeks, primary_substance, birth_year, sex, race, ethnicity)
   * = episodes in the request's scope (tracks and the list filters site, clinician, sex, race, ethnicity, substance; age_band is applied to the age at the index date), admitted on or before as_of,
   *   with discharged_on/discharge_reason hidden (null) when after as_of.
   * The framework then applies from/to to index_date and adds the group key.
   *
   * The per-episode measure model (./model.ts) stores closed_label and open_until computed as
   * of the latest fact, so both must be the same for every as_of on or after it.
   */
  labelled(ctx: MeasureContext): RawBuilder<unknown>;
  /**
   * Optional per-episode figures behind the group statistics (niatx wait days, i-serv business
   * days, mbc weeks, noms domain counts): SQL selecting (episode_id text, stats int[]) that reads
   * the CTEs of `labelled`, one row per labelled episode. Stored in the measure model too.
   */
  episodeStatistics?(ctx: MeasureContext): RawBuilder<unknown>;
  /**
   * The slot of `episodeStatistics` (1-based) whose distribution a statistic needs (niatx:
   * wait days, for the median and IQR). The measure rollup (./model.ts) keeps its values apart
   * as `k`; every other slot is summed.
   */
  distributionSlot?: number;
  /**
   * Per-group statistics beyond label counts, from the per-episode figures: SQL selecting
   * (grp text, stats jsonb) from the framework's relation
   *   measure_stats(grp text, admitted_on date, n int, k int|null, stats int[])
   * whose rows each stand for `n` episodes of the request sharing `k` (the value of
   * `distributionSlot`, else null) and the admission month, with `stats` the sums of their
   * `episodeStatistics`: one row per episode (n = 1) read from the facts or the model, or a
   * row per key of the measure rollup (./model.ts). Statistics are therefore sums, counts
   * (sum(n), or a 0/1 slot), ratios of sums and, over `k`, weighted distributions.
   * The framework puts `stats` into group.statistics and calls `protectStatistics` with the
   * group's initial population and the min cell, so small cells are suppressed.
   */
  statistics?(ctx: MeasureContext): RawBuilder<unknown>;
  protectStatistics?(stats: Record<string, unknown>, n: number, minCell: number): Record<string, unknown>;
  /**
   * Disclosure control of `statistics` for roles below analyst (./protect.ts), after
   * `protectStatistics`: round counts to base 5 and recompute what derives from them, as
   * the label counts are. Without it, a measure's statistics pass unchanged.
   */
  discloseStatistics?(stats: Record<string, unknown>): Record<string, unknown>;
}
