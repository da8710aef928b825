/**
 * exceljs ⇄ Table / SheetSpec, shared by the CLI/server file workbook (./excel-file.ts) and the browser
 * preview workbook (taskpane/preview). It imports exceljs for types only and uses no Node built-ins, so
 * it runs in the browser bundle too: each host passes in a Workbook made by its own exceljs build.
 *
 * Public API
 * - `flattenCellValue(value, dates)`: an exceljs cell value → a Table cell: rich text joined, hyperlink → its
 *   text, formula → its cached result, error → its text ('#N/A'), empty → ''. Dates: exceljs gives a Date (UTC)
 *   for every cell whose number format is a date format; `dates: 'date'` keeps it, `'serial'` gives the Excel
 *   1900-system serial, as Office.js would.
 * - `worksheetToTable(ws, { dates })`: header = first non-empty row, columns from A, rows padded to one width,
 *   `firstRowNumber` = the sheet row under the header.
 * - `findWorksheet(wb, name)`: case-insensitive, as Excel compares sheet names.
 * - `writeSpecToWorksheet(ws, spec, { onProgress, signal, commitRows })`: rows from `sheetRows`, column widths
 *   and number formats as `sheetCells` gives them; `commitRows` for the streaming writer (committed data
 *   cells share one style object per column), `writeDataRow` lets it write plain data rows itself (from the spec's cells).
 * - `ExcelJsWorkbookPort`: WorkbookPort over an in-memory exceljs Workbook (base of ExcelFileWorkbook and
 *   PreviewWorkbook). exceljs keeps no charts, so the port remembers each written sheet's chart as ChartData
 *   (`chartDataFor(name)`, `charts()` in workbook order) and `xlsxBytes()` adds them to the file as native
 *   chart parts (./chart-part).
 */
import type { CellValue, Workbook, Worksheet } from 'exceljs';
import { isoToExcelSerial } from '../../src/kernel/dates';
import { tableFromValues, type Cell, type Table } from '../../src/kernel/table';
import { columnNumberFormat, columnWidthChars, sheetDataRow, sheetRows, sheetWidth, type SheetRow } from '../../src/workbook/cells';
import { chartData, type ChartData } from '../../src/workbook/chart-data';
import type { WorkbookPort, WriteOptions } from '../../src/workbook/port';
import { isValidSheetName, type SheetSpec } from '../../src/workbook/sheet-spec';
import { addChartsToXlsx } from './chart-part';

export type DateMode = 'date' | 'serial';

export interface ReadOptions {
  /** How date-formatted cells come back: JS Date at UTC (default) or Excel serial number. */
  dates?: DateMode;
}

function dateCell(d: Date, dates: DateMode): Cell {
  if (dates === 'date') return d;
  if (Number.isNaN(d.getTime())) return '';
  return isoToExcelSerial(d.toISOString());
}

export function flattenCellValue(value: CellValue, dates: DateMode = 'date'): Cell {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return dateCell(value, dates);
  if (typeof value !== 'object') return value;
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('error' in value) return value.error;
  if ('hyperlink' in value) {
    const text = value.text as unknown;
    return typeof text === 'object' && text !== null && 'richText' in text
      ? (text as { richText: { text: string }[] }).richText.map((r) => r.text).join('')
      : String(text ?? '');
  }
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as { result?: unknown }).result;
    if (result === undefined || result === null) return '';
    if (result instanceof Date) return dateCell(result, dates);
    if (typeof result === 'object') return 'error' in result ? String((result as { error: string }).error) : '';
    return result as Cell;
  }
  return String(value);
}

export function findWorksheet(wb: Workbook, name: string): Worksheet | undefined {
  const key = name.toLowerCase();
  return wb.worksheets.find((ws) => ws.name.toLowerCase() === key);
}

