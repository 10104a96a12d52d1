export type Cell = string | number | boolean | null | undefined;
/** Any flat record; interfaces without index signatures are accepted too. */
export type Row = object;

function quote(value: unknown): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** RFC 4180 CSV; the header is the union of the rows' keys in first-seen order, and null is an empty field. */
export function toCsv(rows: readonly Row[]): string {
  const records = rows.map((r) => new Map(Object.entries(r)));
  const header: string[] = [];
  for (const rec of records) for (const k of rec.keys()) if (!header.includes(k)) header.push(k);
  const lines = [header.map(quote).join(',')];
  for (const rec of records) lines.push(header.map((h) => quote(rec.get(h))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
