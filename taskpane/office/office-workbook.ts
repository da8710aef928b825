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
 * A spec's chart (src/workbook/chart-data: the same ranges, series names and place as the .xlsx chart part)
 * is added once the data is in, in the request that also sets widths and freeze panes: one series per
 * value column with the category column as its x values, horizontal bars listed top-down as in the
 * table, a legend only when there is more than one series (or slices).
 *
 * Writing: an existing sheet is cleared in place (keeps its tab position; deleting could fail on the only
 * sheet); rows go in chunks from `planChunks` (each request under 4 MB; Excel rejects 5 MB), number formats set
 * before values in the same request so '@' columns keep 17-digit ids and leading zeros as text; one
 * `context.sync` per chunk, progress after each, cancellation checked between chunks.
 */
import { tableFromValues, type Cell, type Table } from '../../src/kernel/table';
import { planChunks, sheetCells } from '../../src/workbook/cells';
import { chartData, type ChartData } from '../../src/workbook/chart-data';
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
    const chart = chartData(spec); // a chart naming a column the sheet lacks fails before anything is written
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
      if (chart) addChart(sheet, chart);
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
}

/** One series per value column, categories from the category column; placed right of the table. */
function addChart(sheet: Excel.Worksheet, data: ChartData): void {
  const column = (i: number) => sheet.getRangeByIndexes(data.firstDataRow, i, data.rows, 1);
  const categories = column(data.category.column);
  const [first, ...rest] = data.series;
  if (!first) return;
  const added = sheet.charts.add(chartTypeFor(data.chart.type), column(first.column), 'Columns');
  added.title.text = data.chart.title;
  const s0 = added.series.getItemAt(0);
  s0.name = first.name;
  s0.setXAxisValues(categories);
  for (const s of rest) {
    const series = added.series.add(s.name);
    series.setValues(column(s.column));
    series.setXAxisValues(categories);
  }
  if (data.chart.type === 'bar') {
    // First category at the top, as in the table; the value axis then crosses at the far end (bottom).
    added.axes.categoryAxis.reversePlotOrder = true;
    added.axes.categoryAxis.position = 'Maximum';
  }
  added.legend.visible = data.series.length > 1 || data.chart.type === 'pie';
  const a = data.anchor;
  // The end cell is covered whole; the file's anchor ends at the top-left corner of `to`.
  added.setPosition(sheet.getRangeByIndexes(a.fromRow, a.fromColumn, 1, 1), sheet.getRangeByIndexes(a.toRow - 1, a.toColumn - 1, 1, 1));
}
