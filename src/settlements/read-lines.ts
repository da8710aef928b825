// Over 400 lines: pass 1 is one class run once per line, and its part()/append() (reading a file in parts) work on the same private state.
/**
 * Pass 1 of reading a settlement file (see ./read.ts): each line's text fields as ids (./lines.ts),
 * amounts in a plain form (`-12.34`, `34,20`) read straight to cents and posted dates in a plain form
 * to their day, everything else left for pass 2; evidence for the file's conventions; the summary row.
 * A class, not closures: it runs once per line of a million-line file.
 *
 * Public API
 * - `Pass1(rows, layout, file, problems, fields?, part?)`.read(): lines, per-line amount form and span,
 *   later dates, literals, summary, rows of other settlements, the decimal and date tallies; for a part
 *   of the file (./parts.ts) `part()` gives it as plain data and `append(part, rowOffset)` joins a later one.
 * - `Pass1Part`, `partTransferList(part)`: a part as another thread sends it.
 * - `estimateLines(bytes, from?, to?)`: lines a span of bytes probably holds.
 * - `NEEDS_BYTES`: thrown when a file read through a window (part.windowed) needs bytes already let go;
 *   the host then reads the file whole.
 * - `NO_SEPARATOR`, `POINT`, `COMMA`, `OTHER`: amount forms.
 */
import { warning, type Problem } from '../kernel/problems';
import { NOT_PLAIN, AMOUNT_COMMA, AMOUNT_INTEGER, AMOUNT_POINT, plainAmount, plainAmountAt } from '../kernel/money';
import type { SettlementLayout } from './columns';
import { DOTTED_SHAPE, DateTally, DecimalTally, ISO_SHAPE, dateShape, type DateShape, type DecimalEvidence } from './conventions';
import { SettlementLines, type ColumnsPlace, type LineField, type LinesPart } from './lines';
import type { SettlementRows } from './rows';

/** Amount forms (see plainAmountAt), and the evidence each gives about the decimal separator. */
export const NO_SEPARATOR = AMOUNT_INTEGER;
export const POINT = AMOUNT_POINT;
export const COMMA = AMOUNT_COMMA;
export const OTHER = NOT_PLAIN;
const EVIDENCE: DecimalEvidence[] = ['none', 'dot', 'comma'];

/**
 * Thrown by a pass read through a window when pass 2 would need bytes already let go: amounts read in
 * pass 1 as cents with a decimal point are right only when the file's convention is the point and its
 * currency has two decimals (anything else is kept as text, which past a few thousand lines costs more
 * than reading the file whole).
 */
export const NEEDS_BYTES = new Error('the file is needed whole');
/** Texts kept for pass 2 by a windowed pass beyond which reading the file whole is cheaper. */
const WINDOW_TEXTS = 4096;

