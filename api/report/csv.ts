import type { ReportData } from './gather';
import { csvDocument, type CsvValue } from '../../metrics/csv-cell';
import { formatCell } from './format';

/**
 * The report as long CSV (RFC 4180, CRLF): one line per (table, track, measure) with
 * the raw value and CI, so a spreadsheet or R script can rebuild every table. `display`
 * is what the HTML prints; `suppressed` is true where the small-cell rule hid the value.
 * Cells go through metrics/csv-cell.ts, which neutralises formula text (track names).
 */
const HEADER = ['section', 'metric', 'instrument', 'track', 'track_name', 'measure', 'label', 'value', 'lower', 'upper', 'suppressed', 'display', 'as_of', 'min_cell'];

export function renderReportCsv(data: ReportData): string {
  const records: CsvValue[][] = [HEADER];
  const push = (cells: CsvValue[]) => records.push(cells);
  for (const table of [...data.tables, ...data.measures]) {
    for (const row of table.rows) {
      table.columns.forEach((col, i) => {
        const cell = row.cells[i];
        if (!cell) return;
        push([table.title, table.metric, table.instrument, row.track, row.name, col.measure, col.label,
          cell.value, cell.lower, cell.upper, cell.suppressed, formatCell(cell, col.kind), data.as_of, data.min_cell]);
      });
    }
  }
  for (const c of data.completeness) {
    for (const [measure, value] of [['with', c.with], ['without', c.without], ['total', c.total]] as const) {
      push(['Data completeness', null, null, null, null, measure, c.label, value, null, null, value === null, value === null ? '*' : String(value), data.as_of, data.min_cell]);
    }
  }
  return csvDocument(records);
}
