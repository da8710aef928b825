/**
 * The rows of a settlement file as spans of bytes (step 2 of reading, see ./read.ts). A flat file's
 * bytes are split where they lie — tabs and line ends found in one pass, UTF-8 checked on the way,
 * nothing decoded, no string or object per line. Rows that arrive as cells (a comma-separated copy,
 * a dataset, a sheet) are encoded once into one buffer and read the same way, so one reader serves all.
 *
 * Blank lines are skipped but counted (line numbers are the file's); a row's fields are trimmed as
 * JavaScript's trim would trim the decoded text.
 *
 * Public API
 * - `SettlementRows`: `next()` → false at the end; `row`, `count`, `start`/`end` (untrimmed spans of
 *   `bytes`); `field(i)` trims field i into `ts`/`te` (or `lit` when Unicode spaces had to be decoded to
 *   trim) and says whether it is non-empty; `value(i)` is its text.
 * - `TabRows(bytes, from, encoding, validate, stop?, row?, text?)`: a tab-separated file, or the lines of
 *   a part of it in [from, stop); throws `NOT_UTF8` at the first invalid UTF-8 sequence when validating.
 *   `validateRest()` checks the bytes not yet read; `pos` is where the next row starts; `refill(from, stop, last)`
 *   goes on with the rows of bytes refilled in place (a file read through a window; row numbers go on).
 * - `CellRows.of(rows)`: rows of text cells ({ row, cells }).
 */
import { SPACE, SpanText, encodeUtf8, utf8SequenceLength, type SpanEncoding } from '../kernel/text-bytes';

/** Thrown by a validating TabRows: the file is not UTF-8 (the reader starts again as windows-1252). */
export const NOT_UTF8 = new Error('not UTF-8');

export abstract class SettlementRows {
  row = 0;
  count = 0;
  start = new Int32Array(64);
  end = new Int32Array(64);
  /** Trimmed span of the last field(): bytes[ts, te). */
  ts = 0;
  te = 0;
  /** The last field()'s trimmed text when it had to be decoded to trim (Unicode spaces at an edge); null otherwise. */
  lit: string | null = null;

  constructor(
    readonly bytes: Uint8Array,
    readonly text: SpanText,
  ) {}

  abstract next(): boolean;

  protected push(s: number, e: number): void {
    if (this.count === this.start.length) this.grow();
    this.start[this.count] = s;
    this.end[this.count++] = e;
  }

  protected grow(): void {
    const start = new Int32Array(this.start.length * 2);
    start.set(this.start);
    const end = new Int32Array(this.end.length * 2);
    end.set(this.end);
    this.start = start;
    this.end = end;
  }

  /** Trims field i (a missing column or field is empty); true when something is left. */
  field(i: number): boolean {
    this.lit = null;
    if (i < 0 || i >= this.count) {
      this.ts = this.te = 0;
      return false;
    }
    const b = this.bytes;
    let s = this.start[i]!;
    let e = this.end[i]!;
    if (s === e) {
      this.ts = this.te = s;
      return false;
    }
    // the usual field: printable ASCII at both ends, nothing to trim
    const first = b[s]!;
    const last = b[e - 1]!;
    if (s < e && first > 32 && first < 0x80 && last > 32 && last < 0x80) {
      this.ts = s;
      this.te = e;
      return true;
    }
    while (s < e && SPACE[b[s]!]) s++;
    while (e > s && SPACE[b[e - 1]!]) e--;
    this.ts = s;
    this.te = e;
    if (s < e && (b[s]! >= 0x80 || b[e - 1]! >= 0x80)) {
      const t = this.text.text(s, e);
      const trimmed = t.trim();
      if (trimmed.length !== t.length) {
        this.lit = trimmed;
        return trimmed !== '';
      }
    }
    return s < e;
  }

  /** The trimmed text of field i. */
  value(i: number): string {
    if (!this.field(i)) return '';
    return this.lit ?? this.text.text(this.ts, this.te);
  }

  /** The untrimmed text of field i (a header cell). */
  raw(i: number): string {
    return this.text.text(this.start[i]!, this.end[i]!);
  }
}

export class TabRows extends SettlementRows {
  pos: number;
  /** Where the last row read starts. */
  rowStart = 0;
  private done = false;
  /** Whether `stop` is the file's end (the line after its last line feed is counted, as a whole file's is). */
  private last: boolean;

