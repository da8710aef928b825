/**
 * A CSV file's plain records one at a time, straight from its bytes, each field's span and hash
 * (ByteKeys' hash) taken in the one pass that finds the field: for readers that check every row of a
 * large file (tuition partner files) and need neither a span array for the whole file nor a second
 * pass over the bytes to look each value up. A record is plain when it is ASCII, holds no quote and
 * ends with the file's own line break. The scan stops before the first record that is not; the caller
 * reads the file from that record with splitCsvBytes or parseCsv, which give exactly these records for
 * the plain ones before it (blank records skipped as they skip them, records numbered as they number them).
 *
 * Public API
 * - `PlainRecords.open(bytes, form)` (form: `csvForm(bytes)`) → the reader past the header, or null
 *   when the header is not a plain, non-blank first record.
 * - `header` (as parseCsv's table has it), `width`; `next()` → RECORD (the record's `count` fields in
 *   `start`/`end`/`hash`; `taken`: data records so far, this one included), END, or NOT_PLAIN (data
 *   record `taken` — 0-based — is not plain: nothing of it was taken).
 */
import { CR, LF, QUOTE, type CsvForm } from './csv-bytes';
import { BYTE_HASH_START, BYTE_HASH_STEP, decodeUtf8, SPACE } from './text-bytes';
import { resized } from './typed-arrays';

export const RECORD = 1;
export const END = 0;
export const NOT_PLAIN = -1;

export class PlainRecords {
  start: Int32Array;
  end: Int32Array;
  hash: Int32Array;
  /** Fields in the record just read. */
  count = 0;
  /** Data records read (blank ones are not records). */
  taken = 0;
  header: string[] = [];
  /** Byte 1 ends or stops an unquoted run: the delimiter, CR, LF, a quote, anything not ASCII. */
  private readonly stops = new Uint8Array(256);
  private pos: number;

  private constructor(
    readonly bytes: Uint8Array,
    private readonly form: CsvForm,
  ) {
    this.pos = form.from;
    this.stops.fill(1, 0x80);
    for (const c of [form.delimiter, LF, CR, QUOTE]) this.stops[c] = 1;
    this.start = new Int32Array(64);
    this.end = new Int32Array(64);
    this.hash = new Int32Array(64);
  }

  get width(): number {
    return this.header.length;
  }

  static open(bytes: Uint8Array, form: CsvForm): PlainRecords | null {
    const r = new PlainRecords(bytes, form);
    // a blank first line is a blank record splitCsvBytes skips before the header: left to it
    if (r.pos >= bytes.length || r.scan() !== RECORD || r.blank()) return null;
    for (let f = 0; f < r.count; f++) r.header.push(decodeUtf8(bytes.subarray(r.start[f]!, r.end[f]!)).trim());
    return r;
  }

  next(): number {
    for (;;) {
      if (this.pos >= this.bytes.length) return END;
      const at = this.pos;
      if (this.scan() !== RECORD) {
        this.pos = at;
        return NOT_PLAIN;
      }
      if (this.blank()) continue;
      this.taken++;
      return RECORD;
    }
  }

  /** One record from pos: its fields' spans and hashes; pos past its line break. */
  private scan(): number {
    const b = this.bytes;
    const n = b.length;
    const stops = this.stops;
    const delim = this.form.delimiter;
    const crlf = this.form.crlf;
    let { start, end, hash } = this;
    let i = this.pos;
    let f = 0;
    let s = i;
    let h = BYTE_HASH_START;
    for (;;) {
      let c = -1;
      for (; i < n; i++) {
        c = b[i]!;
        if (stops[c] !== 0) break;
        h = Math.imul(h ^ c, BYTE_HASH_STEP);
      }
      if (i >= n) c = -1;
      // a field ends here (or the record is not plain)
      let next: number;
      if (c === delim) next = -1;
      else if (c < 0) next = n;
      else if (c === LF && !crlf) next = i + 1;
      else if (c === CR && crlf && b[i + 1] === LF) next = i + 2;
      else return NOT_PLAIN;
      if (f === start.length) {
        start = this.start = resized(start, f * 2);
        end = this.end = resized(end, f * 2);
        hash = this.hash = resized(hash, f * 2);
      }
      start[f] = s;
      end[f] = i;
      hash[f++] = h;
      if (next < 0) {
        s = ++i;
        h = BYTE_HASH_START;
        continue;
      }
      this.pos = next;
      this.count = f;
      return RECORD;
    }
  }

  /** Every field of the record just read is spaces or empty (papaparse's greedy skip). */
  private blank(): boolean {
    const b = this.bytes;
    for (let f = 0; f < this.count; f++) for (let k = this.start[f]!; k < this.end[f]!; k++) if (!SPACE[b[k]!]) return false;
    return true;
  }
}
