import { COMPARE_OUTCOMES, COMPARE_UNITS, GROUP_BYS, PERIODS, type ViewState } from '../state';
import type { Instrument, Track } from '../types';
import { h } from './dom';

export interface FilterOptions {
  tracks: readonly Track[];
  instruments: readonly Instrument[];
  showInstrument: boolean;
  /** The Compare page picks an outcome and a unit instead of a grouping. */
  compare?: boolean;
  onChange: (next: ViewState) => void;
}

const OUTCOME_LABELS: Record<string, string> = {
  completion: 'Completion', positive_discharge: 'Positive discharge', engagement: 'Engagement (IET)', remission: 'Remission at discharge', abstinence: 'Abstinence (last 28 days)',
  'dep-rem-6': 'Depression remission at 6 months (DEP-REM-6)', 'dep-rem-12': 'Depression remission at 12 months (DEP-REM-12)', 'dep-resp-6': 'Depression response at 6 months (DEP-RESP-6)',
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

/** The filter bar; every control writes a new ViewState and leaves refetching to the caller. */
export function filterBar(doc: Document, state: ViewState, opts: FilterOptions): HTMLElement {
  const change = (patch: Partial<ViewState>) => opts.onChange({ ...state, ...patch });
  const controls: HTMLElement[] = [
    trackBoxes(doc, state, opts),
    dateInput(doc, 'filter-from', 'Admitted from', state.from, (from) => change({ from })),
    dateInput(doc, 'filter-to', 'Admitted to', state.to, (to) => change({ to })),
    dateInput(doc, 'filter-as-of', 'As of', state.asOf, (asOf) => change({ asOf })),
  ];
  if (opts.compare) {
    controls.push(
      select(doc, 'filter-outcome', 'Outcome', COMPARE_OUTCOMES.map((o) => [o, OUTCOME_LABELS[o] ?? o]), state.compareOutcome, (o) => change({ compareOutcome: COMPARE_OUTCOMES.find((x) => x === o) ?? 'completion' })),
      select(doc, 'filter-by', 'Compare by', COMPARE_UNITS.map((u) => [u, UNIT_LABELS[u] ?? u]), state.compareBy, (u) => change({ compareBy: COMPARE_UNITS.find((x) => x === u) ?? 'track' })),
    );
  } else {
    controls.push(select(doc, 'filter-group-by', 'Group by', GROUP_BYS.map((g) => [g, GROUP_LABELS[g] ?? g]), state.groupBy, (g) => change({ groupBy: GROUP_BYS.find((x) => x === g) ?? 'track' })));
  }
  if (state.groupBy === 'period' && !opts.compare) {
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
