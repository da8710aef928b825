/**
 * A CSV file split where it lies: records and fields as spans of its bytes, no string per cell —
 * for readers of large files (tuition partner files). It gives exactly the records `parseCsv` gives
 * (papaparse, the delimiter and line break papaparse guesses, blank lines skipped, the same
 * field-count warnings) for the files it accepts: valid UTF-8, one kind of line break, quotes only
 * around whole fields. For anything else it returns null and the caller reads the file with
 * `parseCsv`, so the two never disagree.
 *
 * Public API
 * - `splitCsvBytes(bytes, name, scratch?, form?)` → `CsvSpans | null`; `scratch` (a `CsvScratch`): span arrays
 *   reused from file to file (fresh memory costs more than splitting), the spans then views of them
 *   that the next split with it overwrites.
 * - `csvForm(bytes)` → where records begin, the delimiter and line break papaparse guesses (null: a form
 *   left to parseCsv).
 * - `CsvSpans`: `header` (as parseCsv's table has it), `rows`, `rowStart` (rows + 1 field indexes),
 *   `start`/`end` per field (a span of `bytes`; start < 0: `literals[-1 - start]`, a quoted field with
 *   doubled quotes), `problems` (parseCsv's field-count warnings), `text` (a SpanText over the bytes).
 */
import Papa from 'papaparse';
import { fieldCountWarning } from './csv';
import type { Problem } from './problems';
import { SPACE, SpanText, utf8SequenceLength } from './text-bytes';
import { resized } from './typed-arrays';

export interface CsvSpans {
  bytes: Uint8Array;
  text: SpanText;
  header: string[];
  rows: number;
  rowStart: Int32Array;
  start: Int32Array;
  end: Int32Array;
  literals: string[];
  problems: Problem[];
}

/** The bytes a CSV reader stops at (with the file's delimiter). */
export const QUOTE = 34;
export const LF = 10;
export const CR = 13;

/** The form of a CSV file as papaparse would read it: where its records begin (after a BOM), its delimiter and line break. */
export interface CsvForm {
  from: number;
  delimiter: number;
  crlf: boolean;
}

/** The file's form, or null when papaparse's guess is not one the byte readers follow (the caller then uses parseCsv). */
export function csvForm(bytes: Uint8Array): CsvForm | null {
  const from = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const g = guess(bytes, from);
  return g && { from, ...g };
}

/** What papaparse guesses for this file, from the same first megabyte and ten records it looks at. */
function guess(bytes: Uint8Array, from: number): { delimiter: number; crlf: boolean } | null {
  let end = Math.min(bytes.length, from + (1 << 20));
  while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--; // not inside a character
  if (end < bytes.length) {
    // fewer than ten records in it: papaparse would look further
    let lines = 1;
    for (let i = from; i < end && lines < 12; i++) if (bytes[i] === LF) lines++;
    if (lines < 12) return null;
  }
  // Papaparse counts line breaks over that megabyte but finds the delimiter from the first ten records: with
  // no CR in the megabyte the break is LF, and the first records (quote-free) guess the same delimiter alone.
  const short = bytes.subarray(from, end).indexOf(CR) < 0 ? firstLines(bytes, from, end, 16) : end;
  const head = new SpanText(bytes, 'utf-8').text(from, short);
  const meta = Papa.parse<string[]>(head, { delimiter: '', skipEmptyLines: 'greedy', preview: 10 }).meta;
  if (meta.linebreak !== '\n' && meta.linebreak !== '\r\n') return null;
  if (meta.delimiter.length !== 1 || meta.delimiter.charCodeAt(0) >= 0x80) return null;
  return { delimiter: meta.delimiter.charCodeAt(0), crlf: meta.linebreak === '\r\n' };
}

/** The end of the first `n` lines from `from` (before `end`) when they hold no quote, else `end`. */
function firstLines(b: Uint8Array, from: number, end: number, n: number): number {
  let lines = 0;
  for (let i = from; i < end; i++) {
    const c = b[i]!;
    if (c === QUOTE) return end;
    if (c === LF && ++lines === n) return i + 1;
  }
  return end;
}

/** Span arrays a reader of many files lends each split (see splitCsvBytes): grown to the largest file, never shrunk. */
export class CsvScratch {
  start = new Int32Array(0);
  end = new Int32Array(0);
  rowStarts = new Int32Array(0);
}

