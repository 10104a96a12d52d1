import type { AgeBand, CompareOutcome, CompareUnit, GroupBy, ListFilter, Period, Sex, SpcSeriesName } from './types';

// The whole view lives in the query string so that a bookmark or a shared link reopens it
// exactly (dashboard issue, "Filters live in the URL").

export const PAGES = ['overview', 'retention', 'symptoms', 'relapse', 'attendance', 'qi', 'compare', 'measures', 'followup', 'progress'] as const;
export type Page = (typeof PAGES)[number];

/** The dimensions of DESIGN §11 in the API's order; tests/dashboard/state.test.ts ties the list to metrics/filters.ts GROUP_BY. */
export const GROUP_BYS: readonly GroupBy[] = ['track', 'period', 'sex', 'age_band', 'substance', 'site', 'clinician', 'race', 'ethnicity'];
/**
 * The dimension filters besides track (DESIGN §11: site, clinician, sex, age band, race, ethnicity,
 * substance), named as the API names them, in the URL as in the request (`site=S1&site=S2`);
 * tests/dashboard/state.test.ts ties the list to metrics/filters.ts LIST_FILTERS.
 */
export const LIST_FILTERS: readonly ListFilter[] = ['site', 'clinician', 'sex', 'age_band', 'race', 'ethnicity', 'substance'];
/** The fixed values of the sex and age-band filters (metrics/filters.ts SEXES, AGE_BAND_KEYS; tied by the state test). */
export const SEX_VALUES: readonly Sex[] = ['female', 'male', 'other', 'unknown'];
export const AGE_BAND_VALUES: readonly AgeBand[] = ['<18', '18-25', '26-34', '35-44', '45-54', '55-64', '65+', 'unknown'];
export type ListFilters = Readonly<Record<ListFilter, readonly string[]>>;
export const NO_LIST_FILTERS: ListFilters = Object.freeze({ site: [], clinician: [], sex: [], age_band: [], race: [], ethnicity: [], substance: [] });
export const PERIODS: readonly Period[] = ['month', 'quarter', 'year'];
export const DEFAULT_INSTRUMENT = 'PHQ-9';
/**
 * The outcomes and units of `GET /compare/{outcome}` (docs/comparisons.md); the types tie them to the API's lists, and
 * tests/dashboard/state.test.ts holds the outcomes equal to the API's (a newly registered measure is added here).
 */
export const COMPARE_OUTCOMES: readonly CompareOutcome[] = ['completion', 'positive_discharge', 'engagement', 'remission', 'abstinence', 'dep-rem-6', 'dep-rem-12', 'dep-resp-6', 'mbc', 'iet', 'niatx', 'i-serv', 'followup-6m'];
export const COMPARE_UNITS: readonly CompareUnit[] = ['track', 'site', 'clinician'];
/** The series of `GET /spc/{series}` (docs/metrics.md "SPC charts"); the type ties the list to the API's. */
export const SPC_SERIES: readonly SpcSeriesName[] = ['completion', 'positive-discharge', 'attendance', 'no-show', 'engagement', 'remission', 'length-of-stay', 'wait-days'];
export const SPC_PERIODS = ['month', 'quarter'] as const;
export type SpcPeriod = (typeof SPC_PERIODS)[number];
/** What a chart's periods group by (docs/metrics.md "SPC charts: Period basis"): admission (default) or discharge. */
export const SPC_BASES = ['admission', 'discharge'] as const;
export type SpcBasis = (typeof SPC_BASES)[number];
/** The series the API charts by discharge period; tests/dashboard/state.test.ts ties the list to the API's. */
export const SPC_DISCHARGE_SERIES: readonly SpcSeriesName[] = ['completion', 'positive-discharge', 'length-of-stay'];

