import type { Cell, Kind } from './model';

/** Number formatting shared by the HTML and CSV renderings of the report. */

export const SUPPRESSED = '*';
export const MISSING = '–';

function round(value: number, digits: number): string {
  return value.toFixed(digits);
}

export function formatValue(value: number, kind: Kind): string {
  switch (kind) {
    case 'rate':
      return `${round(value * 100, 1)}%`;
    case 'count':
      return String(Math.round(value));
    case 'days':
      return Number.isInteger(value) ? String(value) : round(value, 1);
    case 'number':
      return round(value, 2);
  }
}

export function formatInterval(cell: Cell, kind: Kind): string {
  if (cell.lower === null && cell.upper === null) return '';
  const side = (v: number | null) => (v === null ? 'n/a' : formatValue(v, kind).replace('%', ''));
  return `${side(cell.lower)}–${side(cell.upper)}${kind === 'rate' ? '%' : ''}`;
}

export function formatCell(cell: Cell, kind: Kind): string {
  if (cell.suppressed) return SUPPRESSED;
  if (cell.value === null) return MISSING;
  return formatValue(cell.value, kind);
}
