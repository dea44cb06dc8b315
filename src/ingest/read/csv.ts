// A streaming CSV parser (RFC 4180 plus real-world slack): quoted fields with "" escapes and embedded
// newlines, CRLF/LF/CR line ends, stray quotes inside unquoted fields kept as text. Rows come out in
// batches with the 1-based line number each starts on. Lines without a quote take a split() fast path.

export interface RawRow { line: number; cells: unknown[] }

/**
 * Rows as offsets into one text: line i runs from start[i] to end[i] (no line break) and starts on source
 * line line[i]; where rows[i] is set, that line held quotes or a lone CR and was parsed into cells instead.
 * Made once a reader asks for it (CsvParser.fast), so the hot path of ingest builds no string per cell.
 */
export interface LineBatch {
  text: string;
  count: number;
  start: Int32Array;
  end: Int32Array;
  line: Int32Array;
  rows: (RawRow | undefined)[];
}

export class CsvParser {
  private buf = '';
  private line = 1;          // line number at the start of buf
  private delimiter: string;
  /** Once set, complete plain lines come out as offsets (pushLines) instead of split cells. */
  fast = false;
  constructor(delimiter = ',') { this.delimiter = delimiter; }

  get delimiterCode(): number { return this.delimiter.charCodeAt(0); }

  /** Feeds text; returns the complete rows found as a LineBatch (fast mode). */
  pushLines(text: string, final = false): LineBatch {
    this.buf = this.buf.length ? this.buf + text : text;
    const batch = this.drainLines(final);
    return batch;
  }

  private drainLines(final: boolean): LineBatch {
    const buf = this.buf;
    const len = buf.length;
    // Upper bound of lines: count newlines lazily by growing arrays.
    let cap = 1024;
    let start = new Int32Array(cap), end = new Int32Array(cap), line = new Int32Array(cap);
    const rows: (RawRow | undefined)[] = [];
    let count = 0;
    const room = () => {
      if (count < cap) return;
      cap *= 2;
      const s2 = new Int32Array(cap), e2 = new Int32Array(cap), l2 = new Int32Array(cap);
      s2.set(start); e2.set(end); l2.set(line);
      start = s2; end = e2; line = l2;
    };
    let pos = 0;
    let q = buf.indexOf('"', pos);
    let cr = buf.indexOf('\r', pos); // next CR; like q, re-searched only once passed
    while (pos < len) {
      let nl = buf.indexOf('\n', pos);
      if (q !== -1 && q < pos) q = buf.indexOf('"', pos);
      if (q === -1 || (nl !== -1 && q > nl)) {
        if (nl === -1) {
          if (!final) break;
          nl = len;
        }
        let e = nl;
        if (e > pos && buf.charCodeAt(e - 1) === 13) e--;
        if (cr !== -1 && cr < pos) cr = buf.indexOf('\r', pos);
        room();
        if (cr !== -1 && cr < e) {
          // A lone CR used as a line end (old Mac files): split on it, as push() does.
          for (const part of buf.slice(pos, e).split('\r')) {
            room();
            start[count] = -1; end[count] = -1; line[count] = this.line; rows[count] = { line: this.line++, cells: part.split(this.delimiter) }; count++;
          }
          this.line--;
        } else {
          start[count] = pos; end[count] = e; line[count] = this.line; count++;
        }
        this.line++;
        pos = nl + 1;
        continue;
      }
      const res = this.parseQuotedRow(buf, pos, final);
      if (!res) break;
      room();
      start[count] = -1; end[count] = -1; line[count] = this.line; rows[count] = { line: this.line, cells: res.cells }; count++;
      this.line += res.newlines + 1;
      pos = res.next;
    }
    this.buf = pos >= len ? '' : buf.slice(pos);
    return { text: buf, count, start, end, line, rows };
  }

  /** Feeds text; returns the complete rows found. */
  push(text: string, out: RawRow[] = []): RawRow[] {
    return this.cells(this.pushLines(text, false), out);
  }

  /** Flushes the last row (a file need not end with a newline). */
  end(out: RawRow[] = []): RawRow[] {
    return this.cells(this.pushLines('', true), out);
  }

  /** A LineBatch's rows as cells. */
  private cells(b: LineBatch, out: RawRow[]): RawRow[] {
    for (let k = 0; k < b.count; k++) {
      const s = b.start[k]!;
      out.push(b.rows[k] ?? { line: b.line[k]!, cells: b.text.slice(s, b.end[k]!).split(this.delimiter) });
    }
    return out;
  }

  private parseQuotedRow(buf: string, start: number, final: boolean): { cells: string[]; next: number; newlines: number } | null {
    const cells: string[] = [];
    const d = this.delimiter.charCodeAt(0);
    const len = buf.length;
    let i = start;
    let newlines = 0;
    let field = '';
    for (;;) {
      if (i >= len) {
        if (!final) return null;
        cells.push(field);
        return { cells, next: len, newlines };
      }
      let c = buf.charCodeAt(i);
      if (c === 34 && field.length === 0 && (i === start || buf.charCodeAt(i - 1) === d)) {
        // Quoted field.
        i++;
        let segStart = i;
        for (;;) {
          const qq = buf.indexOf('"', i);
          if (qq === -1) {
            if (!final) return null;
            field += buf.slice(segStart);
            i = len;
            break;
          }
          if (qq + 1 < len && buf.charCodeAt(qq + 1) === 34) {
            field += buf.slice(segStart, qq + 1);
            i = qq + 2;
            segStart = i;
            continue;
          }
          if (qq + 1 >= len && !final) return null;
          field += buf.slice(segStart, qq);
          i = qq + 1;
          break;
        }
        for (let k = 0; k < field.length; k++) if (field.charCodeAt(k) === 10) newlines++;
        // Text after the closing quote up to the delimiter is kept (lenient).
        while (i < len) {
          c = buf.charCodeAt(i);
          if (c === d || c === 10 || c === 13) break;
          field += buf[i];
          i++;
        }
        if (i >= len && !final) return null;
        continue;
      }
      if (c === d) { cells.push(field); field = ''; i++; continue; }
      if (c === 10 || c === 13) {
        cells.push(field);
        if (c === 13 && i + 1 < len && buf.charCodeAt(i + 1) === 10) i++;
        else if (c === 13 && i + 1 >= len && !final) return null;
        return { cells, next: i + 1, newlines };
      }
      // Unquoted text: take a run up to the next special character.
      let j = i + 1;
      while (j < len) {
        const cj = buf.charCodeAt(j);
        if (cj === d || cj === 10 || cj === 13) break;
        j++;
      }
      field += buf.slice(i, j);
      i = j;
    }
  }
}

/** Guesses the delimiter from the first lines: comma, semicolon, tab or pipe. */
export function sniffDelimiter(sample: string): string {
  const lines = sample.split(/\r?\n/, 20).filter((l) => l.trim().length > 0);
  let best = ',', bestScore = 0;
  for (const d of [',', '\t', ';', '|']) {
    const counts = lines.map((l) => l.split(d).length - 1);
    const score = counts.filter((c) => c > 0).length * 10 + Math.min(...counts.filter((c) => c > 0), 50);
    if (counts.some((c) => c > 0) && score > bestScore) { best = d; bestScore = score; }
  }
  return best;
}
