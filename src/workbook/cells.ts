/**
 * From a SheetSpec to the cells a workbook host writes, shared by every WorkbookPort
 * (Office.js, preview, exceljs files) so the three write the same values and formats.
 *
 * Public API
 * - `defaultNumberFormat(type)`, `columnNumberFormat(column)`: '@' for id/text, '#,##0.00' money (decimals follow the
 *   currency), 'yyyy-mm-dd' date, 'yyyy-mm-dd hh:mm:ss' datetime, '0.00%' percent, '0' integer, 'General' otherwise.
 * - `columnWidthChars(column)`: the width to give a column, in characters (spec width, else a default per type).
 * - `cellValue(value, column)`: one spec cell → the value Excel stores (cents → decimal, ids → text, ISO → serial).
 * - `sheetRows(spec)`: generator of sheet rows `{ values, formats }` (preamble, header, data), padded to `sheetWidth`;
 *   lets streaming writers convert row by row; `sheetDataRow(spec, row, formats)` is one data row of it.
 * - `sheetCells(spec)`: `SheetCells` — all rows at once, plus `headerRow` (1-based) and `firstDataIndex`.
 * - `estimateRowBytes(values, formats)`: UTF-8 bytes of the row in the JSON Office.js sends (values + numberFormat).
 * - `planChunks(specOrCells, maxBytes = 4_000_000)`: `[{ start, end }]` indexes into `SheetCells.values` (end
 *   exclusive) whose payload stays under maxBytes (a single row larger than maxBytes gets a chunk of its own).
 */
import { centsToNumber, minorUnitDigits } from '../kernel/money';
import { isoToExcelSerial, readDateTime } from '../kernel/dates';
import { readId } from '../kernel/ids';
import type { Cell } from '../kernel/table';
import type { ColumnType, SheetColumn, SheetSpec } from './sheet-spec';

export const TEXT_FORMAT = '@';
export const GENERAL_FORMAT = 'General';
export const DATE_FORMAT = 'yyyy-mm-dd';
export const DATETIME_FORMAT = 'yyyy-mm-dd hh:mm:ss';

export function defaultNumberFormat(type: ColumnType, currency = 'USD'): string {
  switch (type) {
    case 'id':
    case 'text':
      return TEXT_FORMAT;
    case 'money': {
      const digits = minorUnitDigits(currency);
      return digits === 0 ? '#,##0' : `#,##0.${'0'.repeat(digits)}`;
    }
    case 'date':
      return DATE_FORMAT;
    case 'datetime':
      return DATETIME_FORMAT;
    case 'percent':
      return '0.00%';
    case 'integer':
      return '0';
    case 'number':
    case 'boolean':
      return GENERAL_FORMAT;
  }
}

export function columnNumberFormat(column: SheetColumn): string {
  return column.numberFormat ?? defaultNumberFormat(column.type, column.currency);
}

const DEFAULT_WIDTH: Record<ColumnType, number> = {
  text: 14,
  id: 20, // 17-digit Zoho ids plus a margin
  money: 14,
  integer: 10,
  number: 12,
  date: 12,
  datetime: 20,
  percent: 10,
  boolean: 8,
};

/** Width in characters: the spec's, else wide enough for the header and the type's usual content. */
export function columnWidthChars(column: SheetColumn): number {
  if (column.width !== undefined) return column.width;
  return Math.min(60, Math.max(DEFAULT_WIDTH[column.type], column.header.length + 2));
}

function isBlankCell(v: Cell | undefined): boolean {
  return v === null || v === undefined || v === '';
}

function toSerial(value: Cell, withTime: boolean): Cell {
  if (typeof value === 'number') return value; // already a serial
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    const iso = value.toISOString();
    return isoToExcelSerial(withTime ? iso : iso.slice(0, 10));
  }
  if (typeof value === 'string') {
    const r = readDateTime(value);
    if (!r.ok) return value; // leave the text visible rather than lose it
    return isoToExcelSerial(withTime ? r.iso : r.iso.slice(0, 10));
  }
  return value;
}

/**
 * The value Excel stores for one spec cell. Blank (null/undefined/'') → '' (Office.js treats null in
 * `values` as "leave unchanged", so null is never sent). Values that do not fit the column type
 * (a note in a money column) are kept as they are, never dropped.
 */
export function cellValue(value: Cell | undefined, column: SheetColumn): Cell {
  if (isBlankCell(value)) return '';
  const v = value as Cell;
  switch (column.type) {
    case 'money':
      return typeof v === 'number' && Number.isSafeInteger(v) ? centsToNumber(v, column.currency ?? 'USD') : v;
    case 'id': {
      if (typeof v === 'string') return v;
      const r = readId(v);
      // A number id that cannot be exact is still written (as its text) so the user sees it.
      return r.ok ? r.id : String(v);
    }
    case 'text':
      return v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : String(v);
    case 'date':
      return toSerial(v, false);
    case 'datetime':
      return toSerial(v, true);
    case 'boolean':
      if (typeof v === 'string') {
        const t = v.trim().toLowerCase();
        if (t === 'true') return true;
        if (t === 'false') return false;
      }
      return v;
    case 'integer':
    case 'number':
    case 'percent':
      return v instanceof Date ? toSerial(v, true) : v;
  }
}

