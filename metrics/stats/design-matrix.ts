import { CholeskyDecomposition, Matrix } from 'ml-matrix';

/**
 * The design matrix of a regression with an intercept (docs/comparisons.md "The model"):
 * numeric covariates as they are, categorical ones treatment-coded against the first level
 * in code-point order (R `contr.treatment` over `factor()` levels in the C locale), and the
 * weighted cross products the fit and the rank check both need.
 */

/**
 * A column whose part not explained by the columns before it is below this share of its
 * norm is aliased. R's QR uses 1e-11 on the column norms directly; we factor the Gram
 * matrix, which squares the condition number, so half the digits are the most we can ask.
 */
const ALIASED_BELOW = 1e-7;

export type Covariate =
  | { name: string; kind: 'numeric'; values: readonly number[] }
  | { name: string; kind: 'categorical'; values: readonly string[] };

export interface Design {
  columns: Float64Array[];
  terms: { term: string; covariate: string | null; level: string | null }[];
  references: Record<string, string>;
}

/** Code-point order, as R sorts factor levels in the C locale. */
export const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function designMatrix(n: number, covariates: readonly Covariate[]): Design {
  const columns: Float64Array[] = [new Float64Array(n).fill(1)];
  const terms: Design['terms'] = [{ term: '(Intercept)', covariate: null, level: null }];
  const references: Record<string, string> = {};
  for (const c of covariates) {
    if (c.values.length !== n) throw new RangeError(`covariate ${c.name} has ${c.values.length} values for ${n} outcomes`);
    if (c.kind === 'numeric') {
      columns.push(Float64Array.from(c.values));
      terms.push({ term: c.name, covariate: c.name, level: null });
      continue;
    }
    const levels = [...new Set(c.values)].sort(byCodePoint);
    const [reference, ...others] = levels;
    if (reference === undefined) continue;
    references[c.name] = reference;
    for (const level of others) {
      columns.push(Float64Array.from(c.values, (v) => (v === level ? 1 : 0)));
      terms.push({ term: `${c.name}${level}`, covariate: c.name, level });
    }
  }
  return { columns, terms, references };
}

/** XᵀWX (symmetric, both halves filled from one value) and XᵀWz. */
export function weightedNormalEquations(x: Float64Array[], w: Float64Array, z: Float64Array): { xtwx: number[][]; xtwz: number[] } {
  const p = x.length;
  const n = w.length;
  const xtwx = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const xtwz = new Array<number>(p).fill(0);
  const wx = new Float64Array(n);
  for (let j = 0; j < p; j++) {
    const xj = x[j] as Float64Array;
    for (let i = 0; i < n; i++) wx[i] = (w[i] as number) * (xj[i] as number);
    for (let k = 0; k <= j; k++) {
      const xk = x[k] as Float64Array;
      let s = 0;
      for (let i = 0; i < n; i++) s += (wx[i] as number) * (xk[i] as number);
      (xtwx[j] as number[])[k] = s;
      (xtwx[k] as number[])[j] = s;
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += (wx[i] as number) * (z[i] as number);
    xtwz[j] = s;
  }
  return { xtwx, xtwz };
}

/**
 * The columns that are (near) linear combinations of the columns before them, found by a
 * Cholesky factor of the column-normalised Gram matrix grown one column at a time: the
 * same columns R's pivoting QR moves to the end and reports as NA ("not defined because
 * of singularities").
 */
export function aliasedColumns(x: Float64Array[]): number[] {
  const unit = x.map((col) => {
    let s = 0;
    for (const v of col) s += v * v;
    const norm = Math.sqrt(s);
    return norm === 0 ? col : col.map((v) => v / norm);
  });
  const ones = new Float64Array(unit[0]?.length ?? 0).fill(1);
  const kept: number[] = [];
  const aliased: number[] = [];
  for (let j = 0; j < unit.length; j++) {
    const trial = [...kept, j].map((k) => unit[k] as Float64Array);
    const { xtwx } = weightedNormalEquations(trial, ones, ones);
    const chol = new CholeskyDecomposition(new Matrix(xtwx));
    const last = trial.length - 1;
    const pivot = chol.isPositiveDefinite() ? chol.lowerTriangularMatrix.get(last, last) : 0;
    if (pivot > ALIASED_BELOW) kept.push(j);
    else aliased.push(j);
  }
  return aliased;
}

