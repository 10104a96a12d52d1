/**
 * The sufficient statistics of metrics/stats/lmm.ts: per group Z_i'Z_i, Z_i'y_i and
 * Z_i'X_i, and the totals X'X, X'y and y'y, from rows (any X) or from six sums per group
 * (when every column is constant within a group or that constant times t). Groups with
 * the same design (the same Z_i'Z_i and Z_i'X_i) are merged into one block: the fit
 * needs of their responses only Σ Z_i'y_i and Σ (Z_i'y_i)(Z_i'y_i)', so a block costs
 * the fit what one group did (at 200k episodes with weekly scores, ~19k blocks).
 */

/**
 * Per-block sufficient statistics and totals: the only input the fit reads. The
 * builders below put the groups in a canonical order and sum everything in it.
 */
export interface LmmStats {
  /** Fixed-effect column names, p of them. */
  readonly names: readonly string[];
  /** Number of observations. */
  readonly n: number;
  /** Number of groups (the sum of `k`). */
  readonly groups: number;
  /** Per block (length m each): how many groups of this design it merges. */
  readonly k: Float64Array;
  /** Per block: n_i, Σt, Σt² (the entries of Z_i'Z_i, the same for every group of the block). */
  readonly s0: Float64Array;
  readonly s1: Float64Array;
  readonly s2: Float64Array;
  /** Per block, row-major 2×p: Z_i'X_i (row 0: Σx, row 1: Σt·x), the same for every group of the block. */
  readonly zx: Float64Array;
  /** Per block: Σ over its groups of Z_i'y_i = (Σy, Σty). */
  readonly zy0: Float64Array;
  readonly zy1: Float64Array;
  /** Per block, 3 each: Σ over its groups of (Σy)², Σy·Σty, (Σty)². */
  readonly zyy: Float64Array;
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
 * One group as the builders see it: its design (the numbers that fix Z_i'Z_i and
 * Z_i'X_i), its Z_i'y_i, and everything else it adds to the totals. Sorting by
 * design, then by Z_i'y_i, then by the rest puts groups of one design next to each
 * other in an order fixed by their own numbers, not by their labels or input order.
 */
interface Keyed {
  readonly design: ArrayLike<number>;
  readonly zy0: number;
  readonly zy1: number;
  readonly rest: ArrayLike<number>;
}

function compareKeyed(a: Keyed, b: Keyed): number {
  const d = compareArrays(a.design, b.design);
  if (d !== 0) return d;
  if (a.zy0 !== b.zy0) return a.zy0 - b.zy0;
  if (a.zy1 !== b.zy1) return a.zy1 - b.zy1;
  return compareArrays(a.rest, b.rest);
}

function compareArrays(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
}

/** How `mergeBlocks` reads a group: its design as a key, its order, and its Z_i'y_i. */
interface Reader<G> {
  /** Equal exactly when the designs are (numbers print to strings that round-trip). */
  designKey(g: G): string;
  /** Design first, then Z_i'y_i, then the rest, as `compareKeyed`. */
  compare(a: G, b: G): number;
  zy0(g: G): number;
  zy1(g: G): number;
}

const keyedReader: Reader<Keyed> = { designKey: (g) => Array.from(g.design).join(','), compare: compareKeyed, zy0: (g) => g.zy0, zy1: (g) => g.zy1 };

/**
 * The groups merged into blocks of one design. The blocks are ordered by their design
 * and each block's groups by `compare`, and every sum is taken in that order, so neither
 * the order of the groups nor their labels change a single bit. `onGroup` sees every
 * group in that order (for the totals); `onBlock` gets the first group of each block.
 * Grouping by key first sorts 19k blocks and many small runs rather than 200k groups.
 */
function mergeBlocks<G>(groups: readonly G[], read: Reader<G>, onGroup: (g: G) => void, onBlock: (first: G, index: number) => void) {
  const byDesign = new Map<string, G[]>();
  for (const g of groups) {
    const key = read.designKey(g);
    const list = byDesign.get(key);
    if (list) list.push(g);
    else byDesign.set(key, [g]);
  }
  const blocks = [...byDesign.values()].map((list) => list.sort(read.compare)).sort((a, b) => read.compare(a[0] as G, b[0] as G));
  const m = blocks.length;
  const k = new Float64Array(m), zy0 = new Float64Array(m), zy1 = new Float64Array(m), zyy = new Float64Array(3 * m);
  blocks.forEach((list, b) => {
    for (const g of list) {
      const y0 = read.zy0(g), y1 = read.zy1(g);
      k[b] = (k[b] as number) + 1;
      zy0[b] = (zy0[b] as number) + y0;
      zy1[b] = (zy1[b] as number) + y1;
      zyy[3 * b] = (zyy[3 * b] as number) + y0 * y0;
      zyy[3 * b + 1] = (zyy[3 * b + 1] as number) + y0 * y1;
      zyy[3 * b + 2] = (zyy[3 * b + 2] as number) + y1 * y1;
      onGroup(g);
    }
    onBlock(list[0] as G, b);
  });
  return { m, k, zy0, zy1, zyy };
}

/**
 * Sufficient statistics from rows (any X). Each group's sums are taken over its rows in
 * a canonical order; groups are merged and summed as `mergeBlocks` says.
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
  const groups = [...byGroup.values()].map((g) => {
    const b = blockOf(p, g.sort(compareRows));
    return { ...b, design: [...b.zz, ...b.zx], zy0: b.zy[0], zy1: b.zy[1], rest: [b.yy, ...b.xy, ...b.xx] };
  });
  const xx = new Float64Array(p * p);
  const xy = new Float64Array(p);
  let yy = 0;
  const designs: (typeof groups)[number][] = [];
  const merged = mergeBlocks<(typeof groups)[number]>(groups, keyedReader, (g) => {
    g.xx.forEach((v, i) => add(xx, i, v));
    g.xy.forEach((v, i) => add(xy, i, v));
    yy += g.yy;
  }, (first) => designs.push(first));
  const m = merged.m;
  const s = { s0: new Float64Array(m), s1: new Float64Array(m), s2: new Float64Array(m), zx: new Float64Array(m * 2 * p) };
  designs.forEach((d, b) => {
    [s.s0[b], s.s1[b], s.s2[b]] = d.zz;
    s.zx.set(d.zx, b * 2 * p);
  });
  return { names, n: rows.length, groups: groups.length, k: merged.k, ...s, zy0: merged.zy0, zy1: merged.zy1, zyy: merged.zyy, xx, xy, yy };
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
 * sums per group (n, Σt, Σt², Σy, Σty, Σy²) are all the data the fit needs. A group's
 * design is (n, Σt, Σt², w), so the totals X'X and X'y are summed per block
 * (X'X = Σ_b k_b·K_b'S_bK_b, X'y = Σ_b K_b'·Σ Z_i'y_i).
 * `names` lists the q constant columns then the q time columns.
 */
export function statsFromGroupSums(names: readonly string[], groups: readonly GroupSums[]): LmmStats {
  const p = names.length;
  for (const g of groups) if (2 * g.w.length !== p) throw new RangeError(`a group has ${g.w.length} covariates for ${p} fixed effects`);
  let yy = 0;
  let n = 0;
  const firsts: GroupSums[] = [];
  const merged = mergeBlocks(groups, groupSumsReader, (g) => { yy += g.syy; n += g.n; }, (first) => firsts.push(first));
  const m = merged.m;
  const s = { s0: new Float64Array(m), s1: new Float64Array(m), s2: new Float64Array(m), zx: new Float64Array(m * 2 * p) };
  const xx = new Float64Array(p * p);
  const xy = new Float64Array(p);
  firsts.forEach((g, b) => {
    const q = g.w.length;
    const k = merged.k[b] as number;
    s.s0[b] = g.n; s.s1[b] = g.st; s.s2[b] = g.stt;
    const zz = [g.n, g.st, g.st, g.stt];
    const zy = [merged.zy0[b] as number, merged.zy1[b] as number];
    for (let j = 0; j < p; j++) {
      const bj = j < q ? 0 : 1, wj = g.w[j % q] ?? 0;
      s.zx[b * 2 * p + j] = (zz[bj] as number) * wj;
      s.zx[b * 2 * p + p + j] = (zz[2 + bj] as number) * wj;
      add(xy, j, (zy[bj] as number) * wj);
      for (let c = 0; c < p; c++) {
        const bc = c < q ? 0 : 1, wc = g.w[c % q] ?? 0;
        add(xx, j * p + c, k * (zz[2 * bj + bc] as number) * wj * wc);
      }
    }
  });
  return { names, n, groups: groups.length, k: merged.k, ...s, zy0: merged.zy0, zy1: merged.zy1, zyy: merged.zyy, xx, xy, yy };
}

/** Design (n, Σt, Σt², w), then Σy, Σty, Σy²: `compareKeyed` for group sums, without building keys. */
function compareGroupSums(a: GroupSums, b: GroupSums): number {
  if (a.n !== b.n) return a.n - b.n;
  if (a.st !== b.st) return a.st - b.st;
  if (a.stt !== b.stt) return a.stt - b.stt;
  const w = compareArrays(a.w, b.w);
  if (w !== 0) return w;
  if (a.sy !== b.sy) return a.sy - b.sy;
  if (a.sty !== b.sty) return a.sty - b.sty;
  return a.syy - b.syy;
}

const groupSumsReader: Reader<GroupSums> = {
  designKey: (g) => `${g.n},${g.st},${g.stt},${g.w.join(',')}`,
  compare: compareGroupSums,
  zy0: (g) => g.sy,
  zy1: (g) => g.sty,
};

function add(a: Float64Array, i: number, v: number): void {
  a[i] = (a[i] ?? 0) + v;
}

function compareRows(a: LmmRow, b: LmmRow): number {
  if (a.t !== b.t) return a.t - b.t;
  if (a.y !== b.y) return a.y - b.y;
  for (let j = 0; j < a.x.length; j++) if (a.x[j] !== b.x[j]) return (a.x[j] ?? 0) - (b.x[j] ?? 0);
  return 0;
}
