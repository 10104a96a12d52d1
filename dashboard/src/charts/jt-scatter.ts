import * as Plot from '@observablehq/plot';
import { groupLabel, isFieldSuppressed, isGroupSuppressed, shownGroups, suppressedText, suppressionExplanation } from '../format';
import type { Instrument, SymptomsResponse } from '../types';
import { baseOptions, colourScale, emptyState, isNumber, NO_DATA, SUPPRESSED_FILL, withSuppressedGroups, type ChartElement, type ChartOptions } from './common';

export interface ScatterRow {
  group: string;
  baseline: number;
  followup: number;
  n: number;
}

export function scatterRows(data: SymptomsResponse): ScatterRow[] {
  return data.groups.flatMap((g) =>
    isGroupSuppressed(g) ? [] : (g.scatter ?? []).map((c) => ({ group: groupLabel(g.key), baseline: c.baseline, followup: c.followup, n: c.n })),
  );
}

export interface BinRow {
  group: string;
  baseline: string;
  followup: string;
  n: number | null;
}

const bandLabel = ([a, b]: readonly [number, number]) => (a === b ? String(a) : `${a}–${b}`);

/** The API's binned counts (`scatter_bins`): one row per group × baseline band × follow-up band; n null when withheld. */
export function binRows(data: SymptomsResponse): BinRow[] {
  return shownGroups(data.groups).flatMap((g) =>
    (g.scatter_bins ?? []).map((c) => ({ group: groupLabel(g.key), baseline: bandLabel(c.baseline), followup: bandLabel(c.followup), n: c.n })));
}

/** Exact pairs would hide part of a group (pairs under min_cell are dropped), so the chart falls back to the binned counts. */
export function usesBins(data: SymptomsResponse): boolean {
  return shownGroups(data.groups).some((g) => isFieldSuppressed(g, 'scatter') && (g.scatter_bins ?? []).length > 0);
}

/** The CSV rows of the chart as drawn: the binned counts when it falls back to them, else the pairs. */
export function jtScatterRows(data: SymptomsResponse): (ScatterRow | BinRow)[] {
  return usesBins(data) ? binRows(data) : scatterRows(data);
}

/**
 * Baseline × follow-up severity bands as a heat map, one panel per group (the API's `scatter_bins`):
 * each cell is the number of paired episodes, a withheld cell is grey and marked "<min_cell" with the
 * rule as its tooltip. Cells below the diagonal improved by at least one band (when lower is better).
 */
export function jtBinnedChart(data: SymptomsResponse, opts: ChartOptions & { instrument?: Instrument } = {}): ChartElement {
  const rows = binRows(data);
  const hidden = data.groups.filter(isGroupSuppressed).map((g) => groupLabel(g.key));
  if (rows.length === 0) return withSuppressedGroups(emptyState(NO_DATA, opts.document), hidden, data.min_cell, opts.document);
  const code = opts.instrument?.code ?? String(data.filters.instrument ?? data.definition.instrument ?? '');
  const bands = [...new Set(rows.map((r) => r.baseline))];
  const groups = [...new Set(rows.map((r) => r.group))];
  const shown = rows.filter((r) => r.n !== null);
  const withheld = rows.filter((r) => r.n === null);
  // Panels in a grid of up to three columns, so six tracks stay readable at the page's width.
  const columns = Math.min(3, groups.length);
  const gridRows = Math.ceil(groups.length / columns);
  const col = (d: { group: string }) => groups.indexOf(d.group) % columns;
  const row = (d: { group: string }) => Math.floor(groups.indexOf(d.group) / columns);
  // wide enough for a band label ("10–14") under each column, so tick labels never touch
  const cell = 42;
  const panel = cell * bands.length;
  const why = (d: BinRow) => `${d.group}, baseline ${d.baseline}, follow-up ${d.followup}: ${suppressionExplanation(data.min_cell)}`;
  const title = (d: BinRow) => `${d.group}, baseline ${d.baseline}, follow-up ${d.followup}: ${d.n} paired episodes`;
  const max = Math.max(1, ...shown.map((r) => r.n ?? 0));
  const facet = { fx: col, fy: row };
  const chart = Plot.plot({
    ...baseOptions(opts),
    width: 70 + 20 + columns * (panel + 40),
    height: 40 + gridRows * (panel + 70),
    marginLeft: 70,
    marginRight: 20,
    marginTop: 30,
    marginBottom: 60,
    caption: `Each cell counts the paired episodes by baseline band (across) and follow-up band (up); below the dashed diagonal is a better band at follow-up when lower scores are better. Grey cells marked "${suppressedText(data.min_cell)}" are withheld under the small-cell rule.`,
    fx: { axis: null, padding: 0.2 },
    fy: { axis: null, padding: 0.3 },
    x: { label: `Baseline ${code} band →`, domain: bands, padding: 0.04 },
    y: { label: `↑ Follow-up ${code} band`, domain: [...bands].reverse(), padding: 0.04 },
    color: { type: 'sequential', scheme: 'blues', domain: [0, max] },
    marks: [
      Plot.cell(shown, { ...facet, x: 'baseline', y: 'followup', fill: 'n', title }),
      Plot.cell(withheld, { ...facet, x: 'baseline', y: 'followup', fill: SUPPRESSED_FILL, title: why, className: 'suppressed-band' }),
      Plot.text(shown.filter((r) => (r.n ?? 0) > 0), { ...facet, x: 'baseline', y: 'followup', text: (d: BinRow) => String(d.n), fill: (d: BinRow) => ((d.n ?? 0) > max / 2 ? 'white' : 'black'), fontSize: 10 }),
      Plot.text(withheld, { ...facet, x: 'baseline', y: 'followup', text: () => suppressedText(data.min_cell), fill: '#333', fontSize: 9, title: why, ariaLabel: why, className: 'suppressed-marker' }),
      Plot.line(groups.flatMap((group) => bands.map((b) => ({ group, b }))), { ...facet, x: 'b', y: 'b', z: 'group', stroke: '#666', strokeDasharray: '4,3' }),
      Plot.text(groups.map((group) => ({ group })), { ...facet, frameAnchor: 'top', dy: -14, text: 'group', fontWeight: 'bold', className: 'panel-title' }),
    ],
  });
  return withSuppressedGroups(chart, hidden, data.min_cell, opts.document);
}

