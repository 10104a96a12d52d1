import {
  AGE_BAND_VALUES, COMPARE_OUTCOMES, COMPARE_UNITS, GROUP_BYS, LIST_FILTERS, PERIODS, SEX_VALUES, SPC_BASES, SPC_DISCHARGE_SERIES, SPC_PERIODS, SPC_SERIES, type ViewState,
} from '../state';
import { SPC_SERIES_LABELS } from '../charts/spc-chart';
import type { Clinician, DimensionValues, Instrument, ListFilter, Site, Track } from '../types';
import { h } from './dom';

export interface FilterOptions {
  tracks: readonly Track[];
  instruments: readonly Instrument[];
  /** The sites and clinicians the user may see (`GET /sites`, `/clinicians`); a list left empty hides its filter. */
  sites?: readonly Site[];
  clinicians?: readonly Clinician[];
  /** The recorded race, ethnicity and substance values (`GET /dimension-values`), suggested as the user types. */
  values?: DimensionValues | null;
  showInstrument: boolean;
  /** The dimension filters the page applies (state.ts pageControls); all by default. */
  dimensions?: readonly ListFilter[];
  /** Whether the page groups (a group-by control); true by default. */
  grouping?: boolean;
  /** The Compare page picks an outcome and a unit instead of a grouping. */
  compare?: boolean;
  /** The QI page picks a series, its period, Laney p′ and change dates instead of a grouping. */
  qi?: boolean;
  onChange: (next: ViewState) => void;
}

const OUTCOME_LABELS: Record<string, string> = {
  completion: 'Completion', positive_discharge: 'Positive discharge', engagement: 'Engagement (IET)', remission: 'Remission at discharge', abstinence: 'Abstinence (last 28 days)',
  'dep-rem-6': 'Depression remission at 6 months (DEP-REM-6)', 'dep-rem-12': 'Depression remission at 12 months (DEP-REM-12)', 'dep-resp-6': 'Depression response at 6 months (DEP-RESP-6)',
  mbc: 'Measured in 80% of weeks (MBC)', iet: 'IET engagement', niatx: 'Continuation to a 4th session (NIATx)', 'i-serv': 'First service within 10 business days (I-SERV)',
  'followup-6m': 'Six-month follow-up completed (GPRA)',
};
const UNIT_LABELS: Record<string, string> = { track: 'Track', site: 'Site', clinician: 'Clinician' };

const GROUP_LABELS: Record<string, string> = {
  track: 'Track', period: 'Admission period', sex: 'Sex', age_band: 'Age band', substance: 'Primary substance',
  site: 'Site', clinician: 'Clinician', race: 'Race', ethnicity: 'Ethnicity',
};

function dateInput(doc: Document, id: string, label: string, value: string | null, onChange: (v: string | null) => void): HTMLElement {
  const input = h(doc, 'input', { id, type: 'date', value: value ?? '', 'data-testid': id }) as HTMLInputElement;
  input.addEventListener('change', () => onChange(input.value === '' ? null : input.value));
  return h(doc, 'p', { class: 'filter' }, h(doc, 'label', { for: id }, label), input);
}

function select(doc: Document, id: string, label: string, options: [string, string][], value: string, onChange: (v: string) => void): HTMLElement {
  const el = h(doc, 'select', { id, 'data-testid': id }, ...options.map(([v, text]) => h(doc, 'option', { value: v, selected: v === value }, text))) as HTMLSelectElement;
  el.value = value;
  el.addEventListener('change', () => onChange(el.value));
  return h(doc, 'p', { class: 'filter' }, h(doc, 'label', { for: id }, label), el);
}

