/**
 * A settlement's lines held column by column: per line its row, amount in cents, quantity, posted
 * date, and each text field as the integer id of its trimmed text (each distinct value decoded once,
 * ids given from the file's bytes) — no object per line until a consumer asks for one (`line(i)`,
 * `toArray()`); a consumer that only groups asks for the ids (`ids(field)`).
 *
 * Public API
 * - `LINE_TEXT_FIELDS`, `LineTextField`: the text fields of a SettlementLine; `LineField`: those, `quantity` and
 *   `postedDate` — what a reader keeps when it is told (`textFieldsOf(fields)`: the text ones).
 *   Not kept: `quantity` and `postedDate` are empty arrays (a write to them does nothing), `line(i)` throws.
 * - `SettlementLines`: `count`, `row`, `cents`, `quantity` (NaN: blank), `text(field, i)`, `ids(field)`,
 *   `line(i)`, `toArray()` (every field kept); for the reader: `add`, `setSpan`, `setLiteral`, `copyFields`, `keep(mask)`,
 *   `forgetSpans()`.
 * - `lineColumns(capacity, fields, alloc)`, `ColumnsPlace`: one file's columns that its parts fill in place.
 */
import type { SpanText, SpanTextPart } from '../kernel/text-bytes';

export const LINE_TEXT_FIELDS = [
  'transactionType',
  'orderId',
  'merchantOrderId',
  'adjustmentId',
  'shipmentId',
  'marketplace',
  'amountType',
  'amountDescription',
  'fulfillmentId',
  'sku',
  'promotionId',
] as const;
export type LineTextField = (typeof LINE_TEXT_FIELDS)[number];
/** What a reader may keep of each line beyond its row and cents: its text fields, quantity and posted date. */
export type LineField = LineTextField | 'quantity' | 'postedDate';

/** The text fields among `fields` (all when none are named). */
export function textFieldsOf(fields?: readonly LineField[]): readonly LineTextField[] {
  return fields ? fields.filter((f): f is LineTextField => f !== 'quantity' && f !== 'postedDate') : LINE_TEXT_FIELDS;
}
const F = LINE_TEXT_FIELDS.length;
const CACHE = 32;
const FIELD_INDEX = Object.fromEntries(LINE_TEXT_FIELDS.map((f, i) => [f, i])) as Record<LineTextField, number>;

/**
 * Columns for a whole file's lines that its parts fill in place (a host's threads: over shared memory):
 * the first part's lines from line 0, a later part's from a line past the first's last, so that joining
 * moves them down within memory already written rather than copying them into memory first written
 * then (which costs more than the copy, and then on one thread).
 */
export interface LineColumns {
  row: Int32Array;
  cents: Float64Array;
  quantity: Float64Array;
  postedDate: Int32Array;
  /** One per kept text field. */
  textIds: Int32Array[];
}

/** Where a part's lines go: lines [at, limit) of the columns (a part with more grows into its own arrays). */
export interface ColumnsPlace {
  columns: LineColumns;
  at: number;
  limit: number;
}

export function lineColumns(capacity: number, fields: number, alloc: (bytes: number) => ArrayBufferLike): LineColumns {
  return {
    row: new Int32Array(alloc(capacity * 4)),
    cents: new Float64Array(alloc(capacity * 8)),
    quantity: new Float64Array(alloc(capacity * 8)),
    postedDate: new Int32Array(alloc(capacity * 4)),
    textIds: Array.from({ length: fields }, () => new Int32Array(alloc(capacity * 4))),
  };
}

/** A part's lines as plain data (SettlementLines.part / append). */
export interface LinesPart {
  /** The line of the columns its lines start at when they lie in a ColumnsPlace (null: its own arrays). */
  at: number | null;
  count: number;
  row: Int32Array;
  cents: Float64Array;
  quantity: Float64Array;
  postedDate: Int32Array;
  textIds: Int32Array[];
  dates: string[];
  texts: SpanTextPart;
}

