import { COMPARE_OUTCOMES, COMPARE_UNITS, GROUP_BYS, PERIODS, SPC_BASES, SPC_DISCHARGE_SERIES, SPC_PERIODS, SPC_SERIES, type ViewState } from '../state';
import { SPC_SERIES_LABELS } from '../charts/spc-chart';
import type { Instrument, Track } from '../types';
import { h } from './dom';

export interface FilterOptions {
  tracks: readonly Track[];
  instruments: readonly Instrument[];
  showInstrument: boolean;
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

const GROUP_LABELS: Record<string, string> = { track: 'Track', period: 'Admission period', sex: 'Sex', age_band: 'Age band', substance: 'Primary substance' };

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
  ];
  if (opts.qi) {
    controls.push(...qiControls(doc, state, change));
  } else if (opts.compare) {
    controls.push(
      select(doc, 'filter-outcome', 'Outcome', COMPARE_OUTCOMES.map((o) => [o, OUTCOME_LABELS[o] ?? o]), state.compareOutcome, (o) => change({ compareOutcome: COMPARE_OUTCOMES.find((x) => x === o) ?? 'completion' })),
      select(doc, 'filter-by', 'Compare by', COMPARE_UNITS.map((u) => [u, UNIT_LABELS[u] ?? u]), state.compareBy, (u) => change({ compareBy: COMPARE_UNITS.find((x) => x === u) ?? 'track' })),
    );
  } else {
    controls.push(select(doc, 'filter-group-by', 'Group by', GROUP_BYS.map((g) => [g, GROUP_LABELS[g] ?? g]), state.groupBy, (g) => change({ groupBy: GROUP_BYS.find((x) => x === g) ?? 'track' })));
  }
  if (state.groupBy === 'period' && !opts.compare && !opts.qi) {
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
