/**
 * The workbook of the task pane when there is no Excel host (plain browser, demos, e2e): an in-memory
 * exceljs workbook behind the same WorkbookPort as Office.js.
 *
 * Public API
 * - `PreviewWorkbook.open(data: ArrayBuffer | Uint8Array)` (an .xlsx the user picked), `PreviewWorkbook.empty()`
 *   (one empty "Sheet1", like a new Excel workbook).
 * - WorkbookPort: `listSheets()`, `readSheet(name)` (dates as Excel serials, as Office.js gives them, so job
 *   code sees the same values in both hosts), `writeSheet(spec, { onProgress, signal })`, `selectCell(sheet, row, col)`
 *   (1-based; sets `activeSheet` and `selection`).
 * - `activeSheet`, `setActiveSheet(name)`, `selection`.
 * - `onChange(listener)` → unsubscribe function; fires after a sheet is written (also a cancelled write), a cell
 *   selected or a sheet activated, so a React view redraws.
 * - `sheetToGrid(name, maxRows = 200)` → `SheetGrid` (values and display text of the first rows, column letters,
 *   total rows) for the preview table; `formatCell(value, numFmt)` is its display rule.
 * - `chartFor(name)`: the ChartSpec written with a sheet; `chartDataFor(name)` (from ExcelJsWorkbookPort): its
 *   categories and series as the sheet holds them, which the workbook page draws.
 * - `toXlsxBuffer()` → ArrayBuffer for a download, charts included as native chart parts.
 *
 * Webpack: `import ExcelJS from 'exceljs'` resolves to exceljs's "browser" build (dist/exceljs.min.js), a
 * self-contained bundle: no Node polyfills or fallbacks are needed.
 */
import ExcelJS from 'exceljs';
import { columnLetter, type Cell } from '../../src/kernel/table';
import { excelSerialToIso } from '../../src/kernel/dates';
import type { WriteOptions } from '../../src/workbook/port';
import type { ChartSpec, SheetSpec } from '../../src/workbook/sheet-spec';
import { ExcelJsWorkbookPort, findWorksheet, flattenCellValue } from '../../platform/workbook/exceljs-sheets';

export type PreviewChange =
  | { type: 'sheet-written'; sheet: string }
  | { type: 'selection'; sheet: string; row: number; column: number }
  | { type: 'active-sheet'; sheet: string };

export interface GridRow {
  rowNumber: number;
  values: Cell[];
  text: string[];
}

export interface SheetGrid {
  sheet: string;
  /** Column letters, A… up to the last used column. */
  columns: string[];
  rows: GridRow[];
  /** Rows the sheet has in all (last used row number). */
  totalRows: number;
  truncated: boolean;
}

function group(intText: string): string {
  return intText.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Display text for the formats CloseDesk writes; anything else shows the plain value. */
export function formatCell(value: Cell, numFmt = 'General'): string {
  if (value === null || value === '') return '';
  if (value instanceof Date) {
    const iso = value.toISOString();
    return /h/.test(numFmt) ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : iso.slice(0, 10);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'string') return value;
  if (numFmt === '@' || numFmt === 'General') return String(value);
  if (/^yyyy-mm-dd/.test(numFmt)) {
    const iso = excelSerialToIso(value);
    return /h/.test(numFmt) ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : iso.slice(0, 10);
  }
  const m = /^(#,##)?0(?:\.(0+))?(%)?$/.exec(numFmt);
  if (m) {
    const n = m[3] ? value * 100 : value;
    const fixed = n.toFixed(m[2]?.length ?? 0);
    const [int = '', frac] = fixed.replace('-', '').split('.');
    const sign = fixed.startsWith('-') && /[1-9]/.test(fixed) ? '-' : '';
    return sign + (m[1] ? group(int) : int) + (frac ? '.' + frac : '') + (m[3] ? '%' : '');
  }
  return String(value);
}

export class PreviewWorkbook extends ExcelJsWorkbookPort {
  private listeners = new Set<(change: PreviewChange) => void>();
  activeSheet: string | undefined;
  selection: { sheet: string; row: number; column: number } | undefined;

  static async open(data: ArrayBuffer | Uint8Array): Promise<PreviewWorkbook> {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(data as never);
    return new PreviewWorkbook(wb);
  }

  static empty(): PreviewWorkbook {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Sheet1');
    return new PreviewWorkbook(wb);
  }

  private constructor(workbook: ExcelJS.Workbook) {
    super(workbook, { dates: 'serial' });
    this.activeSheet = workbook.worksheets[0]?.name;
  }

  onChange(listener: (change: PreviewChange) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private emit(change: PreviewChange): void {
    for (const l of [...this.listeners]) l(change);
  }

  override async writeSheet(spec: SheetSpec, options: WriteOptions = {}): Promise<void> {
    try {
      await super.writeSheet(spec, options);
    } finally {
      // Also after a cancel: the rows written so far are on the sheet and should show.
      if (findWorksheet(this.workbook, spec.name)) {
        this.activeSheet = findWorksheet(this.workbook, spec.name)!.name;
        this.emit({ type: 'sheet-written', sheet: this.activeSheet });
      }
    }
  }

  async selectCell(sheet: string, row: number, column: number): Promise<void> {
    const ws = findWorksheet(this.workbook, sheet);
    if (!ws) throw new Error(`There is no sheet named "${sheet}" in this workbook.`);
    this.activeSheet = ws.name;
    this.selection = { sheet: ws.name, row, column };
    this.emit({ type: 'selection', ...this.selection });
  }

  setActiveSheet(name: string): void {
    const ws = findWorksheet(this.workbook, name);
    if (!ws) throw new Error(`There is no sheet named "${name}" in this workbook.`);
    this.activeSheet = ws.name;
    this.emit({ type: 'active-sheet', sheet: ws.name });
  }

  chartFor(name: string): ChartSpec | undefined {
    return this.chartDataFor(name)?.chart;
  }

  sheetToGrid(name: string, maxRows = 200): SheetGrid {
    const ws = findWorksheet(this.workbook, name);
    if (!ws) throw new Error(`There is no sheet named "${name}" in this workbook.`);
    const totalRows = ws.actualRowCount === 0 ? 0 : ws.rowCount;
    const width = totalRows === 0 ? 0 : ws.columnCount;
    const rows: GridRow[] = [];
    for (let r = 1; r <= Math.min(totalRows, maxRows); r++) {
      const row = ws.getRow(r);
      const values: Cell[] = [];
      const text: string[] = [];
      for (let c = 1; c <= width; c++) {
        const cell = row.getCell(c);
        const v = flattenCellValue(cell.value, 'date');
        values.push(v);
        text.push(formatCell(v, cell.numFmt));
      }
      rows.push({ rowNumber: r, values, text });
    }
    return {
      sheet: ws.name,
      columns: Array.from({ length: width }, (_, i) => columnLetter(i)),
      rows,
      totalRows,
      truncated: totalRows > maxRows,
    };
  }

  async toXlsxBuffer(): Promise<ArrayBuffer> {
    const b = await this.xlsxBytes();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }
}
