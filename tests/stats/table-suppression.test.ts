import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cellId, suppressTable, type TableCell } from '../../metrics/stats/table-suppression';

/**
 * The attack the module defends against (docs/metrics.md "Two-way tables"): a reader holds
 * every published cell, row margin, column margin and the grand total, and the zeros (a
 * stratum with no episode is absent from the response, so known to be 0). Any line of the
 * table (a row with its margin, a column with its margin, the row margins or the column
 * margins with the total) with exactly one unknown entry gives that entry by differencing;
 * repeated until nothing new follows. Returns the ids of the entries it recovers.
 */
function differencingAttack(cells: readonly TableCell[], hidden: ReturnType<typeof suppressTable>): Set<string> {
  const rows = [...new Set(cells.map((c) => c.row))];
  const cols = [...new Set(cells.map((c) => c.col))];
  const value = new Map<string, number>();
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  for (const c of cells) value.set(cellId(c.row, c.col), c.n);
  for (const r of rows) value.set(`row:${r}`, sum(cells.filter((c) => c.row === r).map((c) => c.n)));
  for (const k of cols) value.set(`col:${k}`, sum(cells.filter((c) => c.col === k).map((c) => c.n)));
  value.set('total', sum(cells.map((c) => c.n)));

  const unknown = new Set<string>([
    ...hidden.cells, ...[...hidden.rows].map((r) => `row:${r}`), ...[...hidden.cols].map((k) => `col:${k}`), ...(hidden.total ? ['total'] : []),
  ]);
  // Each line: parts that sum to a whole.
  const lines: { parts: string[]; whole: string }[] = [
    ...rows.map((r) => ({ parts: cells.filter((c) => c.row === r).map((c) => cellId(c.row, c.col)), whole: `row:${r}` })),
    ...cols.map((k) => ({ parts: cells.filter((c) => c.col === k).map((c) => cellId(c.row, c.col)), whole: `col:${k}` })),
    { parts: rows.map((r) => `row:${r}`), whole: 'total' },
    { parts: cols.map((k) => `col:${k}`), whole: 'total' },
  ];
  const recovered = new Set<string>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const { parts, whole } of lines) {
      const open = [...parts, whole].filter((id) => unknown.has(id));
      if (open.length !== 1) continue;
      const id = open[0] as string;
      // whole − Σ known parts, or a part = whole − Σ the other parts: the attacker now knows it
      unknown.delete(id);
      recovered.add(id);
      progress = true;
    }
  }
  for (const id of recovered) expect(value.has(id)).toBe(true);
  return recovered;
}

const MIN_CELL = 11;

/** Tables of up to 6 × 5 strata, counts skewed small so that suppression has work to do; zeros are absent cells. */
const tables = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }))
  .chain(([r, c]) => fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 60 })), { minLength: r * c, maxLength: r * c })
    .map((ns) => ns.flatMap((n, i): TableCell[] => (n === 0 ? [] : [{ row: `r${Math.floor(i / c)}`, col: `c${i % c}`, n }]))));

describe('two-way table suppression (metrics/stats/table-suppression.ts)', () => {
  it('no suppressed count can be recovered from the published cells and margins by row or column differencing', () => {
    fc.assert(fc.property(tables, (cells) => {
      const hidden = suppressTable(cells, MIN_CELL);
      expect([...differencingAttack(cells, hidden)]).toEqual([]);
    }), { numRuns: 2000 });
  });

  it('hides every count of 1–10, cells and margins, and never a zero', () => {
    fc.assert(fc.property(tables, (cells) => {
      const hidden = suppressTable(cells, MIN_CELL);
      for (const c of cells) if (c.n < MIN_CELL) expect(hidden.cells.has(cellId(c.row, c.col))).toBe(true);
      const rowSum = new Map<string, number>();
      for (const c of cells) rowSum.set(c.row, (rowSum.get(c.row) ?? 0) + c.n);
      for (const [r, n] of rowSum) if (n < MIN_CELL) expect(hidden.rows.has(r)).toBe(true);
      // zero cells are absent: nothing hidden is outside the cells given
      for (const id of hidden.cells) expect(cells.some((c) => cellId(c.row, c.col) === id)).toBe(true);
    }), { numRuns: 500 });
  });

  it('a row with one small cell hides the next smallest cell of that row, and its column is balanced too', () => {
    // rows day/evening × race a/b/c; 4 is small. Row day: 4 and the smallest other (20) hidden;
    // column a then has 4 hidden alone → its next smallest (evening, 30) hidden; row evening
    // has 30 hidden alone → its next smallest (evening b, 40)... and column b then has 20 and 40.
    const cells: TableCell[] = [
      { row: 'day', col: 'a', n: 4 }, { row: 'day', col: 'b', n: 20 }, { row: 'day', col: 'c', n: 50 },
      { row: 'evening', col: 'a', n: 30 }, { row: 'evening', col: 'b', n: 40 }, { row: 'evening', col: 'c', n: 60 },
    ];
    const hidden = suppressTable(cells, MIN_CELL);
    expect([...hidden.cells].sort()).toEqual([cellId('day', 'a'), cellId('day', 'b'), cellId('evening', 'a'), cellId('evening', 'b')].sort());
    expect(hidden.rows.size + hidden.cols.size).toBe(0);
    expect(hidden.total).toBe(false);
  });

  it('a one-way table (one column) hides the next smallest group when exactly one is small', () => {
    const cells: TableCell[] = [{ row: 'female', col: '', n: 40 }, { row: 'male', col: '', n: 25 }, { row: 'other', col: '', n: 3 }];
    expect([...suppressTable(cells, MIN_CELL).cells].sort()).toEqual([cellId('male', ''), cellId('other', '')].sort());
    expect(suppressTable(cells, 0).cells.size).toBe(0);
  });
});