export interface ViewState {
  page: Page;
  tracks: string[];
  from: string | null;
  to: string | null;
  asOf: string | null;
  groupBy: GroupBy;
  /** The second dimension of a two-way table (`group_by=track,race` in the URL, as the API reads it), or null. */
  groupBy2: GroupBy | null;
  /** The dimension filters: each a list, empty = all. */
  filters: ListFilters;
  period: Period | null;
  instrument: string;
  /** The Compare page's outcome and unit (`outcome`, `by` in the URL). */
  compareOutcome: CompareOutcome;
  compareBy: CompareUnit;
  /** The QI page's chart: series, period, Laney p′ and change dates (`series`, `spc_period`, `laney`, `split` in the URL). */
  spcSeries: SpcSeriesName;
  spcPeriod: SpcPeriod;
  /** `spc_basis` in the URL; sent as `period_basis` only for a series in SPC_DISCHARGE_SERIES. */
  spcBasis: SpcBasis;
  laney: boolean;
  splits: string[];
  /** The Progress page's episode view (`episode` in the URL), or null for the list. */
  episode: string | null;
}

export const DEFAULT_STATE: ViewState = Object.freeze({
  page: 'overview',
  tracks: [],
  from: null,
  to: null,
  asOf: null,
  groupBy: 'track',
  groupBy2: null,
  filters: NO_LIST_FILTERS,
  period: null,
  instrument: DEFAULT_INSTRUMENT,
  compareOutcome: 'completion',
  compareBy: 'track',
  spcSeries: 'completion',
  spcPeriod: 'month',
  spcBasis: 'admission',
  laney: false,
  splits: [],
  episode: null,
}) as ViewState;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function oneOf<T extends string>(allowed: readonly T[], value: string | null, fallback: T): T {
  return allowed.find((a) => a === value) ?? fallback;
}

function date(value: string | null): string | null {
  return value !== null && DATE.test(value) ? value : null;
}

/** Each list filter's values from a query string: trimmed, non-empty, unique, at most 100 (the API's limit), in the given order. */
function listFiltersOf(q: URLSearchParams): ListFilters {
  return Object.fromEntries(LIST_FILTERS.map((k) => [k, [...new Set(q.getAll(k).map((v) => v.trim()).filter((v) => v !== ''))].slice(0, 100)])) as unknown as ListFilters;
}

/** `group_by` as the API reads it: one dimension, or two comma-separated. */
export function groupByParam(state: Pick<ViewState, 'groupBy' | 'groupBy2'>): string {
  return state.groupBy2 && state.groupBy2 !== state.groupBy ? `${state.groupBy},${state.groupBy2}` : state.groupBy;
}

/** Reads a view from a query string, ignoring anything malformed rather than failing. */
export function parseState(search: string): ViewState {
  const q = new URLSearchParams(search);
  const tracks = [...new Set(q.getAll('track').filter((t) => t.trim() !== ''))];
  const period = q.get('period');
  const [first, second] = (q.get('group_by') ?? '').split(',').map((g) => g.trim());
  const groupBy = oneOf(GROUP_BYS, first ?? null, DEFAULT_STATE.groupBy);
  return {
    page: oneOf(PAGES, q.get('page'), DEFAULT_STATE.page),
    tracks,
    from: date(q.get('from')),
    to: date(q.get('to')),
    asOf: date(q.get('as_of')),
    groupBy,
    groupBy2: GROUP_BYS.find((g) => g === second && g !== groupBy) ?? null,
    filters: listFiltersOf(q),
    period: PERIODS.find((p) => p === period) ?? null,
    instrument: q.get('instrument')?.trim() || DEFAULT_STATE.instrument,
    compareOutcome: oneOf(COMPARE_OUTCOMES, q.get('outcome'), DEFAULT_STATE.compareOutcome),
    compareBy: oneOf(COMPARE_UNITS, q.get('by'), DEFAULT_STATE.compareBy),
    spcSeries: oneOf(SPC_SERIES, q.get('series'), DEFAULT_STATE.spcSeries),
    spcPeriod: oneOf(SPC_PERIODS, q.get('spc_period'), DEFAULT_STATE.spcPeriod),
    spcBasis: oneOf(SPC_BASES, q.get('spc_basis'), DEFAULT_STATE.spcBasis),
    laney: q.get('laney') === 'true',
    splits: [...new Set(q.getAll('split').filter((d) => DATE.test(d)))].sort(),
    episode: q.get('episode')?.trim().slice(0, 64) || null,
  };
}