/** One amount of a settlement, V2-shaped (a V1 row yields one line per non-empty amount pair). */
export interface SettlementLine {
  /** Line number in the file (header = 1), as a text editor shows it. */
  row: number;
  transactionType: string;
  orderId: string;
  merchantOrderId: string;
  adjustmentId: string;
  shipmentId: string;
  marketplace: string;
  amountType: string;
  amountDescription: string;
  cents: number;
  fulfillmentId: string;
  /** ISO date (UTC) or '' when the file gives none. */
  postedDate: string;
  sku: string;
  /** quantity-purchased, or null when blank. */
  quantity: number | null;
  promotionId: string;
}

export class SettlementLines {
  count = 0;
  row: Int32Array;
  cents: Float64Array;
  /** NaN when blank. */
  quantity: Float64Array;
  /** Index into `dates` (0: no date). */
  postedDate: Int32Array;
  readonly dates: string[] = [''];
  /**
   * Per kept text field, per line: the id of its trimmed text (`spanText.values[id]`). Ids are given
   * while the line's bytes are at hand (a later pass over a file of 138 MB would read them again from memory).
   */
  private textIds: Int32Array[];
  /** LINE_TEXT_FIELDS index → slot among the kept fields, -1 when not kept. */
  private readonly slot: Int32Array;
  /**
   * Per slot, CACHE recent texts (untrimmed span and id) by their length and end bytes: a field's values
   * repeat (an order's lines, types, descriptions), and equal bytes then need no hash.
   */
  private readonly cacheStart: Int32Array;
  private readonly cacheEnd: Int32Array;
  private readonly cacheId: Int32Array;
  /** The columns the lines lie in, until they outgrow their place. */
  private place: ColumnsPlace | null;

  /** The text fields kept. */
  readonly fields: readonly LineTextField[];
  /** Whether quantity and the posted date are kept (memory first written costs more than reading a line). */
  readonly keepsQuantity: boolean;
  readonly keepsPosted: boolean;

  constructor(
    readonly spanText: SpanText,
    capacity: number,
    /** What to keep (all by default): a consumer that only totals needs few. */
    keep?: readonly LineField[],
    place?: ColumnsPlace,
  ) {
    const n = Math.max(16, capacity);
    const fields = (this.fields = textFieldsOf(keep));
    this.keepsQuantity = !keep || keep.includes('quantity');
    this.keepsPosted = !keep || keep.includes('postedDate');
    this.place = place && place.columns.textIds.length === fields.length && place.limit > place.at ? place : null;
    const c = this.place?.columns;
    const cut = <T extends Int32Array | Float64Array>(a: T): T => a.subarray(place!.at, place!.limit) as T;
    this.row = c ? cut(c.row) : new Int32Array(n);
    this.cents = c ? cut(c.cents) : new Float64Array(n);
    this.quantity = !this.keepsQuantity ? new Float64Array(0) : c ? cut(c.quantity) : new Float64Array(n);
    this.postedDate = !this.keepsPosted ? new Int32Array(0) : c ? cut(c.postedDate) : new Int32Array(n);
    this.slot = new Int32Array(F).fill(-1);
    fields.forEach((f, k) => (this.slot[FIELD_INDEX[f]] = k));
    this.textIds = c ? c.textIds.map(cut) : fields.map(() => new Int32Array(n));
    this.cacheStart = new Int32Array(fields.length * CACHE);
    this.cacheEnd = new Int32Array(fields.length * CACHE).fill(-1);
    this.cacheId = new Int32Array(fields.length * CACHE);
  }

  /** Whether text field k (index in LINE_TEXT_FIELDS) is kept. */
  keeps(k: number): boolean {
    return this.slot[k]! >= 0;
  }

  /** A new line (its text fields empty until set); returns its index. */
  add(row: number, quantity: number): number {
    if (this.count === this.row.length) this.grow();
    const i = this.count++;
    this.row[i] = row;
    if (this.keepsQuantity) this.quantity[i] = quantity;
    return i;
  }

