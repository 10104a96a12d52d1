// The one code import the dashboard takes from the server layers: the shared CSV cell
// writer, so a download neutralises formula text exactly as the API's CSV does
// (docs/security.md "CSV exports"). It imports nothing, so nothing else ships.
import { csvDocument, type CsvValue } from '../../metrics/csv-cell';

export type Cell = string | number | boolean | null | undefined;
/** Any flat record; interfaces without index signatures are accepted too. */
export type Row = object;

/** An object or array cell is written as its JSON text (which starts with `{` or `[`). */
function cellValue(value: unknown): CsvValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return String(value);
}

/** RFC 4180 CSV; the header is the union of the rows' keys in first-seen order, and null is an empty field. */
export function toCsv(rows: readonly Row[]): string {
  const records = rows.map((r) => new Map(Object.entries(r)));
  const header: string[] = [];
  for (const rec of records) for (const k of rec.keys()) if (!header.includes(k)) header.push(k);
  return csvDocument([header, ...records.map((rec) => header.map((h) => cellValue(rec.get(h))))]);
}
