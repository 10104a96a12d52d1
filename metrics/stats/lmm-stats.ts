/**
 * The sufficient statistics of metrics/stats/lmm.ts: per group Z_i'Z_i, Z_i'y_i and
 * Z_i'X_i, and the totals X'X, X'y and y'y, from rows (any X) or from six sums per group
 * (when every column is constant within a group or that constant times t).
 */

/**
 * Per-group sufficient statistics and totals: the only input the fit reads. The
 * builders below put the groups in a canonical order and sum the totals in it.
 */
export interface LmmStats {
  /** Fixed-effect column names, p of them. */
  readonly names: readonly string[];
  /** Number of observations. */
  readonly n: number;
  /** Per group (length m each): n_i, Σt, Σt² (the entries of Z_i'Z_i). */
  readonly s0: Float64Array;
  readonly s1: Float64Array;
  readonly s2: Float64Array;
  /** Per group: Z_i'y_i = (Σy, Σty). */
  readonly zy0: Float64Array;
  readonly zy1: Float64Array;
  /** Per group, row-major 2×p: Z_i'X_i (row 0: Σx, row 1: Σt·x). */
  readonly zx: Float64Array;
  /** Totals: X'X (p×p row-major), X'y (p), y'y. */
  readonly xx: Float64Array;
  readonly xy: Float64Array;
  readonly yy: number;
}


/** One observation: response, slope covariate, fixed-effect row, group key. */
export interface LmmRow {
  readonly y: number;
  readonly t: number;
  readonly x: readonly number[];
  readonly group: string;
}

/**
 * Sufficient statistics from rows (any X). Each group's sums are taken over its rows in
 * a canonical order, and the groups are then summed in the order of `canonicalOrder`,
 * so neither the order of the rows nor the group labels change a single bit.
 */
export function statsFromRows(names: readonly string[], rows: readonly LmmRow[]): LmmStats {
  const p = names.length;
  const byGroup = new Map<string, LmmRow[]>();
  for (const r of rows) {
    if (r.x.length !== p) throw new RangeError(`row has ${r.x.length} fixed-effect values, expected ${p}`);
    const list = byGroup.get(r.group);
    if (list) list.push(r);
    else byGroup.set(r.group, [r]);
  }
  const blocks = [...byGroup.values()].map((g) => blockOf(p, g.sort(compareRows)));
  const order = canonicalOrder(blocks.map((b) => ({ n: b.n, st: b.zz[1], stt: b.zz[2], sy: b.zy[0], sty: b.zy[1], syy: b.yy, w: [...b.zx, ...b.xx] })));
  const m = blocks.length;
  const s = { s0: new Float64Array(m), s1: new Float64Array(m), s2: new Float64Array(m), zy0: new Float64Array(m), zy1: new Float64Array(m), zx: new Float64Array(m * 2 * p) };
  const xx = new Float64Array(p * p);
  const xy = new Float64Array(p);
  let yy = 0;
  order.forEach((bi, i) => {
    const b = blocks[bi] as Block;
    [s.s0[i], s.s1[i], s.s2[i]] = b.zz;
    [s.zy0[i], s.zy1[i]] = b.zy;
    s.zx.set(b.zx, i * 2 * p);
    b.xx.forEach((v, k) => add(xx, k, v));
    b.xy.forEach((v, k) => add(xy, k, v));
    yy += b.yy;
  });
  return { names, n: rows.length, ...s, xx, xy, yy };
}

interface Block { n: number; zz: [number, number, number]; zy: [number, number]; zx: number[]; xx: number[]; xy: number[]; yy: number }

function blockOf(p: number, rows: readonly LmmRow[]): Block {
  const b: Block = { n: rows.length, zz: [0, 0, 0], zy: [0, 0], zx: new Array<number>(2 * p).fill(0), xx: new Array<number>(p * p).fill(0), xy: new Array<number>(p).fill(0), yy: 0 };
  for (const r of rows) {
    b.zz = [b.zz[0] + 1, b.zz[1] + r.t, b.zz[2] + r.t * r.t];
    b.zy = [b.zy[0] + r.y, b.zy[1] + r.t * r.y];
    for (let j = 0; j < p; j++) {
      const xj = r.x[j] ?? 0;
      b.zx[j] = (b.zx[j] ?? 0) + xj;
      b.zx[p + j] = (b.zx[p + j] ?? 0) + r.t * xj;
      b.xy[j] = (b.xy[j] ?? 0) + xj * r.y;
      for (let k = 0; k < p; k++) b.xx[j * p + k] = (b.xx[j * p + k] ?? 0) + xj * (r.x[k] ?? 0);
    }
    b.yy += r.y * r.y;
  }
  return b;
}