/** `form`: the file's csvForm when the caller has it already (it is found from the first megabyte, once). */
export function splitCsvBytes(bytes: Uint8Array, name: string, scratch: CsvScratch = new CsvScratch(), form: CsvForm | null = csvForm(bytes)): CsvSpans | null {
  const b = bytes;
  const n = b.length;
  if (!form) return null;
  const { from, delimiter: delim, crlf } = form;
  const text = new SpanText(b, 'utf-8');
  // per byte, in an unquoted field: 0 goes on, 1 ends the field (delimiter, line break, quote), 2 starts a multi-byte character
  const stops = new Uint8Array(256);
  stops.fill(2, 0x80);
  for (const c of [delim, LF, CR, QUOTE]) stops[c] = 1;
  if (scratch.start.length < Math.max(64, n >> 3)) {
    scratch.start = new Int32Array(Math.max(64, n >> 3));
    scratch.end = new Int32Array(scratch.start.length);
  }
  let { start, end, rowStarts } = scratch;
  let cap = start.length;
  let fields = 0;
  let records = 0;
  const pushRecord = (f: number) => {
    if (records === rowStarts.length) rowStarts = scratch.rowStarts = resized(rowStarts, Math.max(1024, records * 2));
    rowStarts[records++] = f;
  };
  const literals: string[] = [];
  let recordFrom = 0;
  let i = from;
  const push = (s: number, e: number) => {
    if (fields === cap) {
      cap *= 2;
      start = scratch.start = resized(start, cap);
      end = scratch.end = resized(end, cap);
    }
    start[fields] = s;
    end[fields++] = e;
  };
  /** Keeps the record just split unless all its fields are blank (papaparse's greedy skip). */
  const endRecord = () => {
    for (let f = recordFrom; f < fields; f++) {
      const s = start[f]!;
      const e = end[f]!;
      if (s < 0) {
        if (literals[-1 - s]!.trim() !== '') return void pushRecord(recordFrom), (recordFrom = fields);
        continue;
      }
      for (let k = s; k < e; k++) {
        if (SPACE[b[k]!]) continue;
        if (b[k]! < 0x80) return void pushRecord(recordFrom), (recordFrom = fields);
        let joined = '';
        for (let f2 = recordFrom; f2 < fields; f2++) joined += start[f2]! < 0 ? literals[-1 - start[f2]!] : text.text(start[f2]!, end[f2]!);
        if (joined.trim() !== '') return void pushRecord(recordFrom), (recordFrom = fields);
        fields = recordFrom;
        return;
      }
    }
    fields = recordFrom; // blank: dropped
  };
  for (;;) {
    // one field from i
    if (i < n && b[i] === QUOTE) {
      let j = i + 1;
      let doubled = false;
      for (;;) {
        if (j >= n) return null; // unterminated
        const c = b[j]!;
        if (c === QUOTE) {
          if (b[j + 1] === QUOTE) {
            doubled = true;
            j += 2;
            continue;
          }
          break;
        }
        if (c >= 0x80) {
          const len = utf8SequenceLength(b, j, n);
          if (!len) return null;
          j += len;
        } else j++;
      }
      if (doubled) {
        literals.push(text.text(i + 1, j).replace(/""/g, '"'));
        push(-literals.length, 0);
      } else push(i + 1, j);
      i = j + 1;
      // after a closing quote: a delimiter, a line break or the end, nothing else (papaparse would complain)
      if (!(i >= n || b[i] === delim || (crlf ? b[i] === CR && b[i + 1] === LF : b[i] === LF))) return null;
    } else {
      let j = i;
      for (; j < n; j++) {
        const stop = stops[b[j]!]!;
        if (stop === 0) continue;
        if (stop === 1) break;
        const len = utf8SequenceLength(b, j, n);
        if (!len) return null;
        j += len - 1;
      }
      if (j < n && b[j] === QUOTE) return null; // a quote inside a field
      push(i, j);
      i = j;
    }
    if (i >= n) {
      endRecord();
      break;
    }
    if (b[i] === delim) {
      i++;
      continue;
    }
    // a line break, and only the one papaparse guessed
    if (crlf) {
      if (b[i] !== CR || b[i + 1] !== LF) return null;
      i += 2;
    } else {
      if (b[i] !== LF) return null;
      i++;
    }
    endRecord();
  }
  if (records === 0) return null; // an empty file: parseCsv says so
  pushRecord(fields);
  const problems: Problem[] = [];
  const width = rowStarts[1]! - rowStarts[0]!;
  for (let r = 1; r + 1 < records; r++) {
    const count = rowStarts[r + 1]! - rowStarts[r]!;
    if (count !== width) problems.push(fieldCountWarning(name, r + 1, count, width));
  }
  const header: string[] = [];
  for (let f = rowStarts[0]!; f < rowStarts[1]!; f++) header.push((start[f]! < 0 ? literals[-1 - start[f]!]! : text.text(start[f]!, end[f]!)).replace(/^\uFEFF/, '').trim());
  return { bytes: b, text, header, rows: records - 2, rowStart: rowStarts.subarray(1, records), start, end, literals, problems };
}
