export type Cell = string | number | boolean | null | undefined;
export type Row = Record<string, Cell>;

function quote(value: Cell): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** RFC 4180 CSV; the header is the union of the rows' keys in first-seen order, and null is an empty field. */
export function toCsv(rows: readonly Row[]): string {
  const header: string[] = [];
  for (const row of rows) for (const k of Object.keys(row)) if (!header.includes(k)) header.push(k);
  const lines = [header.map(quote).join(',')];
  for (const row of rows) lines.push(header.map((h) => quote(row[h])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