/** A list filter as a multiple select (none selected = all); the selection is the filter's values. */
function multiSelect(doc: Document, id: string, label: string, options: [string, string][], values: readonly string[], onChange: (v: string[]) => void): HTMLElement {
  const chosen = new Set(values);
  // A value the URL carries but the list lacks (a retired site) stays visible and selected.
  const all: [string, string][] = [...options, ...values.filter((v) => !options.some(([o]) => o === v)).map((v): [string, string] => [v, v])];
  const el = h(doc, 'select', { id, multiple: true, size: Math.min(4, Math.max(2, all.length)), 'data-testid': id },
    ...all.map(([v, text]) => h(doc, 'option', { value: v, selected: chosen.has(v) }, text))) as HTMLSelectElement;
  el.addEventListener('change', () => onChange([...el.selectedOptions].map((o) => o.value)));
  return h(doc, 'p', { class: 'filter' }, h(doc, 'label', { for: id }, `${label} (none = all)`), el);
}

/** Values typed as a comma-separated list (race and ethnicity as recorded, substance codes): trimmed, non-empty, unique. */
export function parseList(text: string): string[] {
  return [...new Set(text.split(',').map((v) => v.trim()).filter((v) => v !== ''))];
}

/**
 * A free-text list filter, with the recorded values (`suggestions`, GET /dimension-values)
 * offered as a datalist. The browser matches a datalist against the whole input, so it
 * suggests the first value; more are typed after a comma, and any value may be typed.
 */
function listInput(doc: Document, id: string, label: string, placeholder: string, values: readonly string[], suggestions: readonly string[], onChange: (v: string[]) => void): HTMLElement {
  const listId = `${id}-values`;
  const input = h(doc, 'input', { id, type: 'text', value: values.join(', '), placeholder, size: 18, 'data-testid': id, ...(suggestions.length > 0 ? { list: listId } : {}) }) as HTMLInputElement;
  input.addEventListener('change', () => onChange(parseList(input.value)));
  const list = suggestions.length > 0
    ? [h(doc, 'datalist', { id: listId, 'data-testid': listId }, ...suggestions.map((v) => h(doc, 'option', { value: v })))]
    : [];
  return h(doc, 'p', { class: 'filter' }, h(doc, 'label', { for: id }, label), input, ...list);
}

/**
 * The dimension filters of DESIGN §11: site and clinician from the API's scoped lists, sex and
 * age band from their fixed values, race, ethnicity and substance typed as recorded (the API
 * lower-cases them and matches the value group_by shows, `unknown` for a missing one).
 */
function dimensionFilters(doc: Document, state: ViewState, opts: FilterOptions): HTMLElement[] {
  const set = (k: ListFilter) => (values: string[]) => opts.onChange({ ...state, filters: { ...state.filters, [k]: values } });
  const sites = opts.sites ?? [];
  const clinicians = opts.clinicians ?? [];
  const applies = (k: ListFilter) => (opts.dimensions ?? LIST_FILTERS).includes(k);
  const out: HTMLElement[] = [];
  if (applies('site') && (sites.length > 0 || state.filters.site.length > 0)) out.push(multiSelect(doc, 'filter-site', 'Site', sites.map((s) => [s.site_code, s.name || s.site_code]), state.filters.site, set('site')));
  if (applies('clinician') && (clinicians.length > 0 || state.filters.clinician.length > 0)) {
    out.push(multiSelect(doc, 'filter-clinician', 'Clinician', clinicians.map((c) => [c.clinician_id, c.name || c.clinician_id]), state.filters.clinician, set('clinician')));
  }
  const controls: Record<'sex' | 'age_band' | 'race' | 'ethnicity' | 'substance', () => HTMLElement> = {
    sex: () => multiSelect(doc, 'filter-sex', 'Sex', SEX_VALUES.map((v) => [v, v]), state.filters.sex, set('sex')),
    age_band: () => multiSelect(doc, 'filter-age-band', 'Age band', AGE_BAND_VALUES.map((v) => [v, v]), state.filters.age_band, set('age_band')),
    race: () => listInput(doc, 'filter-race', 'Race (comma-separated)', 'e.g. white', state.filters.race, opts.values?.race ?? [], set('race')),
    ethnicity: () => listInput(doc, 'filter-ethnicity', 'Ethnicity (comma-separated)', 'e.g. hispanic or latino', state.filters.ethnicity, opts.values?.ethnicity ?? [], set('ethnicity')),
    substance: () => listInput(doc, 'filter-substance', 'Substance (comma-separated)', 'e.g. alcohol, opioids', state.filters.substance, opts.values?.substance ?? [], set('substance')),
  };
  const kinds = (['sex', 'age_band', 'race', 'ethnicity', 'substance'] as const).filter(applies);
  if (kinds.length === 0) return out;
  const patient = kinds.map((k) => controls[k]());
  const given = kinds.filter((k) => state.filters[k].length > 0);
  out.push(h(doc, 'details', { class: 'filter more-filters', open: given.length > 0, 'data-testid': 'filter-patient' },
    h(doc, 'summary', {}, given.length > 0 ? `Patient filters (${given.length})` : 'Patient filters'),
    h(doc, 'div', { class: 'more-filters-body' }, ...patient)));
  return out;
}