export function worksheetToTable(ws: Worksheet, options: ReadOptions = {}): Table {
  const dates = options.dates ?? 'date';
  let first = 0;
  let width = 0;
  const byRow = new Map<number, Cell[]>();
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const raw = row.values as CellValue[]; // 1-based, sparse
    const cells: Cell[] = [];
    for (let c = 1; c < raw.length; c++) cells.push(flattenCellValue(raw[c], dates));
    while (cells.length && cells[cells.length - 1] === '') cells.pop();
    if (cells.length === 0) return; // a row with only styles
    if (!first) first = rowNumber;
    width = Math.max(width, cells.length);
    byRow.set(rowNumber, cells);
  });
  if (!first) return { name: ws.name, header: [], rows: [], firstRowNumber: 2 };
  const last = Math.max(...byRow.keys());
  const values: Cell[][] = [];
  for (let r = first; r <= last; r++) {
    const cells = byRow.get(r) ?? [];
    while (cells.length < width) cells.push('');
    values.push(cells);
  }
  return tableFromValues(ws.name, values, first);
}

/** Column, row and cell shapes both exceljs worksheets (in-memory and streaming) share. */
interface WritableSheet {
  getColumn(i: number): { width?: number; numFmt?: string };
  addRow(values: unknown[]): WrittenRow;
}

interface WrittenRow {
  getCell(i: number): { numFmt?: string };
  commit(): void;
}

export interface SpecWriteOptions extends WriteOptions {
  /** Streaming writer: commit each row as it is added (frees it from memory). */
  commitRows?: boolean;
  /** Rows between progress reports, abort checks and yields to the event loop. */
  rowsPerStep?: number;
  /**
   * Streaming writer only: writes one data row (the spec's cells, before conversion) straight into the
   * sheet and returns true, or returns false to leave the row to exceljs.
   */
  writeDataRow?: (values: readonly Cell[]) => boolean;
  /** Streaming writer only: awaited every `rowsPerStep` rows, after the yield (until the file has caught up). */
  caughtUp?: () => Promise<void>;
}

/** Frozen header as exceljs takes it in `addWorksheet(name, { views })`. */
export function frozenHeaderViews(spec: SheetSpec): { state: 'frozen'; xSplit: number; ySplit: number; topLeftCell: string }[] {
  if (!spec.freezeHeader) return [];
  const headerRow = (spec.preamble?.length ?? 0) + 1;
  return [{ state: 'frozen', xSplit: 0, ySplit: headerRow, topLeftCell: `A${headerRow + 1}` }];
}

/**
 * exceljs gives every new cell its own copy of the column style, and its style manager then rebuilds
 * that style's XML for each cell to find its id; it remembers ids by style object, so cells sharing one
 * object per column cost one lookup. Same style, same id, same file. Only for committed (streamed)
 * rows: in an in-memory sheet a later `cell.numFmt = …` would change the whole column.
 */
function shareColumnStyles(row: WrittenRow, styles: readonly ({ numFmt: string } | undefined)[]): void {
  const cells = (row as { _cells?: unknown })._cells; // exceljs internal: the row's cells by column
  for (let c = 0; c < styles.length; c++) {
    const style = styles[c];
    if (!style) continue;
    const cell = Array.isArray(cells) ? (cells[c] as { style: object } | undefined) : (row.getCell(c + 1) as { style: object });
    if (cell) cell.style = style;
  }
}

/** '' would be stored as an empty text cell; null leaves the cell empty, as Excel has it. */
const blankAsNull = (v: Cell) => (v === '' ? null : v);

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Writes a spec into a fresh worksheet. Column formats are set on the columns first so every data cell
 * inherits them (ids as '@' text); only preamble and header cells that differ get their own format.
 */
