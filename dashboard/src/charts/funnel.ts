import * as Plot from '@observablehq/plot';
import { ciText, num, suppressedText } from '../format';
import { ALERT, NEUTRAL } from '../palette';
import type { AdjustedComparison, ComparisonUnit } from '../types';
import { AXIS_MARGINS, baseOptions, dataTable, DEFAULT_WIDTH, emptyState, isNumber, withSuppressedGroups, type ChartElement, type ChartOptions } from './common';

// The funnel plot of docs/comparisons.md "Funnel limits": O/E against E, with the 95% and
// 99.8% limits drawn from `funnel.curve` and each published unit as a labelled dot.

type Position = NonNullable<Extract<ComparisonUnit, { position: unknown }>['position']>;
type ShownUnit = Extract<ComparisonUnit, { n: number }>;

export const POSITION_ORDER: readonly Position[] = ['above_99.8', 'above_95', 'within_95', 'below_95', 'below_99.8'];
export const POSITION_LABELS: Record<Position, string> = {
  'above_99.8': 'Above 99.8% limit',
  above_95: 'Above 95% limit',
  within_95: 'Within 95% limits',
  below_95: 'Below 95% limit',
  'below_99.8': 'Below 99.8% limit',
};
/** Outside the 99.8% limits the strong colours, between 95% and 99.8% the light ones; inside, grey. */
const POSITION_COLOURS: Record<Position, string> = {
  'above_99.8': '#0072B2',
  above_95: '#56B4E9',
  within_95: NEUTRAL,
  below_95: '#E69F00',
  'below_99.8': ALERT,
};

export interface FunnelRow {
  unit: string;
  n: number | null;
  observed: number | null;
  expected: number | null;
  oe: number | null;
  oe_lower: number | null;
  oe_upper: number | null;
  position: string;
}

function isShown(u: ComparisonUnit): u is ShownUnit {
  return 'n' in u;
}

/** One row per unit in the API's order; a suppressed unit stays in its place, marked as suppressed. */
export function funnelRows(data: AdjustedComparison): FunnelRow[] {
  const hidden = `suppressed (${suppressedText(data.min_cell)})`;
  return data.units.map((u) => {
    if (!isShown(u)) return { unit: u.key, n: null, observed: null, expected: null, oe: null, oe_lower: null, oe_upper: null, position: hidden };
    return {
      unit: u.key, n: u.n, observed: u.observed, expected: u.expected, oe: u.oe,
      oe_lower: u.oe_ci?.[0] ?? null, oe_upper: u.oe_ci?.[1] ?? null,
      position: u.position ? POSITION_LABELS[u.position] : (u.suppressed ?? []).includes('position') ? hidden : '–',
    };
  });
}

interface Dot { unit: string; expected: number; oe: number; position: Position }

export interface LabelBox { unit: string; x: number; y: number; width: number; height: number }

const LABEL_HEIGHT = 13;
/** A conservative width of a 12px label, so that the layout keeps labels apart in any font. */
const labelWidth = (text: string) => 7.5 * text.length + 4;

/**
 * Places one label right of each dot (pixel coordinates in, pixel boxes out), moving a label down
 * below any earlier one its box would overlap. Pure and deterministic, so labels never overlap
 * whatever the data; a moved label gets a leader line to its dot.
 */
export function layoutLabels(points: readonly { unit: string; x: number; y: number }[]): LabelBox[] {
  const placed: LabelBox[] = [];
  const sorted = [...points].sort((a, b) => a.y - b.y || a.x - b.x || (a.unit < b.unit ? -1 : 1));
  for (const p of sorted) {
    const box: LabelBox = { unit: p.unit, x: p.x + 6, y: p.y - LABEL_HEIGHT / 2, width: labelWidth(p.unit), height: LABEL_HEIGHT };
    for (let moved = true; moved; ) {
      moved = false;
      for (const o of placed) {
        if (boxesOverlap(box, o)) {
          box.y = o.y + o.height + 1;
          moved = true;
        }
      }
    }
    placed.push(box);
  }
  return placed;
}

export function boxesOverlap(a: LabelBox, b: LabelBox): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

const MARGIN = { top: AXIS_MARGINS.marginTop, right: 110, bottom: AXIS_MARGINS.marginBottom, left: 50 };
const HEIGHT = 380;

