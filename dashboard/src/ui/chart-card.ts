import { toCsv, type Row } from '../csv';
import { mainSvg, saveBlob, svgString, svgToPng } from './download';
import { h } from './dom';

export interface CardSpec {
  /** Stable name: the container is data-testid="chart-<name>" and files are iop-<name>.*. */
  name: string;
  title: string;
  /** One sentence: how to read this chart. */
  howTo: string;
  /** The docs/metrics.md wording. */
  definition: string;
  chart: SVGElement | HTMLElement;
  /** The chart's data, for the CSV download. */
  rows: readonly Row[];
  /** Shown beside the chart (completeness, notes). */
  aside?: Node | string;
  /** Shown under the chart (a risk table). */
  below?: Node;
}

function button(doc: Document, label: string, testid: string, onClick: () => void | Promise<void>): HTMLElement {
  const b = h(doc, 'button', { type: 'button', class: 'download', 'data-testid': testid }, label);
  b.addEventListener('click', () => {
    Promise.resolve(onClick()).catch((err: unknown) => {
      b.setAttribute('title', err instanceof Error ? err.message : String(err));
    });
  });
  return b;
}

function downloads(doc: Document, spec: CardSpec): HTMLElement {
  const file = `iop-${spec.name}`;
  const bar = h(doc, 'div', { class: 'downloads no-print', role: 'group', 'aria-label': `Download ${spec.title}` });
  bar.append(button(doc, 'CSV', `download-csv-${spec.name}`, () => saveBlob(doc, new Blob([toCsv(spec.rows)], { type: 'text/csv' }), `${file}.csv`)));
  const svg = mainSvg(spec.chart);
  if (!svg) return bar;
  bar.append(
    button(doc, 'SVG', `download-svg-${spec.name}`, () => saveBlob(doc, new Blob([svgString(svg)], { type: 'image/svg+xml' }), `${file}.svg`)),
    button(doc, 'PNG', `download-png-${spec.name}`, async () => saveBlob(doc, await svgToPng(svg), `${file}.png`)),
  );
  return bar;
}

/** The frame every chart gets: title, how to read it, the chart, its definition and downloads. */
export function chartCard(doc: Document, spec: CardSpec): HTMLElement {
  const id = `chart-${spec.name}`;
  const svg = mainSvg(spec.chart);
  if (svg) {
    svg.setAttribute('role', 'img');
    if (!svg.getAttribute('aria-label')) svg.setAttribute('aria-label', `${spec.title}. ${spec.howTo}`);
  }
  return h(
    doc,
    'section',
    { class: 'card', 'data-testid': id, 'aria-labelledby': `${id}-title` },
    h(doc, 'h3', { id: `${id}-title` }, spec.title),
    h(doc, 'p', { class: 'how-to' }, spec.howTo),
    h(doc, 'div', { class: spec.aside ? 'card-body with-aside' : 'card-body' }, h(doc, 'div', { class: 'chart' }, spec.chart), spec.aside ? h(doc, 'aside', { class: 'aside' }, spec.aside) : null),
    spec.below ?? null,
    h(doc, 'details', { class: 'definition' }, h(doc, 'summary', {}, 'Definition'), h(doc, 'p', {}, spec.definition)),
    downloads(doc, spec),
  );
}
