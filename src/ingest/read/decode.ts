import { isUtf8, isAscii } from 'node:buffer';

// Turns a byte stream into text, finding the encoding: a BOM (UTF-8, UTF-16LE/BE), UTF-16 without a
// BOM (zero bytes in alternate positions), else UTF-8 — falling back to windows-1252 the moment the
// bytes stop being valid UTF-8 (most UK council exports are windows-1252 with a bare 0xA3 for '£').

export type TextEncodingName = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export function sniffEncoding(head: Uint8Array): TextEncodingName | undefined {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8-bom';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  // UTF-16 without BOM: ASCII text leaves every other byte zero.
  const n = Math.min(head.length, 512) & ~1;
  if (n >= 4) {
    let evenZero = 0, oddZero = 0;
    for (let i = 0; i < n; i += 2) { if (head[i] === 0) evenZero++; if (head[i + 1] === 0) oddZero++; }
    if (oddZero > n / 4 && evenZero === 0) return 'utf-16le';
    if (evenZero > n / 4 && oddZero === 0) return 'utf-16be';
  }
  return undefined;
}

/** Decodes chunks to strings; `encoding` reports what was used (it may change once, utf-8 -> windows-1252).
 *  UTF-8 and windows-1252 use Buffer's native decoders (several times faster than TextDecoder). */
export class TextDecoderStream8 {
  encoding: TextEncodingName | undefined;
  private utf16?: TextDecoder;
  private carry: Buffer | undefined;   // an incomplete UTF-8 sequence at the end of the last chunk
  private sawNonAscii = false;
  /** True when part of the file was read as UTF-8 and part as windows-1252. */
  mixed = false;

  decode(input: Uint8Array): string {
    let chunk = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (this.encoding === undefined) {
      this.encoding = sniffEncoding(chunk) ?? 'utf-8';
      if (this.encoding === 'utf-16le' || this.encoding === 'utf-16be') this.utf16 = new TextDecoder(this.encoding);
      if (this.encoding === 'utf-8-bom') chunk = chunk.subarray(3);
    }
    if (this.utf16) return this.utf16.decode(chunk, { stream: true });
    if (this.encoding === 'windows-1252') return decode1252(chunk);
    if (this.carry) { chunk = Buffer.concat([this.carry, chunk]); this.carry = undefined; }
    const cut = completeUtf8Length(chunk);
    if (cut < chunk.length) { this.carry = Buffer.from(chunk.subarray(cut)); chunk = chunk.subarray(0, cut); }
    if (isUtf8(chunk)) {
      if (!this.sawNonAscii && this.encoding === 'utf-8' && !isAscii(chunk)) this.sawNonAscii = true;
      return chunk.toString('utf8');
    }
    // Not UTF-8 after all. If everything so far was ASCII, windows-1252 reads it identically.
    if (this.encoding === 'utf-8-bom' || this.sawNonAscii) this.mixed = true;
    this.encoding = 'windows-1252';
    const rest = this.carry ? Buffer.concat([chunk, this.carry]) : chunk;
    this.carry = undefined;
    return decode1252(rest);
  }

  end(): string {
    if (this.utf16) return this.utf16.decode();
    if (!this.carry) return '';
    const c = this.carry; this.carry = undefined;
    return isUtf8(c) ? c.toString('utf8') : decode1252(c);
  }
}

/** Length of the prefix of `b` that ends on a UTF-8 character boundary. */
function completeUtf8Length(b: Buffer): number {
  const n = b.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const c = b[n - back]!;
    if ((c & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

// windows-1252 differs from latin1 only in 0x80-0x9F.
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const C1 = /[\u0080-\u009f]/g;
export function decode1252(b: Buffer): string {
  const s = b.toString('latin1');
  C1.lastIndex = 0;
  return C1.test(s) ? s.replace(C1, (ch) => CP1252_HIGH[ch.charCodeAt(0) - 0x80]!) : s;
}