/** O/E (y) against expected E (x), limits as curves, units as dots coloured by position and labelled without overlap. */
export function funnelChart(data: AdjustedComparison, opts: ChartOptions = {}): ChartElement {
  const dots: Dot[] = data.units.filter(isShown).flatMap((u) =>
    isNumber(u.expected) && isNumber(u.oe) && u.position ? [{ unit: u.key, expected: u.expected, oe: u.oe, position: u.position }] : []);
  const hidden = data.units.filter((u) => !isShown(u)).map((u) => u.key);
  if (dots.length === 0 || data.funnel.curve.length === 0) return withSuppressedGroups(emptyState('No unit can be drawn: the model was not fitted, or every unit is suppressed under the small-cell rule.', opts.document), hidden, data.min_cell, opts.document);
  const width = opts.width ?? DEFAULT_WIDTH;
  const xMax = 1.05 * Math.max(...dots.map((d) => d.expected), ...data.funnel.curve.map((c) => c.expected));
  // The limits flare at small E; the y axis follows the units and the 95% limits at the smallest unit.
  const smallest = Math.min(...dots.map((d) => d.expected));
  const upperAtSmallest = data.funnel.curve.find((c) => c.expected >= smallest)?.upper95 ?? 2;
  const yMax = Math.max(2, 1.1 * Math.max(...dots.map((d) => d.oe)), Math.min(upperAtSmallest * 1.1, 4));
  // The same linear maps Plot uses for these domains, ranges and margins, to place the labels in pixels.
  const px = (x: number) => MARGIN.left + (x / xMax) * (width - MARGIN.left - MARGIN.right);
  const py = (y: number) => MARGIN.top + (1 - y / yMax) * (HEIGHT - MARGIN.top - MARGIN.bottom);
  const fromPy = (p: number) => yMax * (1 - (p - MARGIN.top) / (HEIGHT - MARGIN.top - MARGIN.bottom));
  const boxes = layoutLabels(dots.map((d) => ({ unit: d.unit, x: px(d.expected), y: py(d.oe) })));
  const labels = boxes.map((b) => {
    const dot = dots.find((d) => d.unit === b.unit) as Dot;
    return { ...dot, labelY: fromPy(b.y + b.height / 2), moved: Math.abs(b.y + b.height / 2 - py(dot.oe)) > 0.5 };
  });
  const curve = data.funnel.curve;
  const line = (y: 'lower95' | 'upper95' | 'lower998' | 'upper998', dashed: boolean) =>
    Plot.line(curve, { x: 'expected', y, stroke: NEUTRAL, strokeWidth: 1, strokeDasharray: dashed ? '4,3' : undefined, clip: true });
  const title = (d: Dot) => `${d.unit}: O/E ${d.oe.toFixed(2)}, expected ${d.expected.toFixed(1)} (${POSITION_LABELS[d.position]})`;
  const present = POSITION_ORDER.filter((p) => dots.some((d) => d.position === p));
  return withSuppressedGroups(Plot.plot({
    ...baseOptions({ ...opts, width }),
    height: HEIGHT,
    marginTop: MARGIN.top, marginRight: MARGIN.right, marginBottom: MARGIN.bottom, marginLeft: MARGIN.left,
    x: { label: 'Expected outcomes (E) →', domain: [0, xMax], range: [MARGIN.left, width - MARGIN.right], grid: true },
    y: { label: '↑ Observed / expected (O/E)', domain: [0, yMax], range: [HEIGHT - MARGIN.bottom, MARGIN.top], grid: true },
    color: { type: 'ordinal', domain: present, range: present.map((p) => POSITION_COLOURS[p]), tickFormat: (p: Position) => POSITION_LABELS[p], legend: true },
    marks: [
      Plot.ruleY([1], { stroke: 'black' }),
      line('lower95', true), line('upper95', true), line('lower998', false), line('upper998', false),
      Plot.link(labels.filter((l) => l.moved), { x1: 'expected', y1: 'oe', x2: 'expected', y2: 'labelY', dx: 4, stroke: '#999', strokeWidth: 0.75 }),
      Plot.dot(dots, { x: 'expected', y: 'oe', fill: 'position', r: 5, stroke: 'white', title }),
      Plot.text(labels, { x: 'expected', y: 'labelY', text: 'unit', textAnchor: 'start', dx: 8, fontSize: 12, fill: 'black' }),
      Plot.text(['95% limits (dashed), 99.8% limits (solid)'], { frameAnchor: 'top-right', dy: -14, fontSize: 11, fill: NEUTRAL }),
    ],
  }), hidden, data.min_cell, opts.document);
}

/** Every unit in the API's order, the suppressed ones in place: what the dots stand for, and what could not be drawn. */
export function unitTable(data: AdjustedComparison, opts: { document?: Document } = {}): HTMLTableElement {
  const doc = opts.document ?? document;
  const cell = (text: string) => {
    const td = doc.createElement('td');
    td.textContent = text;
    return td;
  };
  const rows = funnelRows(data).map((r) => ({
    label: r.unit,
    dataset: (r.n === null ? { unit: r.unit, suppressed: 'all' } : { unit: r.unit }) as Record<string, string>,
    cells: r.n === null
      ? [cell(`suppressed (${suppressedText(data.min_cell)})`), cell(''), cell(''), cell(''), cell('')]
      : [cell(num(r.n)), cell(num(r.observed)), cell(num(r.expected, 1)),
        cell(r.oe === null ? '–' : `${num(r.oe, 2)} (${ciText(r.oe_lower !== null && r.oe_upper !== null ? [r.oe_lower, r.oe_upper] : null, (v) => v.toFixed(2))})`),
        cell(r.position)],
  }));
  return dataTable(doc, { className: 'unit-table', caption: `Units (${data.by}); – = withheld under the small-cell rule`, columns: [data.by, 'n', 'O', 'E', 'O/E (95% CI)', 'Position'], rows });
}