/**
 * The groups in an order fixed by their own sums, not by their labels or input order:
 * floating-point sums over groups then add in the same order whatever the input order,
 * and the fit is bit-identical (the property tests rely on it).
 */
function canonicalOrder(groups: readonly GroupSums[]): number[] {
  const key = (g: GroupSums): number[] => [g.n, g.st, g.stt, g.sy, g.sty, g.syy, ...g.w];
  const keys = groups.map(key);
  return keys.map((_, i) => i).sort((a, b) => {
    const ka = keys[a] ?? [], kb = keys[b] ?? [];
    for (let i = 0; i < Math.max(ka.length, kb.length); i++) if (ka[i] !== kb[i]) return (ka[i] ?? 0) - (kb[i] ?? 0);
    return 0;
  });
}

/** One group's sums when every fixed-effect column is w_k or w_k·t for group-level covariates w. */
export interface GroupSums {
  readonly n: number;
  readonly st: number;
  readonly stt: number;
  readonly sy: number;
  readonly sty: number;
  readonly syy: number;
  /** Group-level covariates, w[0] = 1 for the intercept (e.g. baseline-band indicators). */
  readonly w: readonly number[];
}

/**
 * Sufficient statistics when X_i = Z_i·K_i with K_i = I₂ ⊗ w_i' (columns w, then w·t):
 * Z_i'X_i = Z_i'Z_i·K_i, X_i'X_i = K_i'Z_i'Z_i K_i and X_i'y_i = K_i'Z_i'y_i, so six
 * sums per group (n, Σt, Σt², Σy, Σty, Σy²) are all the data the fit needs.
 * `names` lists the q constant columns then the q time columns.
 */
export function statsFromGroupSums(names: readonly string[], groups: readonly GroupSums[]): LmmStats {
  const p = names.length;
  const m = groups.length;
  const s = { s0: new Float64Array(m), s1: new Float64Array(m), s2: new Float64Array(m), zy0: new Float64Array(m), zy1: new Float64Array(m), zx: new Float64Array(m * 2 * p) };
  const xx = new Float64Array(p * p);
  const xy = new Float64Array(p);
  let yy = 0;
  let n = 0;
  canonicalOrder(groups).forEach((gi, i) => {
    const g = groups[gi] as GroupSums;
    const q = g.w.length;
    if (2 * q !== p) throw new RangeError(`a group has ${q} covariates for ${p} fixed effects`);
    s.s0[i] = g.n; s.s1[i] = g.st; s.s2[i] = g.stt; s.zy0[i] = g.sy; s.zy1[i] = g.sty;
    const zz = [[g.n, g.st], [g.st, g.stt]];
    const zyv = [g.sy, g.sty];
    for (let j = 0; j < p; j++) {
      const [bj, wj] = [j < q ? 0 : 1, g.w[j % q] ?? 0];
      add(s.zx, i * 2 * p + j, (zz[0]?.[bj] ?? 0) * wj);
      add(s.zx, i * 2 * p + p + j, (zz[1]?.[bj] ?? 0) * wj);
      add(xy, j, (zyv[bj] ?? 0) * wj);
      for (let k = 0; k < p; k++) {
        const [bk, wk] = [k < q ? 0 : 1, g.w[k % q] ?? 0];
        add(xx, j * p + k, (zz[bj]?.[bk] ?? 0) * wj * wk);
      }
    }
    yy += g.syy;
    n += g.n;
  });
  return { names, n, ...s, xx, xy, yy };
}

function add(a: Float64Array, i: number, v: number): void {
  a[i] = (a[i] ?? 0) + v;
}

function compareRows(a: LmmRow, b: LmmRow): number {
  if (a.t !== b.t) return a.t - b.t;
  if (a.y !== b.y) return a.y - b.y;
  for (let j = 0; j < a.x.length; j++) if (a.x[j] !== b.x[j]) return (a.x[j] ?? 0) - (b.x[j] ?? 0);
  return 0;
}
