// A small, fast, seeded pseudo-random generator. Same seed => same sequence, on every machine: only
// 32-bit integer arithmetic decides the sequence (floats are derived from it, never fed back), and the
// Math.log/pow/sin/cos used for amounts are V8's own fdlibm ports, identical across platforms.

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), seeded through splitmix32. */
export class Random {
  // State lives in typed arrays: plain object fields holding doubles or large int32s get boxed on every
  // store, and this is called a dozen times per generated line.
  private readonly s = new Int32Array(4);
  private readonly spare = new Float64Array(1);
  private hasSpare = false;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < 4; i++) this.s[i] = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A fresh generator whose sequence depends on this seed and a label, not on how much was drawn. */
  static derive(seed: number, label: string): Random {
    let h = (seed ^ 0x811c9dc5) >>> 0;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    return new Random(h);
  }

  /** One step of the generator: the full 32-bit output as a signed int32. */
  private step(): number {
    const s = this.s;
    const a = s[0], b = s[1], c = s[2], d = s[3];
    const t = (((a + b) | 0) + d) | 0;
    s[3] = (d + 1) | 0;
    s[0] = b ^ (b >>> 9);
    s[1] = (c + (c << 3)) | 0;
    s[2] = (((c << 21) | (c >>> 11)) + t) | 0;
    return t;
  }

  /** Uniform unsigned 32-bit integer (for seeding; the hot paths use bits30). */
  u32(): number {
    return this.step() >>> 0;
  }

  /**
   * The top 30 bits of the next output: always a small integer. Every draw below goes through this:
   * a double (or a large integer) returned from a call V8 does not inline is boxed on the heap, and the
   * generator makes a dozen draws per line.
   */
  bits30(): number {
    return this.step() >>> 2;
  }

  /** Uniform in [0, 1), in steps of 2^-30. */
  next(): number {
    return this.bits30() / 1073741824;
  }

  /** Uniform integer in [0, n), for n up to 2^30. */
  int(n: number): number {
    return Math.floor((this.bits30() * n) / 1073741824);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /**
   * True with probability p. Draws 30 bits as a small integer: a double returned from a call that is not
   * inlined is boxed on the heap, and the hot loop makes a dozen of these draws per line.
   */
  chance(p: number): boolean {
    return this.bits30() < p * 1073741824;
  }

  /**
   * A log-normal amount in pence: 10^(mu + sigma * N(0,1)) pounds, rounded to the penny and kept within
   * [min, max] by redrawing (then clamping). Returned as an integer, so never boxed.
   */
  logNormalPence(mu: number, sigma: number, min: number, max: number): number {
    let pence = 0;
    for (let tries = 0; tries < 8; tries++) {
      pence = Math.round(Math.pow(10, mu + sigma * this.normal() + 2));
      if (pence >= min && pence <= max) return pence;
    }
    return pence < min ? min : max;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /**
   * A long-tailed index into a list of n items ordered from most to least used: item 0 is the most
   * frequent. With skew 2.5 the top 1% of items take about a sixth of the draws.
   */
  skewed(n: number, skew = 2.5): number {
    const u = this.bits30() / 1073741824;
    return Math.floor(n * (skew === 2.5 ? u * u * Math.sqrt(u) : Math.pow(u, skew)));
  }

  /** Standard normal deviate (Box-Muller, both values used). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare[0];
    }
    let u = this.bits30();
    while (u === 0) u = this.bits30();
    const r = Math.sqrt(-2 * Math.log(u / 1073741824));
    const t = (2 * Math.PI * this.bits30()) / 1073741824;
    this.spare[0] = r * Math.sin(t);
    this.hasSpare = true;
    return r * Math.cos(t);
  }
}

/** A weighted choice among items, drawn in O(log n) from a cumulative table. */
export class Weighted<T> {
  readonly items: readonly T[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(items: readonly T[], weight: (item: T) => number) {
    this.items = items;
    this.cumulative = new Float64Array(items.length);
    let sum = 0;
    items.forEach((item, i) => {
      sum += Math.max(0, weight(item));
      this.cumulative[i] = sum;
    });
    if (!(sum > 0)) throw new Error('Weighted: no item has a positive weight');
    this.total = sum;
  }

  draw(random: Random): T {
    const x = (random.bits30() * this.total) / 1073741824;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo];
  }
}
