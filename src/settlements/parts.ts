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
 * - `planSettlementParts(input, parts, fields?)` → a plan (header problems, one job per part) or null
 *   when the file is not a UTF-8 tab-separated file with a readable header (it is then read in one pass).
 * - `readSettlementPart(bytes, job)` → the part's pass 1 (`.part()` gives it as plain data to send).
 * - `joinSettlementParts(plan, first, later)` → the file's SettlementRead.
 * - `readSettlementFileInParts(input, count, options?)`: all of it on this thread.
 * Reading a part throws `NOT_UTF8` when its bytes are not UTF-8: the file is then read in one pass
 * (readSettlementFile reads it as windows-1252 from the start).
 */
import type { Problem } from '../kernel/problems';
import { readSettlementHeader } from './columns';
import type { LineTextField } from './lines';
import type { SettlementFileInput } from './parse';
import { finishRead, readHeader, readSettlementFile, type SettlementRead } from './read';
import { Pass1, estimateLines, type Pass1Part } from './read-lines';
import { NOT_UTF8, TabRows } from './rows';

export interface SettlementPartJob {
  file: string;
  headerRow: number;
  header: string[];
  fields?: readonly LineTextField[];
  /** The part's bytes: whole lines, [start, stop). */
  start: number;
  stop: number;
  /** The row number before its first line: the header's for the first part, 0 for the others (joined with offsets). */
  row: number;
  /** The first part: the others are joined into it, so its columns are sized for the whole file's lines. */
  first: boolean;
  /** Whether the summary row lies before the part. */
  summarySeen: boolean;
  /** The first detail row's settlement-id when it lies before the part (its trimmed bytes when they needed no decoding). */
  firstSid: string | null;
  firstSidBytes: Uint8Array | null;
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
 * start are read here.
 */
export function planSettlementParts(input: SettlementFileInput, parts: number | readonly number[], fields?: readonly LineTextField[]): SettlementPartsPlan | null {
  const bytes = input.bytes;
  if (!bytes) return null;
  const file = input.name;
  const problems: Problem[] = [];
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let lineEnd = bytes.indexOf(10, bom);
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
    for (let k = 1; k < parts; k++) {
      const nl = bytes.indexOf(10, from + Math.floor(((bytes.length - from) * k) / parts));
      if (nl >= 0 && nl + 1 < bytes.length && nl + 1 > starts[starts.length - 1]!) starts.push(nl + 1);
    }
  } else {
    for (const at of parts) {
      if (at <= starts[starts.length - 1]! || at >= bytes.length || bytes[at - 1] !== 10) return null;
      starts.push(at);
    }
  }
  const last = starts[starts.length - 1]!;

  // What the rows before each part decide: Pass1's rules — the first row with a total-amount is the
  // summary (a detail too when it carries an amount); detail rows give the first settlement-id.
  const { idx, amountCols } = layout;
  const scan = new TabRows(bytes, from, 'utf-8', false, bytes.length, headerRow, rows.text);
  let summaryAt = Infinity;
  let sidAt = Infinity;
  let firstSid: string | null = null;
  let firstSidBytes: Uint8Array | null = null;
  while ((summaryAt === Infinity || sidAt === Infinity) && scan.pos < last && scan.next()) {
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

  const jobs = starts.map((start, k) => ({
    file,
    headerRow,
    header,
    fields,
    start,
    stop: starts[k + 1] ?? bytes.length,
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

/** The first part with the later ones appended in file order, then the conventions, the summary, pass 2 and the invariant. */
export function joinSettlementParts(plan: SettlementPartsPlan, first: Pass1, later: readonly Pass1Part[]): SettlementRead {
  for (const p of later) first.append(p, first.rowsRead);
  const job = plan.jobs[0]!;
  const layout = readSettlementHeader(job.file, job.headerRow, job.header).layout!;
  return finishRead(plan.file, layout, 'utf-8', first, [...plan.problems, ...first.problems]);
}

/** The parts read one after another on this thread: what a host's threads together give. */
export function readSettlementFileInParts(input: SettlementFileInput, count: number, options: { fields?: readonly LineTextField[] } = {}): SettlementRead {
  const plan = planSettlementParts(input, count, options.fields);
  if (!plan) return readSettlementFile(input, options);
  try {
    const [first, ...later] = plan.jobs.map((job) => readSettlementPart(input.bytes!, job));
    return joinSettlementParts(plan, first!, later.map((p) => p.part()));
  } catch (e) {
    if (e === NOT_UTF8) return readSettlementFile(input, options);
    throw e;
  }
}