function preambleCell(value: Cell | undefined): { value: Cell; format: string } {
  if (isBlankCell(value)) return { value: '', format: GENERAL_FORMAT };
  if (value instanceof Date) return { value: toSerial(value, value.getUTCHours() + value.getUTCMinutes() + value.getUTCSeconds() > 0), format: DATE_FORMAT };
  // Text stays text ('00123' ledger codes in a GLDI header block must not turn into 123).
  if (typeof value === 'string') return { value, format: TEXT_FORMAT };
  return { value: value as Cell, format: GENERAL_FORMAT };
}

export function sheetWidth(spec: SheetSpec): number {
  let w = spec.columns.length;
  for (const r of spec.preamble ?? []) w = Math.max(w, r.length);
  return Math.max(w, 1);
}

export interface SheetRow {
  values: Cell[];
  formats: string[];
}

/** Sheet rows in order: preamble rows, the header row, then data rows; every row has `sheetWidth(spec)` cells. */
export function* sheetRows(spec: SheetSpec): Generator<SheetRow> {
  const width = sheetWidth(spec);
  const formats = spec.columns.map(columnNumberFormat);
  const pad = (values: Cell[], fmt: string[]) => padRow(values, fmt, width);
  for (const r of spec.preamble ?? []) {
    const cells = r.map(preambleCell);
    yield pad(
      cells.map((c) => c.value),
      cells.map((c) => c.format),
    );
  }
  yield pad(
    spec.columns.map((c) => c.header),
    spec.columns.map(() => TEXT_FORMAT),
  );
  for (const r of spec.rows) yield sheetDataRow(spec, r, formats, width);
}

/** One data row of `spec` as `sheetRows` yields it; `formats` are the columns' (`columnNumberFormat`). */
export function sheetDataRow(spec: SheetSpec, row: readonly Cell[], formats: readonly string[], width = sheetWidth(spec)): SheetRow {
  return padRow(
    spec.columns.map((c, i) => cellValue(row[i], c)),
    formats.slice(),
    width,
  );
}

/** A row filled out to `width` cells with blanks in the General format. */
function padRow(values: Cell[], fmt: string[], width: number): SheetRow {
  while (values.length < width) {
    values.push('');
    fmt.push(GENERAL_FORMAT);
  }
  return { values, formats: fmt };
}

export interface SheetCells {
  /** Every sheet row from row 1: preamble, header, data; each `width` cells wide. */
  values: Cell[][];
  /** Number format per cell, same shape as `values` (what Office.js `Range.numberFormat` takes). */
  numberFormats: string[][];
  width: number;
  /** 1-based sheet row of the header (preamble length + 1); freeze panes here. */
  headerRow: number;
  /** Index in `values` of the first data row (= headerRow). */
  firstDataIndex: number;
  /** Data rows (spec.rows.length). */
  dataRows: number;
  /** Number format per table column. */
  columnFormats: string[];
  /** Width in characters per table column. */
  columnWidths: number[];
}

export function sheetCells(spec: SheetSpec): SheetCells {
  const values: Cell[][] = [];
  const numberFormats: string[][] = [];
  for (const r of sheetRows(spec)) {
    values.push(r.values);
    numberFormats.push(r.formats);
  }
  const headerRow = (spec.preamble?.length ?? 0) + 1;
  return {
    values,
    numberFormats,
    width: sheetWidth(spec),
    headerRow,
    firstDataIndex: headerRow,
    dataRows: spec.rows.length,
    columnFormats: spec.columns.map(columnNumberFormat),
    columnWidths: spec.columns.map(columnWidthChars),
  };
}

/** UTF-8 byte length of a string (no TextEncoder/Buffer: src runs everywhere). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Bytes this row adds to an Office.js request: the JSON of its `values` row and its `numberFormat`
 * row, plus the separating commas. Dates are sent as serials, so every cell here is JSON-able.
 */
export function estimateRowBytes(values: readonly Cell[], formats: readonly string[]): number {
  return utf8Length(JSON.stringify(values)) + utf8Length(JSON.stringify(formats)) + 2;
}

export interface Chunk {
  /** Index into SheetCells.values of the first row (0-based = sheet row start + 1). */
  start: number;
  /** Exclusive. */
  end: number;
  /** Estimated payload bytes of the chunk. */
  bytes: number;
}

/** Fixed per-request overhead (object paths, action ids) kept out of the budget. */
const REQUEST_OVERHEAD = 2_000;

export function planChunks(source: SheetSpec | SheetCells, maxBytes = 4_000_000): Chunk[] {
  const cells = 'numberFormats' in source ? source : sheetCells(source);
  const budget = Math.max(1, maxBytes - REQUEST_OVERHEAD);
  const chunks: Chunk[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < cells.values.length; i++) {
    const b = estimateRowBytes(cells.values[i]!, cells.numberFormats[i]!);
    if (i > start && bytes + b > budget) {
      chunks.push({ start, end: i, bytes });
      start = i;
      bytes = 0;
    }
    bytes += b;
  }
  if (cells.values.length > start) chunks.push({ start, end: cells.values.length, bytes });
  return chunks;
}