/** A plain non-negative integer of at most 15 digits; -1 otherwise. */
function plainInteger(b: Uint8Array, s: number, e: number): number {
  if (e - s > 15) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

function isoStart(b: Uint8Array, s: number, e: number): boolean {
  return (
    e - s >= 10 && b[s + 4] === 45 && b[s + 7] === 45 && isDigit(b[s]!) && isDigit(b[s + 1]!) && isDigit(b[s + 2]!) && isDigit(b[s + 3]!) &&
    isDigit(b[s + 5]!) && isDigit(b[s + 6]!) && isDigit(b[s + 8]!) && isDigit(b[s + 9]!)
  );
}

/** Sparse spans pass 1 leaves for pass 2, in line order: texts whose reading waits for the file's conventions. */
class Later {
  line: number[] = [];
  start: number[] = [];
  end: number[] = [];
  next = 0;
  add(i: number, s: number, e: number): void {
    this.line.push(i);
    this.start.push(s);
    this.end.push(e);
  }
}

/** Fields every line of a row shares: their index in LINE_TEXT_FIELDS and their column (6, 7 — amount type and description — are per line). */
const SHARED_FIELDS = [0, 1, 2, 3, 4, 5, 8, 9, 10];
const SHARED_COLUMNS: (keyof SettlementLayout['idx'])[] = ['transactionType', 'orderId', 'merchantOrderId', 'adjustmentId', 'shipmentId', 'marketplace', 'fulfillmentId', 'sku', 'promotionId'];

/** A pass over a part of the file as plain data (see Pass1.part and Pass1.append); rows count from 0 at the part's start. */
export interface Pass1Part {
  /** Lines the part spans (its last row number). */
  rows: number;
  lines: LinesPart;
  form: Uint8Array;
  amountStart: Int32Array;
  amountEnd: Int32Array;
  column: Int32Array | null;
  laterDates: { line: number[]; start: number[]; end: number[] };
  literals: string[];
  summary: Summary | null;
  foreign: Map<number, string>;
  decimals: DecimalTally;
  dates: DateTally;
  problems: Problem[];
  firstSid: string | null;
  firstSidBytes: Uint8Array | null;
}

/** The buffers a part's arrays lie in, to move them to another thread rather than copy them. */
export function partTransferList(p: Pass1Part): ArrayBuffer[] {
  const arrays = [p.form, p.amountStart, p.amountEnd, p.column, p.lines.row, p.lines.cents, p.lines.quantity, p.lines.postedDate, ...p.lines.textIds, p.lines.texts.pool];
  return arrays.flatMap((a) => (a && a.buffer instanceof ArrayBuffer ? [a.buffer] : []));
}

export interface Summary {
  row: number;
  settlementId: string;
  start: string;
  end: string;
  deposit: string;
  total: string;
  currency: string;
}

/**
 * Pass 1 over the rows after the header (a class, not closures: it runs once per line of a million-line
 * file). Plain amounts go straight to cents and plain dates to their day; the rest waits for pass 2.
 */
export class Pass1 {
  readonly lines: SettlementLines;
  /** Per line: the form of its amount (NO_SEPARATOR, POINT, COMMA, OTHER) and where its text is. */
  form: Uint8Array;
  amountStart: Int32Array;
  amountEnd: Int32Array;
  /** V1: the amount's column per line (V2: always `amount`). */
  column: Int32Array | null;
  /** Posted dates not in a plain form, read in pass 2 with the file's slash convention. */
  readonly laterDates = new Later();
  /** Texts that are not spans (trimmed of Unicode spaces): negative starts index this list (-1 - i). */
  readonly literals: string[] = [];
  summary: Summary | null = null;
  /** The last row number read (a part's rows count from 0). */
  rowsRead = 0;
  /** Whether the summary row is behind (in this part or before it): later rows with a total-amount are details. */
  private summarySeen = false;
  /** Rows whose settlement-id differs from the first one seen. */
  readonly foreign = new Map<number, string>();
  readonly decimals = new DecimalTally();
  readonly dates = new DateTally();
  /** The first settlement-id of a kept row, and its trimmed bytes when it needed no decoding to trim. */
  firstSid: string | null = null;
  firstSidBytes: Uint8Array | null = null;
  private readonly b: Uint8Array;
  /** The shared fields the lines keep (indexes in LINE_TEXT_FIELDS) and their columns. */
  private readonly sharedFields: Int32Array;
  private readonly sharedColumns: Int32Array;
  private readonly dayIds = new Map<number, number>();
  /** Days met lately, by their number's low bits: a month's days each find their id without the map. */
  private readonly recentDay = new Int32Array(64).fill(-1);
  private readonly recentDayId = new Int32Array(64);
  private lastPostedStart = 0;
  private lastPostedEnd = -1;
  private lastPostedId = 0;
  private lastPostedShape: DateShape = ISO_SHAPE;
  /**
   * Read through a window (bytes refilled in place): pass 2's texts (amounts not in a plain form with a
   * point, dates not in a plain form) are kept as literals, the rest of the spans never read again.
   */
  readonly windowed: boolean;

  constructor(
    private readonly rows: SettlementRows,
    private readonly layout: SettlementLayout,
    private readonly file: string,
    readonly problems: Problem[],
    fields?: readonly LineField[],
    /** A part of the file: how many lines it probably holds, and what the rows before it decided (./parts.ts). */
    part?: { capacity: number; summarySeen: boolean; firstSid: string | null; firstSidBytes: Uint8Array | null; windowed?: boolean; place?: ColumnsPlace },
  ) {
    this.windowed = part?.windowed ?? false;
    this.b = rows.bytes;
    const capacity = part ? part.capacity : estimateLines(this.b);
    if (part) {
      this.summarySeen = part.summarySeen;
      this.firstSid = part.firstSid;
      this.firstSidBytes = part.firstSidBytes;
    }
    this.lines = new SettlementLines(rows.text, capacity, fields, part?.place);
    this.form = new Uint8Array(capacity);
    this.amountStart = new Int32Array(capacity);
    this.amountEnd = new Int32Array(capacity);
    this.column = layout.format === 'v1' ? new Int32Array(capacity) : null;
    const kept = SHARED_FIELDS.map((k, f) => [k, layout.idx[SHARED_COLUMNS[f]!]] as const).filter(([k]) => this.lines.keeps(k));
    this.sharedFields = Int32Array.from(kept, ([k]) => k);
    this.sharedColumns = Int32Array.from(kept, ([, col]) => col);
  }

  read(): this {
    const { rows, layout, problems, file } = this;
    const { idx, width, amountCols } = layout;
    while (rows.next()) {
      const row = rows.row;
      if (rows.count > width) {
        // Trailing empty fields (a summary row's extra tab, trailing spaces) are harmless; real values are not.
        const extra: string[] = [];
        for (let f = width; f < rows.count; f++) extra.push(rows.value(f));
        if (extra.some((x) => x !== '') && !(!this.summarySeen && rows.field(idx.total) && extra.length === 1))
          problems.push(warning({ source: file, row, value: extra.join(' | '), message: `This line has ${rows.count} fields where the header has ${width}; the extra values are ignored.`, code: 'field-count' }));
      }
      if (!this.summarySeen && rows.field(idx.total)) {
        const summary = { row, settlementId: rows.value(idx.settlementId), start: rows.value(idx.start), end: rows.value(idx.end), deposit: rows.value(idx.deposit), total: rows.value(idx.total), currency: rows.value(idx.currency) };
        this.summary = summary;
        this.summarySeen = true;
        this.decimals.noteText(summary.total, row);
        for (const d of [summary.start, summary.end, summary.deposit]) this.dates.noteText(d, row);
        // A summary row that also carries a detail amount counts as a detail too.
        if (amountCols.some((i) => rows.field(i))) this.keep(row);
        continue;
      }
      this.keep(row);
    }
    this.rowsRead = rows.row;
    return this;
  }

  /** What this pass read of a part of the file, as plain data another thread can send (`partTransferList`). */
  part(): Pass1Part {
    const n = this.lines.count;
    return {
      rows: this.rowsRead,
      lines: this.lines.part(),
      form: this.form.subarray(0, n),
      amountStart: this.amountStart.subarray(0, n),
      amountEnd: this.amountEnd.subarray(0, n),
      column: this.column && this.column.subarray(0, n),
      laterDates: { line: this.laterDates.line, start: this.laterDates.start, end: this.laterDates.end },
      literals: this.literals,
      summary: this.summary,
      foreign: this.foreign,
      decimals: this.decimals,
      dates: this.dates,
      problems: this.problems,
      firstSid: this.firstSid,
      firstSidBytes: this.firstSidBytes,
    };
  }

  /**
   * Appends what a pass over the next part of the file read (rows counted from 0 there, from
   * `rowOffset` here): lines, their texts renumbered to this pass's ids, problems in file order.
   */
  append(p: Pass1Part, rowOffset: number): void {
    const lineOffset = this.lines.count;
    const literalOffset = this.literals.length;
    const dateIds = p.lines.dates.map((d) => (d === '' ? 0 : this.dayId(Number(d.slice(0, 4)) * 10000 + Number(d.slice(5, 7)) * 100 + Number(d.slice(8, 10)))));
    this.lines.append(p.lines, rowOffset, dateIds);
    this.rowsRead = rowOffset + p.rows;
    while (this.form.length < this.lines.count) this.grow();
    const n = p.lines.count;
    this.form.set(p.form.subarray(0, n), lineOffset);
    if (this.windowed) {
      // only the literals' starts were kept: the lines whose form pass 2 reads as text
      for (let i = 0; i < n; i++) {
        const f = p.form[i]!;
        if (f !== NO_SEPARATOR && f !== POINT) this.amountStart[lineOffset + i] = p.amountStart[i]! - literalOffset;
      }
    } else {
      this.amountEnd.set(p.amountEnd.subarray(0, n), lineOffset);
      for (let i = 0; i < n; i++) {
        const s = p.amountStart[i]!;
        this.amountStart[lineOffset + i] = s < 0 ? s - literalOffset : s;
      }
    }
    if (this.column && p.column) this.column.set(p.column.subarray(0, n), lineOffset);
    this.literals.push(...p.literals);
    const later = p.laterDates;
    for (let k = 0; k < later.line.length; k++) this.laterDates.add(later.line[k]! + lineOffset, later.start[k]! < 0 ? later.start[k]! - literalOffset : later.start[k]!, later.end[k]!);
    for (const [row, sid] of p.foreign) this.foreign.set(row + rowOffset, sid);
    if (!this.summary && p.summary) this.summary = { ...p.summary, row: p.summary.row + rowOffset };
    this.summarySeen ||= p.summary !== null;
    this.decimals.merge(p.decimals, rowOffset);
    this.dates.merge(p.dates, rowOffset);
    for (const q of p.problems) this.problems.push(q.row === undefined ? q : { ...q, row: q.row + rowOffset });
    if (this.firstSid === null) [this.firstSid, this.firstSidBytes] = [p.firstSid, p.firstSidBytes];
  }

  /** The window is about to be refilled: spans met so far no longer name their bytes. */
  forgetSpans(): void {
    this.lines.forgetSpans();
    this.lastPostedStart = 0;
    this.lastPostedEnd = -1;
  }

  /** A span's text kept as a literal (a windowed pass); its negative index. */
  private literal(s: number, e: number): number {
    this.literals.push(this.text(s, e));
    if (this.literals.length > WINDOW_TEXTS && this.literals.length * 8 > this.lines.count) throw NEEDS_BYTES;
    return -this.literals.length;
  }

  /** The text of a span, or of a literal (negative start). */
  text(s: number, e: number): string {
    return s < 0 ? this.literals[-1 - s]! : this.rows.text.text(s, e);
  }

  /** The trimmed span start of the last rows.field(), or a literal's negative index when trimming needed decoding. */
  private ref(): number {
    if (this.rows.lit === null) return this.rows.ts;
    this.literals.push(this.rows.lit);
    return -this.literals.length;
  }

  private keep(row: number): void {
    const { rows, layout, lines } = this;
    const idx = layout.idx;
    if (rows.field(idx.settlementId)) this.noteSettlementId(row);
    const quantity = rows.field(idx.quantity) ? this.quantity(row) : NaN;
    // posted: its date id when its form is plain, 0 when blank, -1 when pass 2 reads it (its span then in ps, pe)
    let posted = 0;
    let ps = 0;
    let pe = 0;
    if (rows.field(idx.postedDate) || rows.field(idx.postedDateTime)) {
      ps = this.ref();
      pe = rows.te;
      posted = ps >= 0 ? this.plainPosted(ps, pe, row) : -1;
      if (posted < 0) {
        this.dates.note(ps >= 0 && isoStart(this.b, ps, pe) ? ISO_SHAPE : dateShape(this.text(ps, pe)), row);
        if (this.windowed && ps >= 0) ps = this.literal(ps, pe);
      }
    }
    if (layout.format === 'v2') {
      const i = this.line(idx.amount, row, quantity, posted, ps, pe, -1);
      if (i >= 0) {
        this.span(i, 6, idx.amountType);
        this.span(i, 7, idx.amountDescription);
      }
      return;
    }
    let first = -1;
    for (const a of layout.v1Amounts) {
      const i = this.line(a.amountAt, row, quantity, posted, ps, pe, first);
      if (i < 0) continue;
      if (first < 0) first = i;
      this.column![i] = a.amountAt;
      lines.setLiteral(i, 6, a.amountType);
      // V1 "other" amounts carry their meaning in other-fee-reason-description or the transaction-type.
      this.span(i, 7, !a.single ? a.typeAt : rows.field(idx.otherReason) ? idx.otherReason : idx.transactionType);
    }
  }

  /** Field k of line i from column `col` of the current row (untrimmed: lines trim when read). */
  private span(i: number, k: number, col: number): void {
    const rows = this.rows;
    if (col >= 0 && col < rows.count) this.lines.setSpan(i, k, rows.start[col]!, rows.end[col]!);
    else this.lines.setSpan(i, k, 0, 0);
  }

  /** A line for the amount in column amountAt, when it has one: its index, or -1. Shared fields are copied from line `first` of the same row. */
  private line(amountAt: number, row: number, quantity: number, posted: number, ps: number, pe: number, first: number): number {
    const { rows, b, lines } = this;
    if (!rows.field(amountAt)) return -1;
    let as = this.ref();
    const ae = rows.te;
    const form = as >= 0 ? plainAmountAt(b, as, ae) : OTHER;
    if (form === OTHER) this.decimals.noteText(this.text(as, ae), row);
    else if (form !== NO_SEPARATOR && this.decimals.note(EVIDENCE[form]!, row)) this.decimals.firstText(EVIDENCE[form]!, rows.text.text(as, ae));
    if (this.windowed && as >= 0 && form !== NO_SEPARATOR && form !== POINT) as = this.literal(as, ae);
    const i = lines.add(row, quantity);
    if (i === this.form.length) this.grow();
    this.form[i] = form;
    // (a windowed pass keeps only its literals' starts: memory first written costs more than the write)
    if (as < 0 || !this.windowed) {
      this.amountStart[i] = as;
      this.amountEnd[i] = ae;
    }
    lines.cents[i] = form === OTHER ? 0 : plainAmount.cents;
    if (posted >= 0) lines.postedDate[i] = posted;
    else this.laterDates.add(i, ps, pe);
    if (first >= 0) lines.copyFields(first, i);
    else {
      const cols = this.sharedColumns;
      const fields = this.sharedFields;
      const count = rows.count;
      for (let f = 0; f < fields.length; f++) {
        const col = cols[f]!;
        if (col >= 0 && col < count) lines.setSpan(i, fields[f]!, rows.start[col]!, rows.end[col]!);
        else lines.setSpan(i, fields[f]!, 0, 0);
      }
    }
    return i;
  }

  /**
   * The date id of a posted date in a plain form (noting its style), or -1. The lines of an order share
   * their posted date: the same bytes as the last plain one give the same id without reading them again.
   */
  private plainPosted(ps: number, pe: number, row: number): number {
    const b = this.b;
    if (pe - ps === this.lastPostedEnd - this.lastPostedStart && sameSpan(b, ps, pe, this.lastPostedStart, this.lastPostedEnd)) {
      this.dates.note(this.lastPostedShape, row);
      return this.lastPostedId;
    }
    const day = plainDay(b, ps, pe);
    if (day < 0) return -1;
    this.lastPostedShape = b[ps + 4] === 45 ? ISO_SHAPE : DOTTED_SHAPE;
    this.dates.note(this.lastPostedShape, row);
    this.lastPostedStart = ps;
    this.lastPostedEnd = pe;
    return (this.lastPostedId = this.dayId(day));
  }

  /** The date id (index in lines.dates) of a yyyymmdd day. */
  dayId(day: number): number {
    const slot = day & 63;
    if (this.recentDay[slot] === day) return this.recentDayId[slot]!;
    let id = this.dayIds.get(day);
    if (id === undefined) {
      id = this.lines.dates.length;
      this.lines.dates.push(`${Math.floor(day / 10000)}-${String(Math.floor(day / 100) % 100).padStart(2, '0')}-${String(day % 100).padStart(2, '0')}`);
      this.dayIds.set(day, id);
    }
    this.recentDay[slot] = day;
    this.recentDayId[slot] = id;
    return id;
  }

  private grow(): void {
    const n = this.form.length * 2;
    const g = <T extends Int32Array | Uint8Array>(a: T, b: T): T => (b.set(a), b);
    this.form = g(this.form, new Uint8Array(n));
    this.amountStart = g(this.amountStart, new Int32Array(n));
    this.amountEnd = g(this.amountEnd, new Int32Array(n));
    if (this.column) this.column = g(this.column, new Int32Array(n));
  }

  private noteSettlementId(row: number): void {
    const rows = this.rows;
    const first = this.firstSidBytes;
    if (this.firstSid === null) {
      this.firstSid = rows.lit ?? rows.text.text(rows.ts, rows.te);
      this.firstSidBytes = rows.lit === null ? this.b.slice(rows.ts, rows.te) : null;
    } else if (rows.lit === null && first !== null) {
      // equal bytes, equal text (both encodings map bytes to text one to one)
      const b = this.b;
      const s = rows.ts;
      let k = 0;
      if (rows.te - s === first.length) while (k < first.length && b[s + k] === first[k]) k++;
      if (k !== first.length || rows.te - s !== first.length) this.foreign.set(row, rows.text.text(rows.ts, rows.te));
    } else {
      const sid = rows.lit ?? rows.text.text(rows.ts, rows.te);
      if (sid !== this.firstSid) this.foreign.set(row, sid);
    }
  }

  /** quantity-purchased of the current row (its field trimmed); NaN (blank) with a warning when not a whole number. */
  private quantity(row: number): number {
    const rows = this.rows;
    const q = rows.lit === null ? plainInteger(this.b, rows.ts, rows.te) : -1;
    if (q >= 0) return q;
    const qText = rows.lit ?? rows.text.text(rows.ts, rows.te);
    const n = Number(qText);
    if (Number.isSafeInteger(n)) return n;
    this.problems.push(warning({ source: this.file, row, column: 'quantity-purchased', value: qText, message: `quantity-purchased "${qText}" is not a whole number; it is left blank.`, code: 'bad-integer' }));
    return NaN;
  }
}

function sameSpan(b: Uint8Array, s: number, e: number, s2: number, e2: number): boolean {
  if (e - s !== e2 - s2) return false;
  for (let k = 0; k < e - s; k++) if (b[s + k] !== b[s2 + k]) return false;
  return true;
}

/** Lines bytes [from, to) probably hold, from their first 64 KB (sizes the columns once instead of growing them). */
export function estimateLines(b: Uint8Array, from = 0, to = b.length): number {
  const head = Math.min(to - from, 1 << 16);
  let n = 0;
  for (let i = from; i < from + head; i++) if (b[i] === 10) n++;
  return Math.max(16, n < 2 || head === to - from ? n + 1 : Math.ceil(((to - from) / head) * n * 1.05));
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The n-digit number at b[s], -1 when a byte is not a digit. */
function digitsAt(b: Uint8Array, s: number, n: number): number {
  let v = 0;
  for (let i = s; i < s + n; i++) {
    const d = b[i]! - 48;
    if (d >>> 0 > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * yyyymmdd of the forms whose UTC date is their own date: `YYYY-MM-DD`, `YYYY-MM-DD[T ]HH:MM:SS` with
 * nothing, `Z` or `+00:00` after, `DD.MM.YYYY` and `DD.MM.YYYY HH:MM:SS UTC`; -1 for anything else
 * (read by the kernel's date reader instead, which says the same of these forms).
 */
function plainDay(b: Uint8Array, s: number, e: number): number {
  const n = e - s;
  let y: number;
  let m: number;
  let d: number;
  let time = -1;
  if (b[s + 4] === 45 && b[s + 7] === 45) {
    if (n !== 10 && n !== 19 && !(n === 20 && b[s + 19] === 90) && !(n === 25 && b[s + 19] === 43 && b[s + 22] === 58 && digitsAt(b, s + 20, 2) === 0 && digitsAt(b, s + 23, 2) === 0)) return -1;
    y = digitsAt(b, s, 4);
    m = digitsAt(b, s + 5, 2);
    d = digitsAt(b, s + 8, 2);
    if (n > 10) {
      if (b[s + 10] !== 84 && b[s + 10] !== 32) return -1;
      time = s + 11;
    }
  } else if (b[s + 2] === 46 && b[s + 5] === 46) {
    if (n !== 10 && !(n === 23 && b[s + 10] === 32 && b[s + 19] === 32 && b[s + 20] === 85 && b[s + 21] === 84 && b[s + 22] === 67)) return -1;
    d = digitsAt(b, s, 2);
    m = digitsAt(b, s + 3, 2);
    y = digitsAt(b, s + 6, 4);
    if (n > 10) time = s + 11;
  } else return -1;
  if (y < 1000 || m < 1 || m > 12 || d < 1) return -1;
  if (d > DAYS[m - 1]! && !(m === 2 && d === 29 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0))) return -1;
  if (time >= 0) {
    if (b[time + 2] !== 58 || b[time + 5] !== 58) return -1;
    const h = digitsAt(b, time, 2);
    const mi = digitsAt(b, time + 3, 2);
    const se = digitsAt(b, time + 6, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) return -1;
  }
  return y * 10000 + m * 100 + d;
}

