/**
 * A partner file read on its own — on another thread, say — as a part that a reader merges in file
 * order with exactly the result of reading the file itself: the same lines, problems in the same
 * order, the same layouts. The one thing a file cannot decide alone is a duplicate reference (a
 * partner may re-send a line in a later file), so a part reader records each reference it reads,
 * where the row's problems end and which line the row gave, and the merging reader checks them
 * against every reference before (./lines.ts `merge`).
 *
 * Public API
 * - `ExpensePart`: plain data (strings, numbers, typed arrays): it can be posted between threads;
 *   `partTransferList(part)`: its typed arrays' buffers, to move rather than copy them.
 * - `RecordedReferences`: what a part reader records per reference (used by ./lines.ts).
 * - `duplicateReference(...)`: the problem of a reference given before (the reader's one sentence).
 * - `remapInto`, `copyInto`: a part's columns into the merging reader's, a column at a time.
 */
import { ByteWriter } from '../kernel/byte-writer';
import { blocking, type Problem } from '../kernel/problems';
import type { ReadLinesOptions, ReadLinesResult } from './lines';
import { resized } from '../kernel/typed-arrays';

/** A part's lines as columns, with ids into the part's own texts (see ExpenseColumns for each column). */
export interface PartColumns {
  count: number;
  partner: Int32Array;
  customer: Int32Array;
  user: Int32Array;
  type: Uint8Array;
  cents: Float64Array;
  currency: Int32Array;
  date: Int32Array;
  credit: Uint8Array;
  source: Int32Array;
  row: Int32Array;
  names: string[];
  partners: string[];
  dates: string[];
  sources: string[];
}

/** Per reference read, in row order: its bytes, partner and place, and what the merge needs to block the row. */
export interface PartReferences {
  count: number;
  pool: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  partner: Int32Array;
  source: Int32Array;
  row: Int32Array;
  /** Index in the part's problems where a duplicate's problem goes (after the row's own). */
  problemAt: Int32Array;
  /** The line the row gave (−1: the row was blocked already). */
  line: Int32Array;
  /** Index in `columns` of the header problems name the reference column by. */
  column: Int32Array;
  columns: string[];
}

export interface ExpensePart {
  /** The options the part was read with: it merges only into a reader with the same ones. */
  month: string | undefined;
  partner: string | undefined;
  lines: PartColumns;
  /** The rows' problems, in order, without duplicate references. */
  problems: Problem[];
  layouts: ReadLinesResult['layouts'];
  references: PartReferences;
}

/** The buffers of a part's typed arrays (each array is a view of a buffer of its own). */
export function partTransferList(part: ExpensePart): ArrayBuffer[] {
  const arrays = [...Object.values(part.lines), ...Object.values(part.references)].filter((v): v is Uint8Array => ArrayBuffer.isView(v));
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

export function sameReadOptions(part: ExpensePart, options: ReadLinesOptions): boolean {
  return part.month === options.month && part.partner === options.partner;
}

/** What a part reader records per reference it reads (see PartReferences). */
export class RecordedReferences {
  count = 0;
  /** The references' bytes, one after another (start/end index it). */
  private readonly pool = new ByteWriter(1 << 16);
  private readonly cols: Int32Array[] = Array.from({ length: 8 }, () => new Int32Array(1024));
  private readonly columnIds = new Map<string, number>();

  add(bytes: Uint8Array, s: number, e: number, partner: number, source: number, row: number, problemAt: number, line: number, column: string): void {
    if (this.count === this.cols[0]!.length) for (let k = 0; k < this.cols.length; k++) this.cols[k] = resized(this.cols[k]!, this.count * 2);
    const at = this.pool.pos;
    this.pool.copy(bytes, s, e);
    let c = this.columnIds.get(column);
    if (c === undefined) this.columnIds.set(column, (c = this.columnIds.size));
    const i = this.count++;
    // the columns in the order toPart names them: start, end, partner, source, row, problemAt, line, column
    const cols = this.cols;
    cols[0]![i] = at;
    cols[1]![i] = this.pool.pos;
    cols[2]![i] = partner;
    cols[3]![i] = source;
    cols[4]![i] = row;
    cols[5]![i] = problemAt;
    cols[6]![i] = line;
    cols[7]![i] = c;
  }

  /** Room for n more references (of the length of those so far), made at once. */
  reserve(n: number): void {
    if (this.count + n > this.cols[0]!.length) for (let k = 0; k < this.cols.length; k++) this.cols[k] = resized(this.cols[k]!, this.count + n);
    this.pool.room(Math.ceil(n * (this.count ? this.pool.pos / this.count : 8)));
  }

  toPart(): PartReferences {
    const [start, end, partner, source, row, problemAt, line, column] = this.cols.map((a) => a.subarray(0, this.count)) as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
    return { count: this.count, pool: this.pool.buf.subarray(0, this.pool.pos), start, end, partner, source, row, problemAt, line, column, columns: [...this.columnIds.keys()] };
  }
}

/** out[at + j] = map[from[keep?.[j] ?? j]] for j < n: a part's ids (of the lines kept) as the merging reader's. */
export function remapInto(out: Int32Array, at: number, from: Int32Array, map: Int32Array, keep: Int32Array | null, n: number): void {
  if (keep) for (let j = 0; j < n; j++) out[at + j] = map[from[keep[j]!]!]!;
  else for (let j = 0; j < n; j++) out[at + j] = map[from[j]!]!;
}

/** out[at + j] = from[keep?.[j] ?? j] for j < n: a part's numbers (of the lines kept). */
export function copyInto<T extends Int32Array | Uint8Array | Float64Array>(out: T, at: number, from: T, keep: Int32Array | null, n: number): void {
  if (!keep) out.set(from.subarray(0, n), at);
  else for (let j = 0; j < n; j++) out[at + j] = from[keep[j]!]!;
}

/** A partner reference given before, on `first` (source and row): the line is billed once. */
export function duplicateReference(at: { source: string; row: number; column: string }, partner: string, id: string, first: { source: string; row: number }): Problem {
  return blocking({
    ...at,
    value: id,
    message: `${partner} reference ${id} was already given on ${first.source} row ${first.row}; a line is billed once.`,
    code: 'duplicate-reference',
  });
}
