import { isSmall } from './suppression';

/**
 * Small-cell suppression of a two-way table of counts with its margins (docs/metrics.md
 * "Small-cell suppression", "Two-way tables"). The cells are the groups of a request
 * grouped by two dimensions; the margins are what the same request grouped by either
 * dimension alone publishes, and the grand total what any grouping sums to. A reader
 * who holds the published cells and margins can difference any row or column (cells
 * plus margin), or the margins themselves (margins plus total): where such a line has
 * exactly one hidden entry, that entry is its sum minus the others.
 *
 * So every line must hold no hidden entry or at least two:
 * - primary: every count of 1 … minCell − 1, cells, margins and total alike (zero never);
 * - complementary: while some line has exactly one hidden entry, the smallest positive
 *   visible entry of that line is hidden too; in a row or column a cell is taken before
 *   the margin (the margin is published by the one-way request, which does not see the
 *   cell's table), ties to the key that sorts first. A hidden margin is withheld by the
 *   one-way request that publishes it, which applies this same rule to its own line
 *   (a one-way table is the one-column case: its groups with the total).
 * Hiding only grows, so the loop ends. A line with exactly one hidden entry always has a
 * positive visible one: its hidden entry is positive, and a line's cells sum to its margin.
 */

export interface TableCell {
  row: string;
  col: string;
  n: number;
}

export interface TableSuppression {
  /** Hidden cells, as `cellId(row, col)`. */
  cells: Set<string>;
  /** Hidden row margins (row keys). */
  rows: Set<string>;
  /** Hidden column margins (column keys). */
  cols: Set<string>;
  /** Whether the grand total is hidden. */
  total: boolean;
}

export const cellId = (row: string, col: string): string => JSON.stringify([row, col]);

interface Entry {
  id: string;
  n: number;
  /** Sort rank among a line's candidates: cells (0) before margins (1), then by key. */
  kind: 0 | 1;
  key: string;
}

function pickComplement(entries: readonly Entry[], hidden: ReadonlySet<string>): string | null {
  const candidates = entries.filter((e) => e.n > 0 && !hidden.has(e.id))
    .sort((a, b) => a.kind - b.kind || a.n - b.n || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return candidates[0]?.id ?? null;
}

export function suppressTable(cells: readonly TableCell[], minCell: number): TableSuppression {
  const rowTotal = new Map<string, number>();
  const colTotal = new Map<string, number>();
  let total = 0;
  for (const c of cells) {
    rowTotal.set(c.row, (rowTotal.get(c.row) ?? 0) + c.n);
    colTotal.set(c.col, (colTotal.get(c.col) ?? 0) + c.n);
    total += c.n;
  }
  const rowId = (r: string) => `row:${JSON.stringify(r)}`;
  const colId = (c: string) => `col:${JSON.stringify(c)}`;
  const TOTAL = 'total';
  const cellEntry = (c: TableCell, key: string): Entry => ({ id: cellId(c.row, c.col), n: c.n, kind: 0, key });

  // Every line of the augmented table: rows and columns with their margins, and the two margin lines.
  const lines: Entry[][] = [];
  for (const [r, n] of rowTotal) {
    lines.push([...cells.filter((c) => c.row === r).map((c) => cellEntry(c, c.col)), { id: rowId(r), n, kind: 1, key: r }]);
  }
  for (const [k, n] of colTotal) {
    lines.push([...cells.filter((c) => c.col === k).map((c) => cellEntry(c, c.row)), { id: colId(k), n, kind: 1, key: k }]);
  }
  lines.push([...[...colTotal].map(([k, n]): Entry => ({ id: colId(k), n, kind: 0, key: k })), { id: TOTAL, n: total, kind: 1, key: '' }]);
  lines.push([...[...rowTotal].map(([r, n]): Entry => ({ id: rowId(r), n, kind: 0, key: r })), { id: TOTAL, n: total, kind: 1, key: '' }]);

  const hidden = new Set<string>();
  for (const line of lines) for (const e of line) if (isSmall(e.n, minCell)) hidden.add(e.id);

  let changed = hidden.size > 0;
  while (changed) {
    changed = false;
    for (const line of lines) {
      if (line.filter((e) => hidden.has(e.id)).length !== 1) continue;
      const next = pickComplement(line, hidden);
      if (next !== null) {
        hidden.add(next);
        changed = true;
      }
    }
  }

  return {
    cells: new Set(cells.map((c) => cellId(c.row, c.col)).filter((id) => hidden.has(id))),
    rows: new Set([...rowTotal.keys()].filter((r) => hidden.has(rowId(r)))),
    cols: new Set([...colTotal.keys()].filter((k) => hidden.has(colId(k)))),
    total: hidden.has(TOTAL),
  };
}