/** Writes a view as a query string (with a leading "?", or "" for the default view); defaults are left out. */
export function stateToSearch(state: ViewState): string {
  const q = new URLSearchParams();
  if (state.page !== DEFAULT_STATE.page) q.set('page', state.page);
  for (const t of state.tracks) q.append('track', t);
  if (state.from) q.set('from', state.from);
  if (state.to) q.set('to', state.to);
  if (state.asOf) q.set('as_of', state.asOf);
  for (const k of LIST_FILTERS) for (const v of state.filters[k]) q.append(k, v);
  if (groupByParam(state) !== DEFAULT_STATE.groupBy) q.set('group_by', groupByParam(state));
  if (state.period) q.set('period', state.period);
  if (state.instrument !== DEFAULT_STATE.instrument) q.set('instrument', state.instrument);
  if (state.compareOutcome !== DEFAULT_STATE.compareOutcome) q.set('outcome', state.compareOutcome);
  if (state.compareBy !== DEFAULT_STATE.compareBy) q.set('by', state.compareBy);
  if (state.spcSeries !== DEFAULT_STATE.spcSeries) q.set('series', state.spcSeries);
  if (state.spcPeriod !== DEFAULT_STATE.spcPeriod) q.set('spc_period', state.spcPeriod);
  if (state.spcBasis !== DEFAULT_STATE.spcBasis) q.set('spc_basis', state.spcBasis);
  if (state.laney) q.set('laney', 'true');
  for (const d of state.splits) q.append('split', d);
  if (state.episode) q.set('episode', state.episode);
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

/** The filters every aggregate request of a view shares: its tracks, the dimension filters, admission dates and as_of. */
function scopeParams(state: ViewState): URLSearchParams {
  const q = new URLSearchParams();
  for (const t of state.tracks) q.append('track', t);
  for (const k of LIST_FILTERS) for (const v of state.filters[k]) q.append(k, v);
  if (state.from) q.set('from', state.from);
  if (state.to) q.set('to', state.to);
  if (state.asOf) q.set('as_of', state.asOf);
  return q;
}

/** The API filters of a view (docs/cli.md "Metric filters"), as query parameters. */
export function metricParams(state: ViewState, extra: Record<string, string> = {}): URLSearchParams {
  const q = scopeParams(state);
  q.set('group_by', groupByParam(state));
  if (state.period) q.set('period', state.period);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q;
}

/** The filters of a comparison (docs/comparisons.md): the metric filters without group_by and period, and the instrument. */
export function compareParams(state: ViewState, by: string): URLSearchParams {
  const q = scopeParams(state);
  q.set('instrument', state.instrument);
  q.set('by', by);
  return q;
}

/** The filters of an SPC chart (docs/metrics.md "SPC charts"): tracks, dates, as_of, the period, Laney, split dates and, for remission, the instrument. */
export function spcParams(state: ViewState): URLSearchParams {
  const q = scopeParams(state);
  q.set('period', state.spcPeriod);
  if (state.spcBasis === 'discharge' && SPC_DISCHARGE_SERIES.includes(state.spcSeries)) q.set('period_basis', 'discharge');
  if (state.laney) q.set('laney', 'true');
  for (const d of state.splits) q.append('split', d);
  if (state.spcSeries === 'remission') q.set('instrument', state.instrument);
  return q;
}

/**
 * Which controls of the filter bar a page applies: the dimension filters its requests take and
 * whether it groups. The overview is one row per track; the not-on-track list takes tracks and
 * clinicians only (metrics/progress/schema.ts ProgressAlertsQuerySchema).
 */
export function pageControls(page: Page): { dimensions: readonly ListFilter[]; grouping: boolean } {
  if (page === 'progress') return { dimensions: ['clinician'], grouping: false };
  return { dimensions: LIST_FILTERS, grouping: page !== 'overview' && page !== 'compare' && page !== 'qi' };
}

/** The filters of the not-on-track list (docs/progress.md "Alerts"): tracks, clinicians, as_of and the instrument. */
export function progressParams(state: ViewState): URLSearchParams {
  const q = new URLSearchParams();
  for (const t of state.tracks) q.append('track', t);
  for (const c of state.filters.clinician) q.append('clinician', c);
  if (state.asOf) q.set('as_of', state.asOf);
  q.set('instrument', state.instrument);
  return q;
}
