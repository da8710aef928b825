/**
 * A settlement's lines held column by column: per line its row, amount in cents, quantity, posted
 * date, and each text field as a span of the file's bytes (trimmed and decoded when read, each distinct
 * value once) — no object per line until a consumer asks for one (`line(i)`, `toArray()`); a consumer
 * that only groups asks for integer ids (`ids(field)`).
 *
 * Public API
 * - `LINE_TEXT_FIELDS`, `LineTextField`: the text fields of a SettlementLine.
 * - `SettlementLines`: `count`, `row`, `cents`, `quantity` (NaN: blank), `text(field, i)`, `ids(field)`,
 *   `line(i)`, `toArray()` (every field kept); for the reader: `add`, `setSpan`, `setLiteral`, `copyFields`, `keep(mask)`.
 */
import type { SpanText } from '../kernel/text-bytes';

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
const F = LINE_TEXT_FIELDS.length;
const FIELD_INDEX = Object.fromEntries(LINE_TEXT_FIELDS.map((f, i) => [f, i])) as Record<LineTextField, number>;

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
  /** Per line, per kept text field: the span [start, end) of the bytes, or start = -1 - id of a text that is not a span. */
  private spans: Int32Array;
  /** LINE_TEXT_FIELDS index → slot among the kept fields, -1 when not kept. */
  private readonly slot: Int32Array;
  private readonly width: number;

  constructor(
    private readonly spanText: SpanText,
    capacity: number,
    /** The text fields to keep (all by default): a consumer that only totals needs few. */
    fields: readonly LineTextField[] = LINE_TEXT_FIELDS,
  ) {
    const n = Math.max(16, capacity);
    this.row = new Int32Array(n);
    this.cents = new Float64Array(n);
    this.quantity = new Float64Array(n);
    this.postedDate = new Int32Array(n);
    this.slot = new Int32Array(F).fill(-1);
    fields.forEach((f, k) => (this.slot[FIELD_INDEX[f]] = k));
    this.width = fields.length;
    this.spans = new Int32Array(n * this.width * 2);
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
    this.quantity[i] = quantity;
    return i;
  }

  /** Field k (index in LINE_TEXT_FIELDS) of line i: a span of the bytes, trimmed when read. Not kept: ignored. */
  setSpan(i: number, k: number, start: number, end: number): void {
    const slot = this.slot[k]!;
    if (slot < 0) return;
    const at = (i * this.width + slot) * 2;
    this.spans[at] = start;
    this.spans[at + 1] = end;
  }

  /** Field k of line i: a text that is not in the bytes (a V1 amount type). */
  setLiteral(i: number, k: number, text: string): void {
    const slot = this.slot[k]!;
    if (slot < 0) return;
    const at = (i * this.width + slot) * 2;
    this.spans[at] = -1 - this.spanText.idOf(text);
    this.spans[at + 1] = 0;
  }

  /** Copies the text fields of line `from` to line `to` (a V1 row's lines share their row's fields). */
  copyFields(from: number, to: number): void {
    const w = this.width * 2;
    this.spans.copyWithin(to * w, from * w, from * w + w);
  }

  private id(i: number, k: number): number {
    const slot = this.slot[k]!;
    if (slot < 0) throw new Error(`The settlement lines were read without ${LINE_TEXT_FIELDS[k]}.`);
    const at = (i * this.width + slot) * 2;
    const s = this.spans[at]!;
    return s < 0 ? -1 - s : this.spanText.trimmedId(s, this.spans[at + 1]!);
  }

  text(field: LineTextField, i: number): string {
    return this.spanText.values[this.id(i, FIELD_INDEX[field])]!;
  }

  /** Per line, an id of the field's text (equal texts, equal ids); `values[id]` is the text. */
  ids(field: LineTextField): { ids: Int32Array; values: readonly string[] } {
    const k = FIELD_INDEX[field];
    const slot = this.slot[k]!;
    const ids = new Int32Array(this.count);
    const spans = this.spans;
    const b = this.spanText.bytes;
    // Neighbouring lines often share a value (an order's lines, their type): equal bytes to the line
    // before reuse its id without hashing.
    let ps = 0;
    let pe = -1;
    let pid = 0;
    for (let i = 0; i < this.count; i++) {
      const at = (i * this.width + slot) * 2;
      const s = spans[at]!;
      const e = spans[at + 1]!;
      if (s >= 0 && e - s === pe - ps) {
        let k2 = 0;
        while (k2 < e - s && b[s + k2] === b[ps + k2]) k2++;
        if (k2 === e - s) {
          ids[i] = pid;
          continue;
        }
      }
      pid = ids[i] = this.id(i, k);
      ps = s >= 0 ? s : 0;
      pe = s >= 0 ? e : -1;
    }
    return { ids, values: this.spanText.values };
  }

  line(i: number): SettlementLine {
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

  /** Keeps the lines whose mask byte is 1, in order. */
  keep(mask: Uint8Array): void {
    const w = this.width * 2;
    let j = 0;
    for (let i = 0; i < this.count; i++) {
      if (!mask[i]) continue;
      if (j !== i) {
        this.row[j] = this.row[i]!;
        this.cents[j] = this.cents[i]!;
        this.quantity[j] = this.quantity[i]!;
        this.postedDate[j] = this.postedDate[i]!;
        this.spans.copyWithin(j * w, i * w, i * w + w);
      }
      j++;
    }
    this.count = j;
  }

  private grow(): void {
    const n = this.row.length * 2;
    const g = <T extends Int32Array | Float64Array>(a: T, b: T): T => (b.set(a), b);
    this.row = g(this.row, new Int32Array(n));
    this.cents = g(this.cents, new Float64Array(n));
    this.quantity = g(this.quantity, new Float64Array(n));
    this.postedDate = g(this.postedDate, new Int32Array(n));
    this.spans = g(this.spans, new Int32Array(n * this.width * 2));
  }
}