  /** Field k (index in LINE_TEXT_FIELDS) of line i: the trimmed text of a span of the bytes. Not kept: ignored. */
  setSpan(i: number, k: number, start: number, end: number): void {
    const slot = this.slot[k]!;
    if (slot < 0) return;
    const b = this.spanText.bytes;
    const n = end - start;
    const c = slot * CACHE + (n === 0 ? 0 : (n * 7 + b[start]! * 3 + b[end - 1]!) & (CACHE - 1));
    const cs = this.cacheStart[c]!;
    if (n === this.cacheEnd[c]! - cs) {
      let j = 0;
      while (j < n && b[start + j] === b[cs + j]) j++;
      if (j === n) {
        this.textIds[slot]![i] = this.cacheId[c]!;
        return;
      }
    }
    const id = this.spanText.trimmedId(start, end);
    this.textIds[slot]![i] = id;
    this.cacheStart[c] = start;
    this.cacheEnd[c] = end;
    this.cacheId[c] = id;
  }

  /** Forgets the recent spans: the bytes they lay in are about to be refilled (a file read through a window). */
  forgetSpans(): void {
    this.cacheEnd.fill(-1);
  }

  /** Field k of line i: a text that is not in the bytes (a V1 amount type). */
  setLiteral(i: number, k: number, text: string): void {
    const slot = this.slot[k]!;
    if (slot >= 0) this.textIds[slot]![i] = this.spanText.idOf(text);
  }

  /** Copies the text fields of line `from` to line `to` (a V1 row's lines share their row's fields). */
  copyFields(from: number, to: number): void {
    for (const ids of this.textIds) ids[to] = ids[from]!;
  }

  private id(i: number, k: number): number {
    const slot = this.slot[k]!;
    if (slot < 0) throw new Error(`The settlement lines were read without ${LINE_TEXT_FIELDS[k]}.`);
    return this.textIds[slot]![i]!;
  }

  text(field: LineTextField, i: number): string {
    return this.spanText.values[this.id(i, FIELD_INDEX[field])]!;
  }

  /** Per line, an id of the field's text (equal texts, equal ids); `values[id]` is the text. */
  ids(field: LineTextField): { ids: Int32Array; values: readonly string[] } {
    this.id(0, FIELD_INDEX[field]);
    return { ids: this.textIds[this.slot[FIELD_INDEX[field]]!]!.subarray(0, this.count), values: this.spanText.values };
  }

  line(i: number): SettlementLine {
    if (!this.keepsQuantity || !this.keepsPosted) throw new Error('The settlement lines were read without quantity or posted date.');
    const v = this.spanText.values;
    const q = this.quantity[i]!;
    return {
      row: this.row[i]!,
      transactionType: v[this.id(i, 0)]!,
      orderId: v[this.id(i, 1)]!,
      merchantOrderId: v[this.id(i, 2)]!,
      adjustmentId: v[this.id(i, 3)]!,
      shipmentId: v[this.id(i, 4)]!,
      marketplace: v[this.id(i, 5)]!,
      amountType: v[this.id(i, 6)]!,
      amountDescription: v[this.id(i, 7)]!,
      cents: this.cents[i]!,
      fulfillmentId: v[this.id(i, 8)]!,
      postedDate: this.dates[this.postedDate[i]!]!,
      sku: v[this.id(i, 9)]!,
      quantity: q === q ? q : null,
      promotionId: v[this.id(i, 10)]!,
    };
  }

  toArray(): SettlementLine[] {
    const out = new Array<SettlementLine>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.line(i);
    return out;
  }