  /**
   * `stop`: where the rows stop (a part of the file: just after a line feed); `row`: the line number
   * before the first row read.
   */
  constructor(
    bytes: Uint8Array,
    from: number,
    encoding: SpanEncoding,
    private readonly validate: boolean,
    private stop = bytes.length,
    row = 0,
    text = new SpanText(bytes, encoding),
  ) {
    super(bytes, text);
    this.pos = from;
    this.row = row;
    this.last = stop === bytes.length;
  }

  /** Goes on with the rows of bytes [from, stop) refilled in place; `last`: stop is the file's end. */
  refill(from: number, stop: number, last: boolean): void {
    this.pos = from;
    this.stop = stop;
    this.last = last;
    this.done = false;
  }

  next(): boolean {
    const b = this.bytes;
    const n = this.stop;
    const validate = this.validate;
    while (!this.done) {
      const from = (this.rowStart = this.pos);
      // a part ends after its last line feed (the whole file goes on to count the line after the last one)
      if (from === n && !this.last) {
        this.done = true;
        break;
      }
      this.row++;
      let start = this.start;
      let end = this.end;
      let count = 0;
      let fieldStart = from;
      let i = from;
      for (; i < n; i++) {
        let c = b[i]!;
        // 14..127: neither tab, line feed nor a byte of a multibyte character (two at a time while they are)
        while ((c - 14) >>> 0 < 114 && i + 2 < n) {
          const d = b[i + 1]!;
          if ((d - 14) >>> 0 >= 114) {
            c = d;
            i++;
            break;
          }
          i += 2;
          c = b[i]!;
        }
        if ((c - 14) >>> 0 < 114) continue;
        if (c === 9) {
          if (count === start.length) {
            this.count = count;
            this.grow();
            [start, end] = [this.start, this.end];
          }
          start[count] = fieldStart;
          end[count++] = i;
          fieldStart = i + 1;
        } else if (c === 10) break;
        else if (c >= 0x80 && validate) {
          const len = utf8SequenceLength(b, i, n);
          if (!len) throw NOT_UTF8;
          i += len - 1;
        }
      }
      this.count = count;
      this.pos = i + 1;
      if (i >= n) this.done = true;
      const lineEnd = i > from && b[i - 1] === 13 ? i - 1 : i;
      this.push(fieldStart, Math.max(fieldStart, lineEnd));
      // Blank (only spaces): skipped, its line number counted.
      let k = from;
      while (k < lineEnd && SPACE[b[k]!]) k++;
      if (k < lineEnd && (b[k]! < 0x80 || this.text.text(from, lineEnd).trim() !== '')) return true;
    }
    return false;
  }

  /** Checks the UTF-8 of the bytes not read yet (a reader that stops early must still know the file's encoding). */
  validateRest(): void {
    if (!this.validate) return;
    const b = this.bytes;
    for (let i = this.pos; i < this.stop; i++) {
      if (b[i]! < 0x80) continue;
      const len = utf8SequenceLength(b, i, this.stop);
      if (!len) throw NOT_UTF8;
      i += len - 1;
    }
  }
}

/** Rows of text cells (already trimmed where the source trims them), encoded once into one buffer. */
export class CellRows extends SettlementRows {
  private k = 0;

  private constructor(
    encoded: Uint8Array,
    private readonly rows: readonly number[],
    private readonly rowStart: Int32Array,
    private readonly spans: Int32Array,
  ) {
    super(encoded, new SpanText(encoded, 'utf-8'));
  }

  static of(rows: readonly { row: number; cells: readonly string[] }[]): CellRows {
    const parts = rows.map((r) => r.cells.map(encodeUtf8));
    const rowStart = new Int32Array(rows.length + 1);
    const cells = parts.reduce((n, p) => n + p.length, 0);
    const spans = new Int32Array(cells * 2);
    const encoded = new Uint8Array(parts.reduce((n, p) => n + p.reduce((m, c) => m + c.length, 0), 0));
    let at = 0;
    let f = 0;
    parts.forEach((p, k) => {
      rowStart[k] = f;
      for (const c of p) {
        encoded.set(c, at);
        spans[2 * f] = at;
        at += c.length;
        spans[2 * f++ + 1] = at;
      }
    });
    rowStart[rows.length] = f;
    return new CellRows(encoded, rows.map((r) => r.row), rowStart, spans);
  }

  next(): boolean {
    const k = this.k;
    if (k >= this.rows.length) return false;
    this.k++;
    this.row = this.rows[k]!;
    this.count = 0;
    for (let f = this.rowStart[k]!; f < this.rowStart[k + 1]!; f++) this.push(this.spans[2 * f]!, this.spans[2 * f + 1]!);
    return true;
  }
}
