/**
 * The one CSV cell writer of the product (docs/security.md "CSV exports"): the metric
 * CSVs (API `?format=csv` and `iop metrics --format csv`), the report CSV and the
 * dashboard's CSV downloads all write their cells here.
 *
 * It lives in metrics/ and imports nothing, so every later layer can use it as code:
 * api/ imports it, and it is the one module the dashboard imports at run time (the
 * layer order is ingest/warehouse → metrics → api → dashboard; elsewhere the dashboard
 * imports types only).
 *
 * Rules:
 * - RFC 4180: a cell holding `"`, `,`, CR or LF is quoted, with `"` doubled.
 * - Formula injection (OWASP "CSV Injection"; ASVS 5.0 V1.2.10; CWE-1236): a text cell
 *   whose first character is `=`, `+`, `-`, `@`, tab, CR, LF or NUL would be read as a
 *   formula (or the start of one) by Excel, LibreOffice or Google Sheets. It is written
 *   with a single quote `'` before it, and quoted.
 * - Numbers stay numbers: a JS number is written as itself (`-2.5`), never prefixed. A
 *   text cell is left alone when it is a plain decimal literal (`-?digits[.digits]`,
 *   e.g. `-4` or `-2.5`), which no spreadsheet reads as a formula; anything else that
 *   starts with `-` (`-2+3+cmd|' /C calc'!A0`, `-1e5`) is prefixed.
 */

export type CsvValue = string | number | boolean | null | undefined;

/** First characters that make a spreadsheet start a formula. */
export const FORMULA_START = /^[=+\-@\t\r\n\0]/;

const NUMERIC_TEXT = /^-?\d+(\.\d+)?$/;
const NEEDS_QUOTES = /[",\r\n]/;

/** A plain decimal literal, the only text starting with `-` that is written unprefixed. */
export function isNumericText(text: string): boolean {
  return NUMERIC_TEXT.test(text);
}

function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** One cell: null and undefined are empty, numbers and booleans are written as themselves. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return String(value);
  // A finite number cannot start a formula; -Infinity and NaN are text like any other.
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  const text = String(value);
  if (FORMULA_START.test(text) && !isNumericText(text)) return quote(`'${text}`);
  return NEEDS_QUOTES.test(text) ? quote(text) : text;
}

/** Records → an RFC 4180 document with CRLF line ends and a final CRLF. */
export function csvDocument(records: readonly (readonly CsvValue[])[]): string {
  return records.map((r) => `${r.map(csvCell).join(',')}\r\n`).join('');
}
