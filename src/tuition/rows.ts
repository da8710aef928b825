/**
 * One row of a partner file as the tuition rules read it (./lines.ts): a sheet's cells, or a CSV
 * record's spans of the file's bytes — each distinct cell decoded once (remembered by its bytes across
 * files), plain amounts and ids read straight from the bytes.
 *
 * Public API
 * - `RowCells`: what the rules ask of a row; `CellRow` (cells), `SpanRow` (bytes), `CellMemo` (cells met, by bytes).
 * - `text(cell)`: a cell's text, trimmed, runs of odd spaces made one space.
 */
import { isBlank, parseAmount, readDate, readId, type Cell } from '../kernel';
import { AMOUNT_INTEGER, AMOUNT_POINT, plainAmount, plainAmountAt, type AmountResult } from '../kernel/money';
import type { CsvSpans } from '../kernel/csv-bytes';
import { ByteKeys, SPACE, encodeUtf8, type SpanText } from '../kernel/text-bytes';
import type { TextIds } from './columns';
import type { PartnerProfile } from './profiles';

export type DateResult = ReturnType<typeof readDate>;
export type AmountOptions = { currency?: string; decimal?: '.' | ',' };

const MESSY_SPACE = /\s\s|[\t\n\r\u00a0]/;
/** A cell's text: trimmed, runs of odd spaces made one space. */
export function text(c: Cell | undefined): string {
  if (c instanceof Date) return c.toISOString();
  const s = String(c ?? '').trim();
  return MESSY_SPACE.test(s) ? s.replace(/\s+/g, ' ') : s;
}

/**
 * A column's cells by how many distinct values they hold: `few` (types, currencies, dates: dozens),
 * `customers` (thousands), `many` (learners: hundreds of thousands). Each kind has its own table of
 * the cells met, so the smaller ones stay in the processor's cache.
 */
export type CellKind = 'few' | 'customers' | 'many';

/** One row of a partner file as the rules read it. */
export interface RowCells {
  /** The row number problems show. */
  row: number;
  /** isBlank of the cell in column col (a column the row does not reach is blank). */
  blank(col: number): boolean;
  /** The cell as given (problems show it). */
  cell(col: number): Cell | undefined;
  /** The id, in the reader's names, of the cell's text(); `kind`: how many distinct values its column holds (see CellKind). */
  textId(col: number, kind?: CellKind): number;
  /** readId of the cell: true when it reads, its bytes then in refBytes[refStart, refEnd); else refReason. */
  reference(col: number): boolean;
  refBytes: Uint8Array;
  refStart: number;
  refEnd: number;
  refReason: string;
  /** `plain`: the options allow reading a plain `-?digits(.dd)` amount straight from bytes (two decimals, decimal point). */
  amount(col: number, options: AmountOptions, plain: boolean): AmountResult;
  date(col: number, slash: PartnerProfile['slash']): DateResult;
  /** After date(): the cell's id among the cells met (the same for the same bytes), -1 when it has none. */
  dateCell: number;
}

/** A sheet's row: the kernel readers on its cells. */
export class CellRow implements RowCells {
  row = 0;
  cells: readonly Cell[] = [];
  refBytes: Uint8Array = new Uint8Array(0);
  refStart = 0;
  refEnd = 0;
  refReason = '';
  readonly dateCell = -1;
  /** Partner files repeat a few dozen dates a million times: each text is read once. */
  private readonly dates = new Map<string, DateResult>();
  constructor(private readonly names: TextIds) {}
  blank(col: number): boolean {
    return isBlank(col >= 0 ? this.cells[col] : undefined);
  }
  cell(col: number): Cell | undefined {
    return col >= 0 ? this.cells[col] : undefined;
  }
  textId(col: number): number {
    return this.names.id(text(this.cell(col)));
  }
  reference(col: number): boolean {
    const r = readId(this.cell(col));
    if (!r.ok) {
      this.refReason = r.reason;
      return false;
    }
    this.refBytes = encodeUtf8(r.id);
    this.refStart = 0;
    this.refEnd = this.refBytes.length;
    return true;
  }
  amount(col: number, options: AmountOptions): AmountResult {
    return parseAmount(this.cell(col), options);
  }
  date(col: number, slash: PartnerProfile['slash']): DateResult {
    const c = this.cell(col)!;
    if (typeof c !== 'string') return readDate(c, { slash });
    const key = `${slash ?? ''}|${c}`;
    let r = this.dates.get(key);
    if (!r) {
      r = readDate(c, { slash });
      if (this.dates.size < 100_000) this.dates.set(key, r);
    }
    return r;
  }
}

/** What a reader remembers of the cells it met, by their bytes, across files: each distinct cell read once. */
export class CellMemo {
  /** The cells met, each with the id of its text() in the reader's names (-1 until asked). */
  readonly keys = new ByteKeys(true);
  /** Per profile date style: each cell's date, once read. */
  readonly dates = new Map<string, DateResult[]>();
  /** The cell's id among the cells met. */
  id(b: Uint8Array, s: number, e: number): number {
    return this.keys.id(0, b, s, e);
  }
  /** `id` with the bytes' hash given (ByteKeys.idHashed). */
  idHashed(h: number, b: Uint8Array, s: number, e: number): number {
    return this.keys.idHashed(h, b, s, e);
  }
  /** The id in `names` of the text() of cell `raw`, the bytes [s, e) of `spans` (decoded once per cell). */
  nameId(raw: number, names: TextIds, spans: SpanText, s: number, e: number): number {
    let id = this.keys.value(raw);
    if (id < 0) this.keys.setValue(raw, (id = names.id(text(spans.text(s, e)))));
    return id;
  }
  /**
   * The id in `names` of the text() of the bytes [s, e) of `spans` (hash h): `nameId` of the cell they
   * are, with the id read where the cell's bytes were just matched (one look-up for a column of many values).
   */
  nameIdHashed(h: number, names: TextIds, spans: SpanText, s: number, e: number): number {
    this.keys.idHashed(h, spans.bytes, s, e);
    let id = this.keys.lastValue();
    if (id < 0) this.keys.setLastValue((id = names.id(text(spans.text(s, e)))));
    return id;
  }
  /** The date of cell `raw`, the bytes [s, e) of `spans`, in a profile's date style (read once per cell and style). */
  dateOf(raw: number, slash: PartnerProfile['slash'], spans: SpanText, s: number, e: number): DateResult {
    const key = slash ?? '';
    let cache = this.dates.get(key);
    if (!cache) this.dates.set(key, (cache = []));
    return (cache[raw] ??= readDate(spans.text(s, e), { slash }));
  }
}

