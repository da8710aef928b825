/// <reference types="office-js" />
/**
 * WorkbookPort over Office.js: the only module of the task pane that touches `Excel.*`.
 *
 * Public API
 * - `new OfficeWorkbook(run?: ExcelRun, options?: { maxRequestBytes?, maxResponseBytes? })` — `run` defaults to
 *   `Excel.run`; tests pass `fakeExcelRun(state)` from ./fake-excel.
 * - `listSheets()`, `readSheet(name)` (used range read from column A in row blocks so each response stays small;
 *   header = first used row; `firstRowNumber` matches the sheet), `writeSheet(spec, { onProgress, signal })`,
 *   `selectCell(sheet, row, column)` (both 1-based).
 * - `chartTypeFor(spec.chart.type)`: the Excel chart type used.
 *
 * Writing: an existing sheet is cleared in place (keeps its tab position; deleting could fail on the only
 * sheet); rows go in chunks from `planChunks` (each request under 4 MB; Excel rejects 5 MB), number formats set
 * before values in the same request so '@' columns keep 17-digit ids and leading zeros as text; one
 * `context.sync` per chunk, progress after each, cancellation checked between chunks.
 */
import { tableFromValues, type Cell, type Table } from '../../src/kernel/table';
import { planChunks, sheetCells, type SheetCells } from '../../src/workbook/cells';
import type { WorkbookPort, WriteOptions } from '../../src/workbook/port';
import { isValidSheetName, type ChartSpec, type SheetSpec } from '../../src/workbook/sheet-spec';

export type ExcelRun = <T>(batch: (context: Excel.RequestContext) => Promise<T>) => Promise<T>;

export interface OfficeWorkbookOptions {
  /** Budget per write request (values + formats JSON). Excel Online rejects 5 MB; default 4 MB. */
  maxRequestBytes?: number;
  /** Budget per read response; default 3 MB. */
  maxResponseBytes?: number;
}

/** Excel column width is in points; a character of the default font (Calibri 11) is ~7 px = 5.25 pt. */
export function charsToPoints(chars: number): number {
  return Math.round((chars * 7 + 5) * 0.75 * 100) / 100;
}

export function chartTypeFor(type: ChartSpec['type']): 'Line' | 'ColumnClustered' | 'BarClustered' | 'Pie' | 'Area' {
  switch (type) {
    case 'line':
      return 'Line';
    case 'column':
      return 'ColumnClustered';
    case 'bar':
      return 'BarClustered';
    case 'pie':
      return 'Pie';
    case 'area':
      return 'Area';
  }
}

const FIRST_READ_CELLS = 50_000;

export class OfficeWorkbook implements WorkbookPort {
  private readonly run: ExcelRun;
  private readonly maxRequestBytes: number;
  private readonly maxResponseBytes: number;

  constructor(run?: ExcelRun, options: OfficeWorkbookOptions = {}) {
    this.run = run ?? ((batch) => Excel.run(batch));
    this.maxRequestBytes = options.maxRequestBytes ?? 4_000_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 3_000_000;
  }

  async listSheets(): Promise<string[]> {
    return this.run(async (context) => {
      const sheets = context.workbook.worksheets;
      sheets.load('items/name');
      await context.sync();
      return sheets.items.map((s) => s.name);
    });
  }

  async readSheet(name: string): Promise<Table> {
    return this.run(async (context) => {
      const sheet = context.workbook.worksheets.getItemOrNullObject(name);
      const used = sheet.getUsedRangeOrNullObject(true);
      used.load('rowIndex,columnIndex,rowCount,columnCount');
      await context.sync();
      if (sheet.isNullObject) throw new Error(`There is no sheet named "${name}" in this workbook.`);
      if (used.isNullObject) return { name, header: [], rows: [], firstRowNumber: 2 };
      // Read from column A so a cell's index in the table is its column in the sheet (problems select cells).
      const width = used.columnIndex + used.columnCount;
      const first = used.rowIndex;
      const last = used.rowIndex + used.rowCount; // exclusive
      const values: Cell[][] = [];
      let rowsPerRead = Math.max(1, Math.floor(FIRST_READ_CELLS / width));
      for (let row = first; row < last; ) {
        const n = Math.min(rowsPerRead, last - row);
        const block = sheet.getRangeByIndexes(row, 0, n, width);
        block.load('values');
        await context.sync();
        const got = block.values as Cell[][];
        for (const r of got) values.push(r);
        row += n;
        // Size the next read from what this one weighed, so a response stays under the budget.
        const bytesPerRow = Math.max(1, JSON.stringify(got).length / n);
        rowsPerRead = Math.max(1, Math.floor(this.maxResponseBytes / bytesPerRow));
      }
      return tableFromValues(name, values, first + 1);
    });
  }

