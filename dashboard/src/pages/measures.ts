import type { Row } from '../csv';
import { rateBarsChart, rateRowOf, type RateRow } from '../charts/rate-bars';
import { labelRows, measureLabelsChart } from '../charts/measure-labels';
import { metricParams } from '../state';
import type { MeasureName, MeasureResponse, Role } from '../types';
import { chartCard } from '../ui/chart-card';
import { saveBlob } from '../ui/download';
import { h } from '../ui/dom';
import type { Api } from '../api';
import { pageSection, type PageModule } from './page';

/** The measures this page shows, in order (docs/measures.md); a measure the server has not registered is left out. */
export const DASHBOARD_MEASURES: readonly MeasureName[] = ['dep-rem-6', 'dep-rem-12', 'dep-resp-6'];

/** The roles that may download a measure's per-episode rows (the API answers 403 to the others). */
const ROW_ROLES: readonly Role[] = ['admin', 'analyst'];

export interface MeasuresData {
  measures: MeasureResponse[];
  /** Fetches the rows CSV of a measure for the current filters (audited by the API). */
  rows: (name: MeasureName) => Promise<string>;
}

const TITLES: Partial<Record<MeasureName, string>> = {
  'dep-rem-6': 'Depression remission at 6 months',
  'dep-rem-12': 'Depression remission at 12 months',
  'dep-resp-6': 'Depression response at 6 months',
};

function rateRows(m: MeasureResponse): RateRow[] {
  return m.groups.map((g) => rateRowOf(g, m.measure, 'initial_population' in g
    ? { rate: g.rate, ci: g.rate_ci, numerator: g.numerator, denominator: g.denominator }
    : {}, ['rate']));
}

function definitionOf(m: MeasureResponse): string {
  return `${Object.values(m.definition.text).join(' ')} Source: ${m.definition.source}.`;
}

function rowsButton(doc: Document, m: MeasureResponse, data: MeasuresData): HTMLElement {
  const b = h(doc, 'button', { type: 'button', class: 'download', 'data-testid': `download-rows-${m.measure}` }, 'Episode rows (CSV, audited)');
  b.addEventListener('click', () => {
    data.rows(m.measure).then((csv) => saveBlob(doc, new Blob([csv], { type: 'text/csv' }), `iop-${m.measure}-rows.csv`))
      .catch((err: unknown) => b.setAttribute('title', err instanceof Error ? err.message : String(err)));
  });
  return b;
}

function measureCard(doc: Document, m: MeasureResponse, data: MeasuresData, role: Role | undefined): HTMLElement {
  const title = `${TITLES[m.measure] ?? m.measure} (${m.definition.source})`;
  const rates = chartCard(doc, {
    name: `measure-${m.measure}`,
    title,
    howTo: 'Each bar is the share of the denominator (episodes whose window has closed, exclusions left out) meeting the measure, with its 95% Wilson CI; a withheld rate is marked in place.',
    definition: definitionOf(m),
    chart: rateBarsChart(rateRows(m), { document: doc, xLabel: 'Rate (%) →', minCell: m.min_cell }),
    rows: rateRows(m) as unknown as Row[],
    aside: m.notes.length ? m.notes.join(' ') : undefined,
  });
  const labels = chartCard(doc, {
    name: `measure-labels-${m.measure}`,
    title: `${m.measure}: every episode's label`,
    howTo: 'Each episode of the initial population has one label; the right panel holds the episodes whose outcome window is still open, outside the denominator until it closes.',
    definition: definitionOf(m),
    chart: measureLabelsChart(m, { document: doc }),
    rows: labelRows(m) as unknown as Row[],
    below: role && ROW_ROLES.includes(role) ? h(doc, 'p', { class: 'rows-download no-print' }, rowsButton(doc, m, data)) : undefined,
  });
  return h(doc, 'div', { class: 'measure', 'data-measure': m.measure }, rates, labels);
}

async function loadMeasure(api: Api, name: MeasureName, params: URLSearchParams): Promise<MeasureResponse | null> {
  try {
    return await api.measure(name, params);
  } catch (err) {
    // A measure this server does not offer yet answers 400 "not available": leave it out, keep the others.
    if (err instanceof Error && /not available/.test(err.message)) return null;
    throw err;
  }
}

/** Standard measures (docs/measures.md): each one's rate with its CI by the chosen grouping, and its label breakdown. */
export const measuresPage: PageModule<MeasuresData> = {
  title: 'Measures',
  load: async (api, state) => {
    const params = metricParams(state);
    const all = await Promise.all(DASHBOARD_MEASURES.map((name) => loadMeasure(api, name, params)));
    return { measures: all.filter((m): m is MeasureResponse => m !== null), rows: (name) => api.measureRowsCsv(name, params) };
  },
  view(data, ctx) {
    const doc = ctx.doc;
    return pageSection(
      doc,
      'Standard measures',
      'Named measures as funders and accreditors define them (CCBHC, CMS, NQF), adapted to the program’s records. Episodes are selected by their index date; the full definitions are in docs/measures.md.',
      ...data.measures.map((m) => measureCard(doc, m, data, ctx.role)),
    );
  },
};
