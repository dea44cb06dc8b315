// A byte buffer that generated lines are written into directly: names are encoded once up front and
// copied as bytes; numbers, amounts and dates are written digit by digit. Building a JavaScript string per
// line and encoding it costs several times more, and this is the generator's hot path.

/** Characters that windows-1252 and latin1 encode alike (0x80-0x9F differ, and above 0xFF is neither). */
const NOT_CP1252_SAFE = /[^\x00-\x7f\xa0-\xff]/;

export const COMMA = 44;
export const QUOTE = 34;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;

export class ByteSink {
  buf: Uint8Array;
  off = 0;

  /** `latin1` text is checked to be windows-1252-safe when encoded. */
  constructor(readonly encoding: 'utf8' | 'latin1', readonly size = 1 << 22) {
    this.buf = new Uint8Array(size);
  }

  encode(s: string): Uint8Array {
    if (this.encoding === 'latin1') {
      const bad = NOT_CP1252_SAFE.exec(s);
      if (bad) throw new Error(`text not encodable as windows-1252: ${JSON.stringify(bad[0])} in ${JSON.stringify(s)}`);
      return new Uint8Array(Buffer.from(s, 'latin1'));
    }
    return new Uint8Array(Buffer.from(s, 'utf8'));
  }

  /** Bytes free before the buffer must be taken. */
  get free(): number {
    return this.buf.length - this.off;
  }

  /**
   * Hands over the bytes written so far (a view of the current buffer, which now belongs to the caller)
   * and carries on in `next`, or a new buffer. Reusing buffers matters: fresh memory costs page faults.
   */
  take(next?: Uint8Array): { bytes: Buffer; buffer: Uint8Array } {
    const buffer = this.buf;
    const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, this.off);
    this.buf = next && next.length === this.size ? next : new Uint8Array(this.size);
    this.off = 0;
    return { bytes, buffer };
  }

  text(t: Uint8Array): void {
    const n = t.length;
    if (n > 16) {
      this.buf.set(t, this.off);
      this.off += n;
      return;
    }
    const b = this.buf;
    let o = this.off;
    for (let i = 0; i < n; i++) b[o++] = t[i];
    this.off = o;
  }

  byte(c: number): void {
    this.buf[this.off++] = c;
  }

  /** A non-negative integer's decimal digits. */
  uint(n: number): void {
    const b = this.buf;
    if (n < 10) {
      b[this.off++] = ZERO + n;
      return;
    }
    if (n < 2147483648) {
      // Small enough for 32-bit integer division, which is several times cheaper than Math.floor.
      let len = 1;
      for (let x = (n / 10) | 0; x > 0; x = (x / 10) | 0) len++;
      let o = this.off + len;
      this.off = o;
      let v = n | 0;
      while (v > 0) {
        const q = (v / 10) | 0;
        b[--o] = ZERO + (v - q * 10);
        v = q;
      }
      return;
    }
    let len = 0;
    for (let x = n; x >= 1; x = Math.floor(x / 10)) len++;
    let o = this.off + len;
    this.off = o;
    while (n >= 1) {
      const q = Math.floor(n / 10);
      b[--o] = ZERO + (n - q * 10);
      n = q;
    }
  }

  /** 123456 -> 1,234 (thousands separators). */
  uintCommas(n: number): void {
    if (n < 1000) {
      this.uint(n);
      return;
    }
    const high = Math.floor(n / 1000);
    this.uintCommas(high);
    this.byte(COMMA);
    const low = n - high * 1000;
    this.buf[this.off++] = ZERO + Math.floor(low / 100);
    this.buf[this.off++] = ZERO + (Math.floor(low / 10) % 10);
    this.buf[this.off++] = ZERO + (low % 10);
  }

  private twoDigits(pp: number): void {
    this.buf[this.off++] = ZERO + Math.floor(pp / 10);
    this.buf[this.off++] = ZERO + (pp % 10);
  }

  /** -123456 -> -1234.56 */
  pence(p: number): void {
    if (p < 0) {
      this.buf[this.off++] = MINUS;
      p = -p;
    }
    const pounds = Math.floor(p / 100);
    this.uint(pounds);
    this.buf[this.off++] = DOT;
    this.twoDigits(p - pounds * 100);
  }

  /** -123456 -> -1,234.56 (no quotes). */
  penceCommas(p: number): void {
    if (p < 0) {
      this.buf[this.off++] = MINUS;
      p = -p;
    }
    const pounds = Math.floor(p / 100);
    this.uintCommas(pounds);
    this.buf[this.off++] = DOT;
    this.twoDigits(p - pounds * 100);
  }

  /**
   * The amount as spreadsheet float arithmetic prints it: kind 1 a hair above (9533.910000000003),
   * kind 2 a hair below (9533.9099999999997). Either rounds to the exact pence.
   */
  penceNoisy(p: number, kind: 1 | 2, digit: number): void {
    if (p < 0) {
      this.buf[this.off++] = MINUS;
      p = -p;
    }
    const pounds = Math.floor(p / 100);
    const pp = p - pounds * 100;
    this.uint(pounds);
    this.buf[this.off++] = DOT;
    if (kind === 2 && pp > 0) {
      this.twoDigits(pp - 1);
      for (let i = 0; i < 10; i++) this.buf[this.off++] = ZERO + 9;
      this.buf[this.off++] = ZERO + Math.min(9, digit + 1);
    } else {
      this.twoDigits(pp);
      for (let i = 0; i < 9; i++) this.buf[this.off++] = ZERO;
      this.buf[this.off++] = ZERO + digit;
    }
  }
}
