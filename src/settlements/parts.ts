/**
 * A settlement flat file read in parts (lines [start, stop) of its bytes, split at line feeds after the
 * header), so that a host may read them on several threads, then joined in file order into exactly what
 * reading the file in one pass gives (./read.ts): the same lines and row numbers, the same text ids'
 * values, the same problems in the same order, the conventions decided from the whole file's evidence
 * and the total = Σ details invariant checked once, after the join.
 *
 * What a part needs from the rows before it is found first, from the file's head (usually its first
 * two rows): whether the summary row (the first with a total-amount) lies before the part, and the
 * first settlement-id of a detail row (rows of other settlements are named against it).
 *
 * Public API
 * - `planSettlementParts(input, parts, fields?, size?)` → a plan (header problems, one job per part) or null
 *   when the file is not a UTF-8 tab-separated file with a readable header (it is then read in one pass);
 *   `size`: the file's when `input.bytes` is only its head.
 * - `readSettlementPart(bytes, job)` → the part's pass 1 (`.part()` gives it as plain data to send).
 * - `readSettlementPartWindowed(job, read, window?)`: the same through one window of `window` bytes that
 *   `read` refills from the file (a host's file read, not held whole; the plan then needs only the file's head).
 * - `placeSettlementParts(plan, head, alloc)`: the parts' lines in one set of columns, joined in place.
 * - `joinSettlementParts(plan, first, later)` → the file's SettlementRead.
 * - `readSettlementFileInParts(input, count, options?)`: all of it on this thread (`window`: through windows).
 * Reading a part throws `NOT_UTF8` when its bytes are not UTF-8: the file is then read in one pass
 * (readSettlementFile reads it as windows-1252 from the start); through a window, reading or joining
 * throws `NEEDS_BYTES` when the file needs more than the window kept (read.ts / read-lines.ts): one pass too.
 */
import type { Problem } from '../kernel/problems';
import { readSettlementHeader } from './columns';
import { lineColumns, textFieldsOf, type ColumnsPlace, type LineField } from './lines';
import type { SettlementFileInput } from './parse';
import { finishRead, readHeader, readSettlementFile, type SettlementRead } from './read';
import { NEEDS_BYTES, Pass1, estimateLines, type Pass1Part } from './read-lines';
import { NOT_UTF8, TabRows } from './rows';
import { SpanText } from '../kernel/text-bytes';

export interface SettlementPartJob {
  file: string;
  headerRow: number;
  header: string[];
  fields?: readonly LineField[];
  /** The part's bytes: whole lines, [start, stop) of the file's `size`. */
  start: number;
  stop: number;
  size: number;
  /** The row number before its first line: the header's for the first part, 0 for the others (joined with offsets). */
  row: number;
  /** The first part: the others are joined into it, so its columns are sized for the whole file's lines. */
  first: boolean;
  /** Whether the summary row lies before the part. */
  summarySeen: boolean;
  /** The first detail row's settlement-id when it lies before the part (its trimmed bytes when they needed no decoding). */
  firstSid: string | null;
  firstSidBytes: Uint8Array | null;
  /** Where its lines go when the parts share columns (placeSettlementParts). */
  place?: ColumnsPlace;
}

export interface SettlementPartsPlan {
  file: string;
  /** The header's problems (unknown or missing columns): the start of the file's problems. */
  problems: Problem[];
  jobs: SettlementPartJob[];
}

/**
 * `parts`: how many (split at about equal bytes), or where the later parts start (each just after a line
 * feed; a host that reads the file in parts itself chose them). Only the bytes before the last part's
 * start are read here. `size`: the file's, when `input.bytes` is only its head (a start past the head is
 * the host's word that a line feed ends the byte before it; rows that decide a part past the head: null).
 */
