/**
 * Data rows of a SheetSpec as the sheet XML exceljs's streaming writer produces for them, encoded
 * straight into bytes (the kernel's ByteWriter). exceljs builds a Row, a Cell and a style lookup per
 * cell, then a string per row that its stream turns into a Buffer: on a 500k-row × 24-column sheet
 * that bookkeeping, the strings and their garbage were most of the run, and exceljs has no lower-level
 * way in. The bytes are exactly exceljs's (`<row r spans x14ac:dyDescent>`, `<c r s t>` with
 * `str`/`b`, styled blanks as `<c r s/>`, a row without a value left out); excel-file.test.ts writes
 * random sheets both ways and compares the files' XML. Values are converted by `cellValue`, as for
 * every host; only the common cases skip it where its answer is known (text in text/id columns,
 * cents in two-decimal money columns, numbers in number columns).
 *
 * Public API
 * - `RowXmlWriter(spec, styleIds)`: `row(cells, rowNumber)` appends one data row (spec cells, before
 *   conversion) → ROW_WRITTEN, ROW_EMPTY (exceljs writes none) or ROW_NOT_PLAIN (a cell exceljs must
 *   write, e.g. a Date: nothing was appended); `pending` bytes held; `take()` hands them out (a view of a reused buffer).
 */
import { ByteWriter } from '../../src/kernel/byte-writer';
import { minorUnitDigits } from '../../src/kernel/money';
import { columnLetter, type Cell } from '../../src/kernel/table';
import { cellValue } from '../../src/workbook/cells';
import type { SheetColumn, SheetSpec } from '../../src/workbook/sheet-spec';

// exceljs's own XML escaping, for the rare text that needs any (so it comes out as exceljs writes it).
const { xmlEncode } = require('exceljs/lib/utils/utils') as { xmlEncode(text: string): string };

export const ROW_WRITTEN = 1;
export const ROW_EMPTY = 0;
export const ROW_NOT_PLAIN = -1;

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const ROW_OPEN = ascii('<row r="');
const ROW_CLOSE = ascii('</row>');
const BLANK_END = ascii('/>');
const NUMBER_OPEN = ascii('><v>');
const BOOL_OPEN = ascii(' t="b"><v>');
const STRING_OPEN = ascii(' t="str"><v>');
const VALUE_CLOSE = ascii('</v></c>');

/** Characters exceljs's xmlEncode changes: controls, ", &, ', <, >, DEL (written through it instead). */
const ESCAPED = new Uint8Array(128);
for (let c = 0; c < 32; c++) ESCAPED[c] = 1;
for (const c of [34, 38, 39, 60, 62, 127]) ESCAPED[c] = 1;

/** How a column's common values are written without `cellValue`. */
const GENERAL = 0;
const TEXT = 1;
const CENTS = 2;
const NUMBER = 3;

function columnKind(column: SheetColumn): number {
  if (column.type === 'text' || column.type === 'id') return TEXT;
  if (column.type === 'money') return minorUnitDigits(column.currency ?? 'USD') === 2 ? CENTS : GENERAL;
  if (column.type === 'integer' || column.type === 'number' || column.type === 'percent') return NUMBER;
  return GENERAL;
}

/** Cents whose decimal has at most 15 significant digits: String(centsToNumber(c)) is that decimal, trailing zeros dropped. */
const MAX_PLAIN_CENTS = 999_999_999_999_999;

export class RowXmlWriter {
  private readonly out = new ByteWriter(1 << 20);
  private readonly width: number;
  private readonly columns: readonly SheetColumn[];
  private readonly kinds: number[];
  /** Per column: `<c r="` and its letters; then `"`, and ` s="n"` when the column has a style. */
  private readonly cellOpen: Uint8Array[];
  private readonly cellStyle: Uint8Array[];
  private readonly rowTail: Uint8Array;
  private readonly digits = new Uint8Array(16);
  private digitCount = 0;

  constructor(spec: SheetSpec, styleIds: readonly number[]) {
    this.width = styleIds.length;
    this.columns = spec.columns;
    this.kinds = spec.columns.map(columnKind);
    this.cellOpen = styleIds.map((_, c) => ascii(`<c r="${columnLetter(c)}`));
    this.cellStyle = styleIds.map((s) => ascii(s ? `" s="${s}"` : '"'));
    this.rowTail = ascii(`" spans="1:${this.width}" x14ac:dyDescent="0.25">`);
  }

  get pending(): number {
    return this.out.pos;
  }

  /** The bytes written so far (a view: valid until the next row), and starts over. */
  take(): Uint8Array {
    return this.out.take();
  }

