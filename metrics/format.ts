import { csvDocument } from './csv-cell';
import type { MetricResponse } from './types';

/**
 * CSV and terminal renderings of a metric response. Both are "one row per group"
 * (wide) views of the JSON: the group key first, then every scalar field; an
 * interval [lo, hi] becomes `<field>_lower`, `<field>_upper`; an object becomes
 * `<field>_<name>` (e.g. `reasons_completed`, `retention_at_30_survival`). Series
 * (`curve`, `by_week`, `trajectory`, `scatter`) stay in the JSON. Suppressed cells
 * are empty and listed in the `suppressed` column (`all` for a suppressed group).
 */

type Cell = string | number | boolean | null;
type Flat = Map<string, Cell>;

const SERIES = new Set(['curve', 'by_week', 'trajectory', 'scatter', 'scatter_bins', 'key', 'suppressed']);

/** Interval fields ([lo, hi] or null) keep their two columns even when null. */
const INTERVAL = /(_ci|_iqr)$/;

function flatten(prefix: string, value: unknown, out: Flat): void {
  if ((value === null || value === undefined) && INTERVAL.test(prefix)) {
    out.set(`${prefix}_lower`, null);
    out.set(`${prefix}_upper`, null);
  } else if (value === null || value === undefined) {
    out.set(prefix, null);
  } else if (Array.isArray(value)) {
    if (value.length === 2 && value.every((v) => v === null || typeof v === 'number')) {
      out.set(`${prefix}_lower`, value[0] as number | null);
      out.set(`${prefix}_upper`, value[1] as number | null);
    }
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(`${prefix}_${k}`, v, out);
  } else if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
    out.set(prefix, value);
  }
}

/** The key columns: the one dimension, or the two of a two-way table. */
function keyColumns(response: MetricResponse): string[] {
  const g = response.filters.group_by;
  return typeof g === 'string' ? [g] : [...g];
}

function flatGroup(group: object, groupBy: readonly string[]): Flat {
  const out: Flat = new Map();
  const record = group as Record<string, unknown>;
  const key = record.key as Record<string, string> | undefined;
  for (const d of groupBy) out.set(d, key?.[d] ?? null);
  for (const [field, value] of Object.entries(record)) {
    if (!SERIES.has(field)) flatten(field, value, out);
  }
  const suppressed = record.suppressed;
  out.set('suppressed', Array.isArray(suppressed) ? suppressed.join(';') : '');
  return out;
}

function columns(rows: readonly Flat[], groupBy: readonly string[]): string[] {
  const seen = new Set<string>(groupBy);
  for (const row of rows) for (const k of row.keys()) if (k !== 'suppressed') seen.add(k);
  return [...seen, 'suppressed'];
}

/** RFC 4180 CSV, header row first, one row per group, CRLF line ends; cells through csv-cell.ts. */
export function toCsv(response: MetricResponse): string {
  const groupBy = keyColumns(response);
  const rows = response.groups.map((g) => flatGroup(g, groupBy));
  const cols = ['metric', 'as_of', 'min_cell', ...columns(rows, groupBy)];
  const meta: Flat = new Map<string, Cell>([['metric', response.metric], ['as_of', response.as_of], ['min_cell', response.min_cell]]);
  return csvDocument([cols, ...rows.map((row) => cols.map((c) => meta.get(c) ?? row.get(c)))]);
}

function tableCell(value: Cell | undefined, suppressedGroup: boolean): string {
  if (value === null || value === undefined || value === '') return suppressedGroup ? '*' : '–';
  if (typeof value === 'number' && !Number.isInteger(value)) return value.toFixed(4);
  return String(value);
}

/**
 * A terminal table with one column per group and one line per field (metrics
 * have many fields and few groups, so this reads better than a wide table).
 */
export function toTable(response: MetricResponse): string {
  const groupBy = keyColumns(response);
  const rows = response.groups.map((g) => flatGroup(g, groupBy));
  const fields = columns(rows, groupBy);
  const body = fields.map((field) => [field, ...rows.map((r) => tableCell(r.get(field), r.get('suppressed') === 'all'))]);
  const widths = body.reduce<number[]>((w, line) => line.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  const render = (line: string[]) => line.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const header = `${response.metric} as of ${response.as_of} (min cell ${response.min_cell}${response.suppressed ? '; some cells suppressed' : ''})`;
  const logRank = response.log_rank ? `log-rank chi2 ${response.log_rank.chi2.toFixed(4)} on ${response.log_rank.df} df, p ${response.log_rank.p.toFixed(4)}` : null;
  return [header, ...body.map(render), ...(logRank ? [logRank] : [])].join('\n') + '\n';
}