export function planSettlementParts(input: SettlementFileInput, parts: number | readonly number[], fields?: readonly LineField[], size?: number): SettlementPartsPlan | null {
  const bytes = input.bytes;
  if (!bytes) return null;
  size ??= bytes.length;
  // a head's rows: its whole lines
  const headEnd = bytes.length < size ? bytes.lastIndexOf(10) + 1 : bytes.length;
  const file = input.name;
  const problems: Problem[] = [];
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let lineEnd = bytes.indexOf(10, bom);
  if (lineEnd < 0 && headEnd < bytes.length) return null;
  if (lineEnd < 0) lineEnd = bytes.length;
  const firstLine = bytes.subarray(bom, lineEnd);
  if (!firstLine.includes(9)) return null; // a comma-separated copy, or one column: read in one pass
  const rows = new TabRows(bytes, bom, 'utf-8', true);
  let layout;
  try {
    layout = readHeader(file, rows, problems);
  } catch (e) {
    if (e === NOT_UTF8) return null;
    throw e;
  }
  if (!layout) return null;
  const headerRow = rows.row;
  const header: string[] = [];
  for (let f = 0; f < rows.count; f++) header.push(rows.raw(f));
  const from = rows.pos;
  const starts = [from];
  if (typeof parts === 'number') {
    if (size !== bytes.length) return null;
    for (let k = 1; k < parts; k++) {
      const nl = bytes.indexOf(10, from + Math.floor(((bytes.length - from) * k) / parts));
      if (nl >= 0 && nl + 1 < bytes.length && nl + 1 > starts[starts.length - 1]!) starts.push(nl + 1);
    }
  } else {
    for (const at of parts) {
      if (at <= starts[starts.length - 1]! || at >= size || (at <= bytes.length && bytes[at - 1] !== 10)) return null;
      starts.push(at);
    }
  }
  const last = starts[starts.length - 1]!;

  // What the rows before each part decide: Pass1's rules — the first row with a total-amount is the
  // summary (a detail too when it carries an amount); detail rows give the first settlement-id.
  const { idx, amountCols } = layout;
  if (from > headEnd) return null;
  const scan = new TabRows(bytes, from, 'utf-8', false, headEnd, headerRow, rows.text);
  scan.refill(from, headEnd, headEnd === size);
  let summaryAt = Infinity;
  let sidAt = Infinity;
  let firstSid: string | null = null;
  let firstSidBytes: Uint8Array | null = null;
  let more = true;
  while ((summaryAt === Infinity || sidAt === Infinity) && scan.pos < last && (more = scan.next())) {
    if (summaryAt === Infinity && scan.field(idx.total)) {
      summaryAt = scan.rowStart;
      if (!amountCols.some((i) => scan.field(i))) continue;
    }
    if (sidAt === Infinity && scan.field(idx.settlementId)) {
      sidAt = scan.rowStart;
      firstSid = scan.lit ?? scan.text.text(scan.ts, scan.te);
      firstSidBytes = scan.lit === null ? bytes.slice(scan.ts, scan.te) : null;
    }
  }

  if (!more && (summaryAt === Infinity || sidAt === Infinity) && headEnd < Math.min(last, size)) return null;
  const jobs = starts.map((start, k) => ({
    file,
    headerRow,
    header,
    fields,
    start,
    stop: starts[k + 1] ?? size,
    size: size!,
    row: k === 0 ? headerRow : 0,
    first: k === 0,
    summarySeen: summaryAt < start,
    firstSid: sidAt < start ? firstSid : null,
    firstSidBytes: sidAt < start ? firstSidBytes : null,
  }));
  return { file, problems, jobs };
}

/** Pass 1 over one part's lines (throws NOT_UTF8 when they are not UTF-8). */
export function readSettlementPart(bytes: Uint8Array, job: SettlementPartJob): Pass1 {
  const layout = readSettlementHeader(job.file, job.headerRow, job.header).layout!;
  const rows = new TabRows(bytes, job.start, 'utf-8', true, job.stop, job.row);
  const part = { capacity: estimateLines(bytes, job.start, job.first ? bytes.length : job.stop), summarySeen: job.summarySeen, firstSid: job.firstSid, firstSidBytes: job.firstSidBytes };
  return new Pass1(rows, layout, job.file, [], job.fields, part).read();
}

/** Reads `length` bytes of the file from `position` into `into` at `at`; returns how many (0: it ended). */
export type ReadBytes = (into: Uint8Array, at: number, length: number, position: number) => number;

/**
 * Pass 1 over one part's lines through a window of `window` bytes refilled by `read` (throws NOT_UTF8,
 * or NEEDS_BYTES for a line longer than the window or too many texts kept for pass 2).
 */