export async function writeSpecToWorksheet(ws: Worksheet | WritableSheet, spec: SheetSpec, options: SpecWriteOptions = {}): Promise<number> {
  const sheet = ws as WritableSheet;
  const { onProgress, signal, commitRows = false, rowsPerStep = 5_000, writeDataRow, caughtUp } = options;
  const formats = spec.columns.map(columnNumberFormat);
  spec.columns.forEach((c, i) => {
    const col = sheet.getColumn(i + 1);
    col.width = columnWidthChars(c);
    col.numFmt = formats[i];
  });
  // Committed rows are never touched again, so their cells can share one style object per column.
  const sharedStyles = commitRows ? formats.map((f) => (f ? { numFmt: f } : undefined)) : undefined;
  const width = sheetWidth(spec);
  const firstData = (spec.preamble?.length ?? 0) + 1;
  const rows = sheetRows(spec);
  for (let index = 0; index < firstData; index++) {
    const r = rows.next().value as SheetRow;
    const row = sheet.addRow(r.values.map(blankAsNull));
    for (let c = 0; c < width; c++) if (r.formats[c] !== (formats[c] ?? 'General')) row.getCell(c + 1).numFmt = r.formats[c];
    if (commitRows) row.commit();
  }
  for (let i = 0; i < spec.rows.length; ) {
    const cells = spec.rows[i]!;
    if (!writeDataRow?.(cells)) {
      const row = sheet.addRow(sheetDataRow(spec, cells, formats, width).values.map(blankAsNull));
      if (sharedStyles) shareColumnStyles(row, sharedStyles);
      if (commitRows) row.commit();
    }
    i++;
    if (i % rowsPerStep === 0 && i < spec.rows.length) {
      onProgress?.({ sheet: spec.name, rowsWritten: i, rowsTotal: spec.rows.length });
      await tick(); // lets a streaming file drain, a UI redraw, and an abort arrive
      await caughtUp?.();
      signal?.throwIfAborted();
    }
  }
  onProgress?.({ sheet: spec.name, rowsWritten: spec.rows.length, rowsTotal: spec.rows.length });
  return spec.rows.length;
}

export function sheetNameProblem(name: string): string | undefined {
  return isValidSheetName(name) ? undefined : `"${name}" cannot be a sheet name: use at most 31 characters and none of : \\ / ? * [ ].`;
}

/** WorkbookPort over an in-memory exceljs Workbook. */
export class ExcelJsWorkbookPort implements WorkbookPort {
  /** Chart of each sheet written with one, by lower-case sheet name (exceljs keeps none of its own). */
  private readonly chartsBySheet = new Map<string, ChartData>();

  constructor(
    readonly workbook: Workbook,
    protected readonly readOptions: ReadOptions = {},
  ) {}

  async listSheets(): Promise<string[]> {
    return this.workbook.worksheets.map((ws) => ws.name);
  }

  async readSheet(name: string): Promise<Table> {
    const ws = findWorksheet(this.workbook, name);
    if (!ws) throw new Error(`There is no sheet named "${name}" in this workbook.`);
    return worksheetToTable(ws, this.readOptions);
  }

  async writeSheet(spec: SheetSpec, options: WriteOptions = {}): Promise<void> {
    const bad = sheetNameProblem(spec.name);
    if (bad) throw new Error(bad);
    const chart = chartData(spec); // a chart naming a column the sheet lacks fails before anything changes
    options.signal?.throwIfAborted();
    const old = findWorksheet(this.workbook, spec.name);
    // orderNo is how exceljs orders tabs (not in its typings).
    const orderNo = (old as (Worksheet & { orderNo?: number }) | undefined)?.orderNo;
    if (old) this.workbook.removeWorksheet(old.id);
    this.chartsBySheet.delete(spec.name.toLowerCase());
    const ws = this.workbook.addWorksheet(spec.name, { views: frozenHeaderViews(spec) });
    if (orderNo !== undefined) (ws as Worksheet & { orderNo: number }).orderNo = orderNo; // keep the tab where it was
    this.sheetAdded(spec.name);
    await writeSpecToWorksheet(ws, spec, options);
    // Only a complete sheet gets its chart: a cancelled write leaves fewer rows than the chart would name.
    if (chart) this.chartsBySheet.set(spec.name.toLowerCase(), chart);
  }

  chartDataFor(name: string): ChartData | undefined {
    return findWorksheet(this.workbook, name) ? this.chartsBySheet.get(name.toLowerCase()) : undefined;
  }

  /** Charts of the sheets the workbook still has, in tab order. */
  charts(): ChartData[] {
    return this.workbook.worksheets.flatMap((ws) => {
      const chart = this.chartsBySheet.get(ws.name.toLowerCase());
      return chart ? [chart] : [];
    });
  }

  /** The workbook as .xlsx bytes, with its charts as native chart parts. */
  async xlsxBytes(): Promise<Uint8Array> {
    const raw = (await this.workbook.xlsx.writeBuffer()) as unknown;
    return addChartsToXlsx(raw instanceof Uint8Array ? raw : new Uint8Array(raw as ArrayBuffer), this.charts());
  }

  /** Hook for subclasses (the preview redraws). */
  protected sheetAdded(_name: string): void {}
}
