import * as Plot from '@observablehq/plot';
import { suppressedText, suppressionExplanation } from '../format';

export { AXIS_MARGINS, bandTicks, baseOptions, colourScale, labelMargin, DEFAULT_WIDTH, emptyState, isNumber, NO_DATA, SUPPRESSED_FILL, type ChartElement, type ChartOptions } from '../../../charts/common';
import { baseOptions, labelMargin, SUPPRESSED_FILL, type ChartElement, type ChartOptions } from '../../../charts/common';

export interface TableRow {
  /** The row header (first column). */
  label: string;
  cells: Node[];
  /** data-* attributes for the row (tests and styles select on them). */
  dataset?: Record<string, string>;
}

/** A captioned table with column headers and one header cell per row: the shape every table here shares. */
export function dataTable(
  doc: Document,
  spec: { className: string; caption: string; columns: readonly string[]; rows: readonly TableRow[] },
): HTMLTableElement {
  const table = doc.createElement('table');
  table.className = spec.className;
  const caption = doc.createElement('caption');
  caption.textContent = spec.caption;
  table.append(caption);
  const head = doc.createElement('tr');
  for (const label of spec.columns) {
    const th = doc.createElement('th');
    th.scope = 'col';
    th.textContent = label;
    head.append(th);
  }
  table.createTHead().append(head);
  const body = table.createTBody();
  for (const r of spec.rows) {
    const tr = doc.createElement('tr');
    Object.assign(tr.dataset, r.dataset ?? {});
    const th = doc.createElement('th');
    th.scope = 'row';
    th.textContent = r.label;
    tr.append(th, ...r.cells);
    body.append(tr);
  }
  return table;
}


/**
 * Says, inside the chart's figure, which groups are not drawn because the small-cell rule withheld
 * them: "<min_cell" with the rule as a tooltip, so a group is never silently missing
 * (docs/metrics.md "Small-cell suppression"). The chart itself is returned when none is.
 */
export function withSuppressedGroups(chart: ChartElement, groups: readonly string[], minCell: number, doc: Document = document): ChartElement {
  if (groups.length === 0) return chart;
  let figure: ChartElement;
  if (chart.nodeName.toLowerCase() === 'figure') figure = chart;
  else {
    figure = doc.createElement('figure');
    figure.append(chart);
  }
  const note = doc.createElement('p');
  note.className = 'suppressed-note';
  note.title = suppressionExplanation(minCell);
  note.setAttribute('aria-label', `${groups.join(', ')}: suppressed. ${suppressionExplanation(minCell)}`);
  const mark = doc.createElement('abbr');
  mark.className = 'suppressed';
  mark.title = suppressionExplanation(minCell);
  mark.textContent = suppressedText(minCell);
  note.append(`Not drawn, withheld under the small-cell rule (`, mark, `): ${groups.join(', ')}.`);
  figure.append(note);
  return figure;
}

/**
 * 100% stacked horizontal bars, one bar per group, the parts in `order` with their colours: the shape of the
 * discharge-reason and Jacobson–Truax class charts.
 */
export function shareBars<T extends { group: string; count: number }>(
  rows: readonly T[],
  spec: {
    part: keyof T & string; order: readonly string[]; colours: readonly string[]; xLabel: string; title: (d: T) => string;
    /** Groups the small-cell rule withheld whole: they keep their row, a grey band marked "<min_cell" with the rule as its tooltip. */
    hidden?: readonly string[]; minCell?: number;
  },
  opts: ChartOptions,
): ChartElement {
  const hidden = [...(spec.hidden ?? [])];
  const groups = [...new Set([...rows.map((r) => r.group), ...hidden])];
  const minCell = spec.minCell ?? 11;
  const why = (g: string) => `${g}: ${suppressionExplanation(minCell)}`;
  return Plot.plot({
    ...baseOptions(opts),
    height: 60 + 36 * groups.length,
    marginLeft: labelMargin(groups),
    x: { label: spec.xLabel, percent: true, domain: [0, 100] },
    y: { label: null, domain: groups },
    color: { type: 'ordinal', domain: [...spec.order], range: [...spec.colours], legend: true },
    marks: [
      Plot.barX(rows, Plot.stackX({ x: 'count', y: 'group', fill: spec.part, offset: 'normalize', order: [...spec.order], title: spec.title })),
      Plot.barX(hidden, { x1: 0, x2: 0.12, y: (g: string) => g, fill: SUPPRESSED_FILL, title: why, className: 'suppressed-band' }),
      Plot.text(hidden, { x: 0, y: (g: string) => g, text: () => suppressedText(minCell), textAnchor: 'start', dx: 4, fill: '#333', title: why, ariaLabel: why, className: 'suppressed-marker' }),
      Plot.ruleX([0]),
    ],
  });
}