  async writeSheet(spec: SheetSpec, options: WriteOptions = {}): Promise<void> {
    if (!isValidSheetName(spec.name))
      throw new Error(`"${spec.name}" cannot be a sheet name: use at most 31 characters and none of : \\ / ? * [ ].`);
    const { onProgress, signal } = options;
    signal?.throwIfAborted();
    const chartColumns = spec.chart ? chartColumnIndexes(spec) : undefined; // fail before writing anything
    const cells = sheetCells(spec);
    const chunks = planChunks(cells, this.maxRequestBytes);
    await this.run(async (context) => {
      const sheets = context.workbook.worksheets;
      let sheet = sheets.getItemOrNullObject(spec.name);
      await context.sync();
      if (sheet.isNullObject) {
        sheet = sheets.add(spec.name);
      } else {
        sheet.charts.load('items/name');
        await context.sync();
        for (const chart of sheet.charts.items) chart.delete();
        sheet.freezePanes.unfreeze();
        sheet.getRange().clear();
      }
      // The clearing above travels with the first chunk.
      for (const chunk of chunks) {
        signal?.throwIfAborted();
        const rows = chunk.end - chunk.start;
        const range = sheet.getRangeByIndexes(chunk.start, 0, rows, cells.width);
        range.numberFormat = cells.numberFormats.slice(chunk.start, chunk.end);
        range.values = cells.values.slice(chunk.start, chunk.end) as unknown[][];
        await context.sync();
        onProgress?.({ sheet: spec.name, rowsWritten: Math.max(0, chunk.end - cells.firstDataIndex), rowsTotal: cells.dataRows });
      }
      signal?.throwIfAborted();
      cells.columnWidths.forEach((w, i) => {
        sheet.getRangeByIndexes(0, i, 1, 1).format.columnWidth = charsToPoints(w);
      });
      if (spec.freezeHeader) sheet.freezePanes.freezeRows(cells.headerRow);
      if (spec.chart && chartColumns) this.addChart(sheet, spec.chart, chartColumns, cells);
      await context.sync();
    });
  }

  async selectCell(sheetName: string, row: number, column: number): Promise<void> {
    await this.run(async (context) => {
      const sheet = context.workbook.worksheets.getItemOrNullObject(sheetName);
      await context.sync();
      if (sheet.isNullObject) throw new Error(`There is no sheet named "${sheetName}" in this workbook.`);
      sheet.activate();
      sheet.getRangeByIndexes(Math.max(0, row - 1), Math.max(0, column - 1), 1, 1).select();
      await context.sync();
    });
  }

  /** One series per value column, categories from the category column; placed right of the table. */
  private addChart(sheet: Excel.Worksheet, chart: ChartSpec, columns: ChartColumns, cells: SheetCells): void {
    if (cells.dataRows === 0 || columns.values.length === 0) return;
    const dataRange = (i: number) => sheet.getRangeByIndexes(cells.firstDataIndex, i, cells.dataRows, 1);
    const categories = dataRange(columns.category);
    const added = sheet.charts.add(chartTypeFor(chart.type), dataRange(columns.values[0]!), 'Columns');
    added.title.text = chart.title;
    const s0 = added.series.getItemAt(0);
    s0.name = chart.valueColumns[0]!;
    s0.setXAxisValues(categories);
    columns.values.slice(1).forEach((i, k) => {
      const s = added.series.add(chart.valueColumns[k + 1]);
      s.setValues(dataRange(i));
      s.setXAxisValues(categories);
    });
    added.setPosition(sheet.getRangeByIndexes(cells.headerRow - 1, cells.width + 1, 1, 1));
  }
}

export interface ChartColumns {
  category: number;
  values: number[];
}

/** Column indexes of a spec's chart; a header the sheet lacks is a programming error, reported before writing. */
export function chartColumnIndexes(spec: SheetSpec): ChartColumns {
  const chart = spec.chart!;
  const col = (header: string): number => {
    const i = spec.columns.findIndex((c) => c.header === header);
    if (i < 0) throw new Error(`The chart "${chart.title}" uses the column ${header}, which sheet ${spec.name} does not have.`);
    return i;
  };
  return { category: col(chart.categoryColumn), values: chart.valueColumns.map(col) };
}