  /** The lines as plain data another thread can send (see Pass1.part). */
  part(): LinesPart {
    const n = this.count;
    return { at: this.place && this.place.at, count: n, row: this.row.subarray(0, n), cents: this.cents.subarray(0, n), quantity: this.quantity.subarray(0, n), postedDate: this.postedDate.subarray(0, n), textIds: this.textIds.map((a) => a.subarray(0, n)), dates: this.dates, texts: this.spanText.part() };
  }

  /** Appends the lines of a later part of the same bytes: rows moved by `rowOffset`, dates by `dateIds`, texts renumbered to this one's ids. */
  append(p: LinesPart, rowOffset: number, dateIds: readonly number[]): void {
    const at = this.count;
    const n = p.count;
    const place = this.place;
    if (place && place.at === 0 && p.at !== null && p.at >= at && p.at + n <= place.columns.row.length) {
      this.appendInPlace(p, place.columns, rowOffset, dateIds);
      return;
    }
    while (this.row.length < at + n) this.grow();
    const textIds = this.spanText.idsOf(p.texts);
    for (let i = 0; i < n; i++) {
      this.row[at + i] = p.row[i]! + rowOffset;
      this.postedDate[at + i] = dateIds[p.postedDate[i]!]!;
    }
    this.cents.set(p.cents.subarray(0, n), at);
    if (this.keepsQuantity) this.quantity.set(p.quantity.subarray(0, n), at);
    this.textIds.forEach((ids, slot) => {
      const from = p.textIds[slot]!;
      for (let i = 0; i < n; i++) ids[at + i] = textIds[from[i]!]!;
    });
    this.count = at + n;
  }

  /**
   * A later part that lies in this one's columns (the host placed both in the same columns): moved down
   * to follow this one's lines, its rows, dates and texts renumbered where they lie.
   */
  private appendInPlace(p: LinesPart, c: LineColumns, rowOffset: number, dateIds: readonly number[]): void {
    const at = this.count;
    const from = p.at!;
    const n = p.count;
    this.place = { columns: c, at: 0, limit: c.row.length };
    [this.row, this.cents, this.textIds] = [c.row, c.cents, [...c.textIds]];
    if (this.keepsQuantity) this.quantity = c.quantity;
    if (this.keepsPosted) this.postedDate = c.postedDate;
    const textIds = this.spanText.idsOf(p.texts);
    const row = this.row;
    const posted = this.postedDate;
    row.copyWithin(at, from, from + n);
    posted.copyWithin(at, from, from + n);
    this.cents.copyWithin(at, from, from + n);
    this.quantity.copyWithin(at, from, from + n);
    for (let i = at; i < at + n; i++) {
      row[i] = row[i]! + rowOffset;
      posted[i] = dateIds[posted[i]!]!;
    }
    for (const ids of this.textIds) {
      ids.copyWithin(at, from, from + n);
      for (let i = at; i < at + n; i++) ids[i] = textIds[ids[i]!]!;
    }
    this.count = at + n;
  }

  /** Keeps the lines whose mask byte is 1, in order. */
  keep(mask: Uint8Array): void {
    let j = 0;
    for (let i = 0; i < this.count; i++) {
      if (!mask[i]) continue;
      if (j !== i) {
        this.row[j] = this.row[i]!;
        this.cents[j] = this.cents[i]!;
        this.quantity[j] = this.quantity[i]!;
        this.postedDate[j] = this.postedDate[i]!;
        for (const ids of this.textIds) ids[j] = ids[i]!;
      }
      j++;
    }
    this.count = j;
  }

  private grow(): void {
    this.place = null;
    const n = this.row.length * 2;
    const g = <T extends Int32Array | Float64Array>(a: T, b: T): T => (b.set(a), b);
    this.row = g(this.row, new Int32Array(n));
    this.cents = g(this.cents, new Float64Array(n));
    if (this.keepsQuantity) this.quantity = g(this.quantity, new Float64Array(n));
    if (this.keepsPosted) this.postedDate = g(this.postedDate, new Int32Array(n));
    this.textIds = this.textIds.map((a) => g(a, new Int32Array(n)));
  }
}
