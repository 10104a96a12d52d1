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

export function baseOptions(opts: ChartOptions): PlotOptions {
  const base: PlotOptions = {
    width: opts.width ?? DEFAULT_WIDTH,
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
