import { readFileSync } from 'node:fs';
import path from 'node:path';
import type {
  AdjustedComparison,
  AttendanceResponse,
  Clinician,
  CompletionResponse,
  DimensionValues,
  EquityComparison,
  Instrument,
  MeasureResponse,
  ProgressAlertsResponse,
  ProgressBandsResponse,
  ProgressEpisodeResponse,
  RelapseResponse,
  RetentionResponse,
  Site,
  SpcResponse,
  SymptomsResponse,
  Track,
} from '../../dashboard/src/types';

const dir = path.join(import.meta.dirname, '../fixtures/api');

function load<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as T;
}

/** Fresh copies of the hand-written API responses, so a test may mutate its own. */
export const fixtures = {
  retention: () => load<RetentionResponse>('retention.json'),
  completion: () => load<CompletionResponse>('completion.json'),
  completionMonthly: () => load<CompletionResponse>('completion-monthly.json'),
  attendance: () => load<AttendanceResponse>('attendance.json'),
  symptoms: () => load<SymptomsResponse>('symptoms.json'),
  relapse: () => load<RelapseResponse>('relapse.json'),
  /** Written by the product's SPC engine and definition (metrics/stats/spc.ts): two phases, a shift, a sigma signal, a suppressed and two immature months. */
  spcCompletion: () => load<SpcResponse>('spc-completion.json'),
  tracks: () => load<Track[]>('tracks.json'),
  instruments: () => load<Instrument[]>('instruments.json'),
  sites: () => load<Site[]>('sites.json'),
  clinicians: () => load<Clinician[]>('clinicians.json'),
  dimensionValues: () => load<DimensionValues>('dimension-values.json'),
  /** Real API answers on the seeded program (tests/api/compare-fixtures.test.ts keeps them current). */
  compareClinician: () => load<AdjustedComparison>('compare-clinician.json'),
  compareRace: () => load<EquityComparison>('compare-race.json'),
  compareEthnicity: () => load<EquityComparison>('compare-ethnicity.json'),
  /** Real CLI answers on the generated demo cohort (2,000 episodes, seed 2026, as of 2026-06-30; min_cell 11). */
  followupMonthly: () => load<MeasureResponse>('followup-6m-monthly.json'),
  followup: () => load<MeasureResponse>('followup-6m.json'),
  noms: () => load<MeasureResponse>('noms.json'),
  measureRem6: () => load<MeasureResponse>('measure-dep-rem-6.json'),
  measureResp6Age: () => load<MeasureResponse>('measure-dep-resp-6-age.json'),
  /** Real API answers on the seeded program with a PHQ-9 fit (tests/api/progress-fixtures.test.ts keeps them current). */
  progressBands: () => load<ProgressBandsResponse>('progress-bands.json'),
  progressBandsViewer: () => load<ProgressBandsResponse>('progress-bands-viewer.json'),
  progressAlerts: () => load<ProgressAlertsResponse>('progress-alerts.json'),
  progressEpisode: () => load<ProgressEpisodeResponse>('progress-episode.json'),
};

/**
 * Serialises a chart the way Plot's own test suite does: numbers rounded to 2 decimals and Plot's
 * global clip-path counter removed, so that
 * floating-point noise in scale arithmetic never breaks a snapshot, one element per line.
 */
export function normalize(el: Element): string {
  return el.outerHTML
    .replace(/\bplot-clip-\d+\b/g, 'plot-clip')
    .replace(/-?\d+\.\d{3,}/g, (m) => String(Math.round(Number(m) * 100) / 100))
    .replace(/></g, '>\n<');
}
