import type { PlotOptions } from '@observablehq/plot';
import { OKABE_ITO } from './palette';

// The plot options every chart shares, in the dashboard and in the printable report.

export interface ChartOptions {
  /** Width in px; fixed by default so the same input always draws the same SVG. */
  width?: number;
  /** The document to draw into (jsdom in tests); window.document otherwise. */
  document?: Document;
  /** Accessible name of the chart (becomes aria-label). */
  ariaLabel?: string;
  /** One-sentence text alternative (becomes aria-description). */
  ariaDescription?: string;
}

export type ChartElement = SVGElement | HTMLElement;

export const DEFAULT_WIDTH = 720;

/**
 * Room for the axis labels (issue 18 item 6: an axis label never sits on its tick labels). Plot
 * puts the x label at the bottom right, `marginBottom - 3` below the frame, and the y label
 * at the top left, `marginTop - 3` above it; its defaults (30 and 20) leave the 15 px text
 * boxes of a 12 px label and of the last tick label overlapping. The bottom tick labels end
 * 9 + 15 px below the frame (tick 6, padding 3), so the x label needs 24 + 15 + 3; the top tick
 * label reaches 7.5 px above the frame, so the y label needs 7.5 + 15 + 3 (rounded up).
 */
export const AXIS_MARGINS = { marginTop: 28, marginBottom: 44 } as const;

export function baseOptions(opts: ChartOptions): PlotOptions {
  const base: PlotOptions = {
    width: opts.width ?? DEFAULT_WIDTH,
    ...AXIS_MARGINS,
    style: { fontSize: '12px', overflow: 'visible' },
  };
  if (opts.document) base.document = opts.document;
  if (opts.ariaLabel) base.ariaLabel = opts.ariaLabel;
  if (opts.ariaDescription) base.ariaDescription = opts.ariaDescription;
  return base;
}

export function colourScale(domain: readonly string[], legend = domain.length > 1): PlotOptions['color'] {
  return { type: 'ordinal', domain: [...domain], range: OKABE_ITO, legend };
}

/** The width of a tick label of `chars` characters at 12 px, generously (digits and dashes are about 7 px). */
const CHAR_PX = 7.5;

/**
 * The left margin that fits the longest y tick label (issue 18 item 6): group names grow long in a
 * two-way table ("downtown · unknown") and were cut off at a fixed 110 px. 7 px a character at
 * 12 px plus the tick and its padding; never under `min`, never over 300 px.
 */
export function labelMargin(labels: readonly string[], min = 110): number {
  const longest = Math.max(0, ...labels.map((l) => l.length));
  return Math.round(Math.min(300, Math.max(min, 7 * longest + 14)));
}

/**
 * The ticks of a band axis that fit side by side without overlapping (issue 18 item 6): every
 * k-th value, k the smallest step at which a label of the longest value fits its share of
 * the width, always keeping the first. Written once for every chart with a period axis, so
 * two dozen months never print as a smear of rotated labels.
 */
export function bandTicks(domain: readonly string[], plotWidth: number, gap = 12): string[] {
  if (domain.length === 0) return [];
  const label = Math.max(...domain.map((d) => d.length)) * CHAR_PX + gap;
  const step = Math.max(1, Math.ceil((label * domain.length) / Math.max(1, plotWidth)));
  return domain.filter((_, i) => i % step === 0);
}

/** Shown instead of a chart when there is nothing to draw, so a page never goes blank. */
export function emptyState(message: string, doc: Document = document): HTMLElement {
  const p = doc.createElement('p');
  p.className = 'empty-state';
  p.setAttribute('role', 'status');
  p.textContent = message;
  return p;
}

export const NO_DATA = 'No data for these filters (or every group is suppressed under the small-cell rule).';

export function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Grey, the colour every chart uses for a withheld value (never a group colour). */
export const SUPPRESSED_FILL = '#d9d9d9';
