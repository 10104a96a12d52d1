/**
 * Solves A·x = b by Gaussian elimination with partial pivoting. Small dense
 * systems only (the (k−1)×(k−1) log-rank variance matrix). Returns null when A is
 * singular to working precision, where R's `solve` would stop with an error.
 */
export function solveLinear(a: readonly (readonly number[])[], b: readonly number[]): number[] | null {
  const size = b.length;
  if (a.length !== size || a.some((row) => row.length !== size)) throw new RangeError('matrix and vector sizes differ');
  const m = a.map((row, i) => [...row, b[i] ?? 0]);
  const scale = Math.max(0, ...a.flat().map(Math.abs));
  const tiny = scale * size * Number.EPSILON;
  for (let col = 0; col < size; col++) {
    const pivotRow = argMaxAbs(m, col);
    const pivot = m[pivotRow]?.[col] ?? 0;
    if (Math.abs(pivot) <= tiny) return null;
    [m[col], m[pivotRow]] = [m[pivotRow] ?? [], m[col] ?? []];
    eliminateBelow(m, col);
  }
  return backSubstitute(m);
}

function argMaxAbs(m: number[][], col: number): number {
  let best = col;
  for (let r = col + 1; r < m.length; r++) {
    if (Math.abs(m[r]?.[col] ?? 0) > Math.abs(m[best]?.[col] ?? 0)) best = r;
  }
  return best;
}

function eliminateBelow(m: number[][], col: number): void {
  const pivotRow = m[col] ?? [];
  const pivot = pivotRow[col] ?? 1;
  for (let r = col + 1; r < m.length; r++) {
    const row = m[r] ?? [];
    const factor = (row[col] ?? 0) / pivot;
    for (let c = col; c < row.length; c++) row[c] = (row[c] ?? 0) - factor * (pivotRow[c] ?? 0);
  }
}

function backSubstitute(m: number[][]): number[] {
  const size = m.length;
  const x = new Array<number>(size).fill(0);
  for (let r = size - 1; r >= 0; r--) {
    const row = m[r] ?? [];
    let acc = row[size] ?? 0;
    for (let c = r + 1; c < size; c++) acc -= (row[c] ?? 0) * (x[c] ?? 0);
    x[r] = acc / (row[r] ?? 1);
  }
  return x;
}