  private bytes(b: Uint8Array): void {
    const out = this.out;
    out.room(b.length);
    const buf = out.buf;
    let p = out.pos;
    // by hand: a native copy of a few bytes costs more than the loop
    for (let i = 0; i < b.length; i++) buf[p++] = b[i]!;
    out.pos = p;
  }

  /** `<c r="A12" s="3"` and then `open` (the type and `<v>`, or `/>`), with one check for room. */
  private cellStart(c: number, open: Uint8Array): void {
    const out = this.out;
    out.room(96);
    const buf = out.buf;
    let p = out.pos;
    const head = this.cellOpen[c]!;
    for (let i = 0; i < head.length; i++) buf[p++] = head[i]!;
    const digits = this.digits;
    for (let i = 0; i < this.digitCount; i++) buf[p++] = digits[i]!;
    const style = this.cellStyle[c]!;
    for (let i = 0; i < style.length; i++) buf[p++] = style[i]!;
    for (let i = 0; i < open.length; i++) buf[p++] = open[i]!;
    out.pos = p;
  }

  /** Text as exceljs writes it: through xmlEncode when a character needs it, then UTF-8. */
  private text(s: string): void {
    const out = this.out;
    out.room(s.length);
    const buf = out.buf;
    const start = out.pos;
    let p = start;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 128 || ESCAPED[c]) {
        out.pos = start;
        out.text(/[\u0000-\u001f"&'<>\u007f]/.test(s) ? xmlEncode(s) : s);
        return;
      }
      buf[p++] = c;
    }
    out.pos = p;
  }

  /** A number as exceljs writes it (`v.toString()`). */
  private number(v: number): void {
    if (Number.isSafeInteger(v)) {
      if (v < 0) {
        this.out.byte(45);
        this.out.integer(-v);
      } else this.out.integer(v);
    } else this.out.text(String(v));
  }

  /** String(centsToNumber(cents)) for a two-decimal currency, |cents| ≤ MAX_PLAIN_CENTS. */
  private cents(cents: number): void {
    const out = this.out;
    out.cents(cents);
    const b = out.buf;
    if (b[out.pos - 1] === 48) {
      if (b[out.pos - 2] === 48) out.pos -= 3;
      else out.pos -= 1;
    }
  }

  /** Appends one data row; see the module comment for the answers. */
  row(cells: readonly Cell[], rowNumber: number): number {
    const out = this.out;
    const rowStart = out.pos;
    let n = rowNumber;
    let k = 0;
    do {
      this.digits[k++] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    this.digits.subarray(0, k).reverse();
    this.digitCount = k;
    this.bytes(ROW_OPEN);
    out.room(16);
    for (let i = 0; i < k; i++) out.buf[out.pos++] = this.digits[i]!;
    this.bytes(this.rowTail);
    let hasValue = false;
    for (let c = 0; c < this.width; c++) {
      let v: Cell | undefined = cells[c];
      const kind = this.kinds[c];
      if (v === null || v === undefined || v === '') {
        this.blank(c);
        continue;
      }
      if (kind === TEXT && typeof v === 'string') {
        this.cellStart(c, STRING_OPEN);
        this.text(v);
      } else if (kind === CENTS && typeof v === 'number' && Number.isSafeInteger(v) && v <= MAX_PLAIN_CENTS && v >= -MAX_PLAIN_CENTS) {
        this.cellStart(c, NUMBER_OPEN);
        this.cents(v);
      } else if (kind === NUMBER && typeof v === 'number') {
        this.cellStart(c, NUMBER_OPEN);
        this.number(v);
      } else {
        const column = this.columns[c];
        v = column ? cellValue(v, column) : v;
        if (v === null || v === '') {
          this.blank(c);
          continue;
        }
        if (typeof v === 'string') {
          this.cellStart(c, STRING_OPEN);
          this.text(v);
        } else if (typeof v === 'number') {
          this.cellStart(c, NUMBER_OPEN);
          this.number(v);
        } else if (typeof v === 'boolean') {
          this.cellStart(c, BOOL_OPEN);
          out.byte(v ? 49 : 48);
        } else {
          out.pos = rowStart;
          return ROW_NOT_PLAIN;
        }
      }
      this.bytes(VALUE_CLOSE);
      hasValue = true;
    }
    if (!hasValue) {
      out.pos = rowStart;
      return ROW_EMPTY;
    }
    this.bytes(ROW_CLOSE);
    return ROW_WRITTEN;
  }

  /** exceljs writes a blank cell only when it carries a style. */
  private blank(c: number): void {
    if (this.cellStyle[c]!.length === 1) return;
    this.cellStart(c, BLANK_END);
  }
}
