/**
 * Seeded pseudo-random numbers for the synthetic cohort.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, which passes
 * PractRand and BigCrush). Its state is filled by splitmix32 from a key hashed with the murmur3
 * finaliser, so that (seed, stream, index) triples that differ by one bit give unrelated streams.
 * Each patient and each episode gets its own stream, so the output is a pure function of the seed
 * and never depends on buffering or on how many numbers an earlier episode drew.
 */

const GOLDEN = 0x9e3779b9;
const TWO_POW_32 = 4294967296;

function fmix32(input: number): number {
  let h = input >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function keyOf(seed: number, stream: number, index: number): number {
  const seedLow = seed >>> 0;
  const seedHigh = Math.floor(seed / TWO_POW_32) >>> 0;
  let key = fmix32(seedLow + GOLDEN);
  key = fmix32(key ^ seedHigh);
  key = fmix32(key ^ Math.imul(stream + 1, GOLDEN));
  key = fmix32(key ^ (index >>> 0));
  return fmix32(key ^ (Math.floor(index / TWO_POW_32) >>> 0));
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream: number, index: number) {
    let state = keyOf(seed, stream, index);
    const splitmix = (): number => {
      state = (state + GOLDEN) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    // The first outputs of a freshly seeded sfc32 are weakly mixed; the reference code discards 12.
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / TWO_POW_32;
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Box–Muller; 1 − u keeps the logarithm finite. */
  normal(mean: number, sd: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Weibull by inversion; a shape below 1 gives a hazard that falls over time. */
  weibull(shape: number, scale: number): number {
    return scale * Math.pow(-Math.log(1 - this.next()), 1 / shape);
  }

  pick<T>(items: readonly [T, ...T[]]): T {
    return items[Math.floor(this.next() * items.length)] ?? items[0];
  }
}

/** A categorical distribution with its cumulative table built once. */
export class Weighted<T> {
  private readonly values: T[];
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    this.values = entries.map(([value]) => value);
    let sum = 0;
    this.cumulative = entries.map(([, weight]) => (sum += weight));
    this.total = sum;
    if (this.values.length === 0 || !(sum > 0)) throw new Error('Weighted needs at least one positive weight');
  }

  draw(rng: Rng): T {
    const target = rng.next() * this.total;
    const n = this.cumulative.length;
    for (let i = 0; i < n; i++) {
      if (target < (this.cumulative[i] ?? Infinity)) return this.values[i] as T;
    }
    return this.values[n - 1] as T;
  }
}

export const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);