function trackBoxes(doc: Document, state: ViewState, opts: FilterOptions): HTMLElement {
  const set = new Set(state.tracks);
  const boxes = opts.tracks.map((t) => {
    const id = `filter-track-${t.track_code}`;
    const box = h(doc, 'input', { type: 'checkbox', id, value: t.track_code, checked: set.has(t.track_code), 'data-testid': id }) as HTMLInputElement;
    box.addEventListener('change', () => {
      const tracks = opts.tracks.map((x) => x.track_code).filter((c) => (c === t.track_code ? box.checked : set.has(c)));
      opts.onChange({ ...state, tracks });
    });
    return h(doc, 'label', { class: 'track', for: id }, box, ` ${t.name}`);
  });
  return h(doc, 'fieldset', { class: 'filter tracks', 'data-testid': 'filter-tracks' }, h(doc, 'legend', {}, 'Tracks (none = all)'), ...boxes);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Change dates typed as a list ("2026-01-01, 2026-06-01"): the valid ones, sorted and unique; the rest are reported beside the field. */
export function parseSplits(text: string): { dates: string[]; rejected: string[] } {
  const parts = text.split(/[\s,;]+/).filter((p) => p !== '');
  const ok = (p: string) => DATE.test(p) && !Number.isNaN(Date.parse(`${p}T00:00:00Z`)) && new Date(`${p}T00:00:00Z`).toISOString().startsWith(p);
  return { dates: [...new Set(parts.filter(ok))].sort(), rejected: parts.filter((p) => !ok(p)) };
}

function qiControls(doc: Document, state: ViewState, change: (patch: Partial<ViewState>) => void): HTMLElement[] {
  const laney = h(doc, 'input', { id: 'filter-laney', type: 'checkbox', checked: state.laney, 'data-testid': 'filter-laney' }) as HTMLInputElement;
  laney.addEventListener('change', () => change({ laney: laney.checked }));
  const split = h(doc, 'input', { id: 'filter-split', type: 'text', value: state.splits.join(', '), placeholder: 'YYYY-MM-DD, …', size: 24, 'data-testid': 'filter-split', 'aria-describedby': 'filter-split-error' }) as HTMLInputElement;
  const error = h(doc, 'span', { id: 'filter-split-error', class: 'error', role: 'status', 'data-testid': 'filter-split-error' });
  split.addEventListener('change', () => {
    const { dates, rejected } = parseSplits(split.value);
    error.textContent = rejected.length > 0 ? `Not a date (YYYY-MM-DD): ${rejected.join(', ')}` : '';
    if (rejected.length === 0) change({ splits: dates });
  });
  return [
    select(doc, 'filter-series', 'Series', SPC_SERIES.map((s) => [s, SPC_SERIES_LABELS[s]]), state.spcSeries, (v) => change({ spcSeries: SPC_SERIES.find((x) => x === v) ?? 'completion' })),
    select(doc, 'filter-spc-period', 'Period', SPC_PERIODS.map((p) => [p, p]), state.spcPeriod, (v) => change({ spcPeriod: SPC_PERIODS.find((x) => x === v) ?? 'month' })),
    // the basis is offered only for the series whose outcome is known at discharge
    ...(SPC_DISCHARGE_SERIES.includes(state.spcSeries)
      ? [select(doc, 'filter-spc-basis', 'Periods by', SPC_BASES.map((b) => [b, b]), state.spcBasis, (v) => change({ spcBasis: SPC_BASES.find((x) => x === v) ?? 'admission' }))]
      : []),
    h(doc, 'p', { class: 'filter' }, h(doc, 'label', { for: 'filter-laney' }, 'Laney p′'), laney),
    h(doc, 'p', { class: 'filter' }, h(doc, 'label', { for: 'filter-split' }, 'Change dates (phases)'), split, error),
  ];
}

/** The filter bar; every control writes a new ViewState and leaves refetching to the caller. */
export function filterBar(doc: Document, state: ViewState, opts: FilterOptions): HTMLElement {
  const change = (patch: Partial<ViewState>) => opts.onChange({ ...state, ...patch });
  const controls: HTMLElement[] = [
    trackBoxes(doc, state, opts),
    dateInput(doc, 'filter-from', 'Admitted from', state.from, (from) => change({ from })),
    dateInput(doc, 'filter-to', 'Admitted to', state.to, (to) => change({ to })),
    dateInput(doc, 'filter-as-of', 'As of', state.asOf, (asOf) => change({ asOf })),
    ...dimensionFilters(doc, state, opts),
  ];
  if (opts.qi) {
    controls.push(...qiControls(doc, state, change));
  } else if (opts.compare) {
    controls.push(
      select(doc, 'filter-outcome', 'Outcome', COMPARE_OUTCOMES.map((o) => [o, OUTCOME_LABELS[o] ?? o]), state.compareOutcome, (o) => change({ compareOutcome: COMPARE_OUTCOMES.find((x) => x === o) ?? 'completion' })),
      select(doc, 'filter-by', 'Compare by', COMPARE_UNITS.map((u) => [u, UNIT_LABELS[u] ?? u]), state.compareBy, (u) => change({ compareBy: COMPARE_UNITS.find((x) => x === u) ?? 'track' })),
    );
  } else if (opts.grouping ?? true) {
    controls.push(
      select(doc, 'filter-group-by', 'Group by', GROUP_BYS.map((g) => [g, GROUP_LABELS[g] ?? g]), state.groupBy, (g) => {
        const groupBy = GROUP_BYS.find((x) => x === g) ?? 'track';
        change({ groupBy, groupBy2: state.groupBy2 === groupBy ? null : state.groupBy2 });
      }),
      // A two-way table (DESIGN §11 `--group-by a,b`): every cell suppressed on its own, with complementary suppression.
      select(doc, 'filter-group-by-2', 'Then by', [['', '(none)'], ...GROUP_BYS.filter((g) => g !== state.groupBy).map((g): [string, string] => [g, GROUP_LABELS[g] ?? g])],
        state.groupBy2 ?? '', (g) => change({ groupBy2: GROUP_BYS.find((x) => x === g && x !== state.groupBy) ?? null })),
    );
  }
  if ((state.groupBy === 'period' || state.groupBy2 === 'period') && !opts.compare && !opts.qi && (opts.grouping ?? true)) {
    controls.push(select(doc, 'filter-period', 'Period', PERIODS.map((p) => [p, p]), state.period ?? 'quarter', (p) => change({ period: PERIODS.find((x) => x === p) ?? null })));
  }
  if (opts.showInstrument) {
    const instruments: [string, string][] = opts.instruments.length > 0 ? opts.instruments.map((i) => [i.code, i.name || i.code]) : [[state.instrument, state.instrument]];
    controls.push(select(doc, 'filter-instrument', 'Instrument', instruments, state.instrument, (instrument) => change({ instrument })));
  }
  const form = h(doc, 'form', { class: 'filters no-print', 'aria-label': 'Filters', 'data-testid': 'filters' }, ...controls);
  form.addEventListener('submit', (e) => e.preventDefault());
  return form;
}
