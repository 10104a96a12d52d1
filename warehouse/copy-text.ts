/**
 * PostgreSQL COPY text format, shared by every COPY FROM STDIN of the product (the ingest's
 * staging, the TEDS-D extract's stored rows).
 */

/** One value in PostgreSQL COPY text format: \N for null, backslash, tab, LF and CR escaped. */
export function copyValue(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `{${v.map((x) => (x === null ? 'NULL' : String(x))).join(',')}}`;
  return String(v).replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}