export function readSettlementPartWindowed(job: SettlementPartJob, read: ReadBytes, window = 4 << 20): Pass1 {
  const layout = readSettlementHeader(job.file, job.headerRow, job.header).layout!;
  const buf = new Uint8Array(Math.max(1, Math.min(window, job.stop - job.start)));
  let filled = 0;
  let pos = job.start;
  const fill = () => {
    while (filled < buf.length && pos < job.stop) {
      const n = read(buf, filled, Math.min(buf.length - filled, job.stop - pos), pos);
      if (n <= 0) throw new Error('The file became shorter while it was read.');
      filled += n;
      pos += n;
    }
  };
  fill();
  // the columns sized from the first window's lines (the first part's for the whole file's)
  const capacity = Math.ceil((estimateLines(buf, 0, filled) * ((job.first ? job.size : job.stop) - job.start)) / Math.max(1, filled));
  const rows = new TabRows(buf, 0, 'utf-8', true, 0, job.row, new SpanText(buf, 'utf-8', true));
  const pass = new Pass1(rows, layout, job.file, [], job.fields, { capacity, summarySeen: job.summarySeen, firstSid: job.firstSid, firstSidBytes: job.firstSidBytes, windowed: true, place: job.place });
  for (;;) {
    const end = pos >= job.stop;
    const stop = end ? filled : buf.lastIndexOf(10, filled - 1) + 1;
    if (stop === 0) throw NEEDS_BYTES;
    rows.refill(0, stop, end && job.stop === job.size);
    pass.read();
    if (end) return pass;
    buf.copyWithin(0, stop, filled);
    filled -= stop;
    pass.forgetSpans();
    fill();
  }
}

/**
 * Places the parts' lines in one set of columns (lines.ts lineColumns; `alloc` makes their memory, shared
 * for a host's threads), each part from a line past the previous part's likely last, guessed from the
 * lines per byte of the file's head (a part that holds more grows into its own arrays, copied when joined).
 */
export function placeSettlementParts(plan: SettlementPartsPlan, head: Uint8Array, alloc: (bytes: number) => ArrayBufferLike): void {
  const from = plan.jobs[0]!.start;
  const to = Math.min(head.length, from + (1 << 20));
  let lines = 1;
  for (let i = head.indexOf(10, from); i >= 0 && i < to; i = head.indexOf(10, i + 1)) lines++;
  const perByte = lines / Math.max(1, to - from);
  const limits: number[] = [];
  let at = 0;
  for (const job of plan.jobs) limits.push((at += Math.ceil((job.stop - job.start) * perByte * 1.05) + 64));
  const columns = lineColumns(at, textFieldsOf(plan.jobs[0]!.fields).length, alloc);
  plan.jobs.forEach((job, k) => (job.place = { columns, at: k ? limits[k - 1]! : 0, limit: limits[k]! }));
}

/** The first part with the later ones appended in file order, then the conventions, the summary, pass 2 and the invariant. */
export function joinSettlementParts(plan: SettlementPartsPlan, first: Pass1, later: readonly Pass1Part[]): SettlementRead {
  for (const p of later) first.append(p, first.rowsRead);
  const job = plan.jobs[0]!;
  const layout = readSettlementHeader(job.file, job.headerRow, job.header).layout!;
  return finishRead(plan.file, layout, 'utf-8', first, [...plan.problems, ...first.problems]);
}

/**
 * The parts read one after another on this thread: what a host's threads together give (`window`: each
 * through a window of that many bytes; `placed`: their lines in one set of columns, placeSettlementParts).
 */
export function readSettlementFileInParts(input: SettlementFileInput, count: number, options: { fields?: readonly LineField[]; window?: number; placed?: boolean } = {}): SettlementRead {
  const plan = planSettlementParts(input, count, options.fields);
  if (!plan) return readSettlementFile(input, options);
  if (options.placed) placeSettlementParts(plan, input.bytes!, (n) => new ArrayBuffer(n));
  const bytes = input.bytes!;
  const window = options.window;
  const copy: ReadBytes = (into, at, length, position) => (into.set(bytes.subarray(position, position + length), at), length);
  try {
    const [first, ...later] = plan.jobs.map((job) => (window ? readSettlementPartWindowed(job, copy, window) : readSettlementPart(bytes, job)));
    return joinSettlementParts(plan, first!, later.map((p) => p.part()));
  } catch (e) {
    if (e === NOT_UTF8 || e === NEEDS_BYTES) return readSettlementFile(input, options);
    throw e;
  }
}