/** A CSV record as spans of the file's bytes: each distinct cell decoded once, plain amounts and ids read from bytes. */
export class SpanRow implements RowCells {
  row = 0;
  private first = 0;
  private count = 0;
  refBytes: Uint8Array;
  refStart = 0;
  refEnd = 0;
  refReason = '';

  constructor(
    private readonly csv: CsvSpans,
    private readonly names: TextIds,
    /** The cells met, per CellKind. */
    private readonly memos: Readonly<Record<CellKind, CellMemo>>,
  ) {
    this.refBytes = csv.bytes;
  }

  /** Moves to data row r (0-based). */
  at(r: number): void {
    this.first = this.csv.rowStart[r]!;
    this.count = this.csv.rowStart[r + 1]! - this.first;
    this.row = r + 2;
  }

  private literal(col: number): string | null {
    const s = this.csv.start[this.first + col]!;
    return s < 0 ? this.csv.literals[-1 - s]! : null;
  }

  blank(col: number): boolean {
    if (col < 0 || col >= this.count) return true;
    const lit = this.literal(col);
    if (lit !== null) return lit.trim() === '';
    const b = this.csv.bytes;
    const e = this.csv.end[this.first + col]!;
    for (let k = this.csv.start[this.first + col]!; k < e; k++) {
      if (SPACE[b[k]!]) continue;
      return b[k]! < 0x80 ? false : (this.cell(col) as string).trim() === '';
    }
    return true;
  }

  cell(col: number): Cell | undefined {
    if (col < 0 || col >= this.count) return undefined;
    return this.literal(col) ?? this.csv.text.text(this.csv.start[this.first + col]!, this.csv.end[this.first + col]!);
  }

  /** The memo's id of the raw cell (-1 for a literal). */
  private rawId(col: number, memo: CellMemo): number {
    const s = this.csv.start[this.first + col]!;
    return s < 0 ? -1 : memo.id(this.csv.bytes, s, this.csv.end[this.first + col]!);
  }

  textId(col: number, kind: CellKind = 'few'): number {
    if (col < 0 || col >= this.count) return this.names.id('');
    const memo = this.memos[kind];
    const raw = this.rawId(col, memo);
    if (raw < 0) return this.names.id(text(this.literal(col)!));
    return memo.nameId(raw, this.names, this.csv.text, this.csv.start[this.first + col]!, this.csv.end[this.first + col]!);
  }

  /** Trimmed span of a (non-literal) cell in ts/te; false when trimming needs decoding (non-ASCII at an edge). */
  private ts = 0;
  private te = 0;
  private trimmed(col: number): boolean {
    const b = this.csv.bytes;
    let s = this.csv.start[this.first + col]!;
    let e = this.csv.end[this.first + col]!;
    if (s < 0) return false;
    while (s < e && SPACE[b[s]!]) s++;
    while (e > s && SPACE[b[e - 1]!]) e--;
    if (s < e && (b[s]! >= 0x80 || b[e - 1]! >= 0x80)) return false;
    this.ts = s;
    this.te = e;
    return true;
  }

  reference(col: number): boolean {
    if (col >= 0 && col < this.count && this.trimmed(col) && this.ts < this.te) {
      // neither "12.0" (read as 12) nor scientific notation (refused): the id is the trimmed text itself
      const b = this.csv.bytes;
      let plain = true;
      for (let k = this.ts; k < this.te; k++) {
        const c = b[k]!;
        if (c === 46 || c === 101 || c === 69) {
          plain = false;
          break;
        }
      }
      if (plain) {
        this.refBytes = b;
        this.refStart = this.ts;
        this.refEnd = this.te;
        return true;
      }
    }
    const r = readId(this.cell(col));
    if (!r.ok) {
      this.refReason = r.reason;
      return false;
    }
    const bytes = encodeUtf8(r.id);
    this.refBytes = bytes;
    this.refStart = 0;
    this.refEnd = bytes.length;
    return true;
  }

  amount(col: number, options: AmountOptions, plain: boolean): AmountResult {
    if (plain && col >= 0 && col < this.count && this.trimmed(col)) {
      const form = plainAmountAt(this.csv.bytes, this.ts, this.te);
      if (form === AMOUNT_INTEGER || form === AMOUNT_POINT) return { ok: true, cents: plainAmount.cents };
    }
    return parseAmount(this.cell(col), options);
  }

  dateCell = -1;
  date(col: number, slash: PartnerProfile['slash']): DateResult {
    const raw = (this.dateCell = col < 0 || col >= this.count ? -1 : this.rawId(col, this.memos.few));
    if (raw < 0) return readDate(this.cell(col), { slash });
    return this.memos.few.dateOf(raw, slash, this.csv.text, this.csv.start[this.first + col]!, this.csv.end[this.first + col]!);
  }
}