function definitionNumber(data: SymptomsResponse, field: string): number | null {
  const v = data.definition[field];
  return isNumber(v) ? v : null;
}

/** RC thresholds in use: a group's own, else the definition's (docs/metrics.md "Symptom change"). */
export function rcThresholds(data: SymptomsResponse): number[] {
  const own = shownGroups(data.groups).map((g) => g.rc_threshold).filter(isNumber);
  const all = own.length > 0 ? own : [definitionNumber(data, 'rc_threshold')].filter(isNumber);
  return [...new Set(all)].sort((a, b) => a - b);
}

export function clinicalCutoff(data: SymptomsResponse, instrument?: Instrument): number | null {
  if (isNumber(instrument?.clinical_cutoff)) return instrument.clinical_cutoff;
  return definitionNumber(data, 'clinical_cutoff');
}

function scoreDomain(rows: readonly ScatterRow[], instrument?: Instrument): [number, number] {
  if (instrument) return [instrument.min_score, instrument.max_score];
  const values = rows.flatMap((r) => [r.baseline, r.followup]);
  return [Math.min(0, ...values), Math.max(...values)];
}

/**
 * The Jacobson–Truax plot: follow-up against baseline, with the no-change diagonal, the band of
 * changes smaller than RC around it, and the clinical cutoff on both axes (Jacobson & Truax 1991).
 */
export function jtScatterChart(data: SymptomsResponse, opts: ChartOptions & { instrument?: Instrument } = {}): ChartElement {
  if (usesBins(data)) return jtBinnedChart(data, opts);
  const rows = scatterRows(data);
  if (rows.length === 0) return emptyState(NO_DATA, opts.document);
  const [lo, hi] = scoreDomain(rows, opts.instrument);
  const code = opts.instrument?.code ?? String(data.filters.instrument ?? data.definition.instrument ?? '');
  const cutoff = clinicalCutoff(data, opts.instrument);
  const bands = rcThresholds(data).map((rc) => [
    { x: lo, y1: lo - rc, y2: lo + rc, rc },
    { x: hi, y1: hi - rc, y2: hi + rc, rc },
  ]);
  const groups = [...new Set(rows.map((r) => r.group))];
  const size = Math.min(opts.width ?? 480, 480);
  return Plot.plot({
    ...baseOptions(opts),
    width: size,
    height: size,
    marginLeft: 50,
    x: { label: `Baseline ${code} score (points) →`, domain: [lo, hi] },
    y: { label: `↑ Follow-up ${code} score (points)`, domain: [lo, hi] },
    r: { range: [2, 12] },
    color: colourScale(groups),
    marks: [
      ...bands.map((band) => Plot.areaY(band, { x: 'x', y1: 'y1', y2: 'y2', fill: '#888', fillOpacity: 0.15, clip: true })),
      Plot.line([[lo, lo], [hi, hi]], { stroke: '#666', strokeDasharray: '4,3' }),
      ...(cutoff === null ? [] : [Plot.ruleX([cutoff], { stroke: '#333' }), Plot.ruleY([cutoff], { stroke: '#333' })]),
      Plot.dot(rows, {
        x: 'baseline',
        y: 'followup',
        r: 'n',
        fill: 'group',
        fillOpacity: 0.7,
        stroke: 'white',
        title: (d: ScatterRow) => `${d.group}: baseline ${d.baseline}, follow-up ${d.followup}, ${d.n} episodes`,
      }),
      Plot.frame({ stroke: '#ccc' }),
    ],
  });
}
