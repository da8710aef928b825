/**
 * .xlsx files for the CLI and the server (exceljs, Node build).
 *
 * Public API
 * - `readWorkbookTables(pathOrBuffer, { sheets?, dates? })` → `Table[]` in workbook order (or in the order of
 *   `sheets`). Cells as Excel has them: text stays text ('00123' and 17-digit ids stored as text come back as
 *   strings), numbers as numbers, booleans; rich text and hyperlinks flattened to their text, formulas to
 *   their cached result, errors to '#N/A'-style text, empty cells ''. Dates: every date-formatted cell is a
 *   JS Date at UTC by default (`dates: 'serial'` gives Excel serials, as Office.js does). A requested sheet
 *   that is missing is an Error with a sentence naming the sheets the file has.
 * - `ExcelFileWorkbook` (WorkbookPort, in memory): `ExcelFileWorkbook.open(pathOrBuffer, readOptions?)`,
 *   `new ExcelFileWorkbook()`, `save(path)` (written next to the target, then renamed), `toBuffer()`; both
 *   carry the written sheets' charts as native chart parts.
 * - `writeWorkbookFile(path, specs, { onProgress, signal, byteRows })` → `{ path, sheets: [{ name, rows }], charts }`:
 *   exceljs's streaming WorkbookWriter, rows committed as they go (memory stays flat for large outputs); plain
 *   data rows are written as exceljs's own row XML, as bytes, without its per-cell objects (see dataRowWriter); same
 *   values, formats, widths and frozen header as the other hosts. A spec's chart is written into the same
 *   zip stream as a native chart part (see streamingCharts); `charts` names the sheets that carry one. The
 *   file appears only when complete (written as `<path>.part`, renamed); on error or cancel nothing is left
 *   behind.
 */
import { promises as fs } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Cell, Table } from '../../src/kernel/table';
import { columnNumberFormat, sheetWidth } from '../../src/workbook/cells';
import { chartData, type ChartData } from '../../src/workbook/chart-data';
import type { WriteOptions } from '../../src/workbook/port';
import type { SheetSpec } from '../../src/workbook/sheet-spec';
import {
  ExcelJsWorkbookPort,
  findWorksheet,
  frozenHeaderViews,
  sheetNameProblem,
  worksheetToTable,
  writeSpecToWorksheet,
  type ReadOptions,
} from './exceljs-sheets';
import {
  anchorXml,
  CHART_CONTENT_TYPE,
  CHART_REL_TYPE,
  chartPartXml,
  DRAWING_CONTENT_TYPE,
  DRAWING_REL_TYPE,
  drawingElement,
  drawingPartXml,
  relationshipsXml,
  withContentTypeOverrides,
} from './chart-part';
import { ROW_EMPTY, ROW_NOT_PLAIN, RowXmlWriter } from './row-xml';

export interface ReadTablesOptions extends ReadOptions {
  /** Only these sheets (case-insensitive), in this order. Default: every sheet. */
  sheets?: string[];
}

async function loadWorkbook(source: string | Uint8Array | ArrayBuffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  if (typeof source === 'string') {
    await wb.xlsx.readFile(source);
  } else {
    const bytes = source instanceof ArrayBuffer ? Buffer.from(source) : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    await wb.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  }
  return wb;
}

export async function readWorkbookTables(source: string | Uint8Array | ArrayBuffer, options: ReadTablesOptions = {}): Promise<Table[]> {
  const wb = await loadWorkbook(source);
  if (!options.sheets) return wb.worksheets.map((ws) => worksheetToTable(ws, options));
  return options.sheets.map((name) => {
    const ws = findWorksheet(wb, name);
    if (!ws) {
      const file = typeof source === 'string' ? source.split(/[\\/]/).pop() : 'The workbook';
      throw new Error(`${file} has no sheet named "${name}"; its sheets are ${wb.worksheets.map((w) => `"${w.name}"`).join(', ') || 'none'}.`);
    }
    return worksheetToTable(ws, options);
  });
}

async function replaceFile(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${path}.part`;
  try {
    await write(tmp);
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

export class ExcelFileWorkbook extends ExcelJsWorkbookPort {
  static async open(source: string | Uint8Array | ArrayBuffer, readOptions: ReadOptions = {}): Promise<ExcelFileWorkbook> {
    return new ExcelFileWorkbook(await loadWorkbook(source), readOptions);
  }

  constructor(workbook: ExcelJS.Workbook = new ExcelJS.Workbook(), readOptions: ReadOptions = {}) {
    super(workbook, readOptions);
  }

  async save(path: string): Promise<void> {
    const bytes = await this.xlsxBytes();
    await replaceFile(path, (tmp) => fs.writeFile(tmp, bytes));
  }

  async toBuffer(): Promise<Buffer> {
    const bytes = await this.xlsxBytes();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}

/** The parts of exceljs 4's streaming WorksheetWriter that writing a row touches (not in its typings). */
interface SheetWriterInternals {
  _rowZero: number;
  _rows: unknown[] | null;
  startedData: boolean;
  _writeColumns(): void;
  _writeOpenSheetData(): void;
  stream: { write(data: Buffer): unknown; batch?: boolean; pipes?: unknown[] };
}

interface StyleManager {
  addStyleModel(style: object, cellType?: number): number;
}

/**
 * Data rows go into the sheet's stream as bytes from RowXmlWriter (./row-xml: the same bytes exceljs's
 * row writer produces, without its Row, Cells and strings per row). Undefined when this exceljs has
 * another shape, a column has no format, or a preamble is wider than the table; a row RowXmlWriter
 * cannot write (a Date) gets false back and exceljs writes it.
 */
/** Writes one data row from the spec's cells (false: exceljs must write it); `flush` sends rows still held. */
type DataRowWriter = ((cells: readonly Cell[]) => boolean) & { flush(): void };

/** Bytes of rows held before they go to exceljs's stream (it copies them into 64 KB buffers). */
const ROW_BYTES_CHUNK = 1 << 20;

function dataRowWriter(sheet: unknown, workbook: unknown, spec: SheetSpec): DataRowWriter | undefined {
  const ws = sheet as Partial<SheetWriterInternals>;
  const styles = (workbook as { styles?: Partial<StyleManager> }).styles;
  if (
    typeof ws._rowZero !== 'number' ||
    !Array.isArray(ws._rows) ||
    typeof ws.startedData !== 'boolean' ||
    typeof ws._writeColumns !== 'function' ||
    typeof ws._writeOpenSheetData !== 'function' ||
    typeof ws.stream?.write !== 'function' ||
    typeof styles?.addStyleModel !== 'function'
  )
    return undefined;
  const w = ws as SheetWriterInternals;
  const styleManager = styles as StyleManager;
  const width = sheetWidth(spec);
  const formats = spec.columns.map(columnNumberFormat);
  // A column without a format gets a style from each cell's type in exceljs; leave those sheets to it.
  if (formats.length !== width || formats.some((f) => !f)) return undefined;
  let rows: RowXmlWriter | undefined;
  // exceljs's sheet stream copies what it is given into its own buffers at once when it is in batch mode
  // and the zip takes it (always so far): then a view of the writer's reused buffer will do, else a copy.
  // Fewer Buffers made is fewer full collections of a large heap (V8 counts their memory as pressure).
  const send = (bytes: Uint8Array) => {
    const copied = w.stream.batch === true && Array.isArray(w.stream.pipes) && w.stream.pipes.length > 0;
    w.stream.write(copied ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : Buffer.from(bytes));
  };
  const flush = () => {
    if (rows?.pending) send(rows.take());
  };
  const writeRow = (cells: readonly Cell[]): boolean => {
    if ((w._rows as unknown[]).length) return flush(), false;
    // Registered in the order exceljs registers them (row style, then cells left to right): same ids.
    rows ??= new RowXmlWriter(spec, [styleManager.addStyleModel({}), ...formats.map((numFmt) => styleManager.addStyleModel({ numFmt }))].slice(1));
    const done = rows.row(cells, w._rowZero);
    if (done === ROW_NOT_PLAIN) return flush(), false;
    w._rowZero++;
    if (done === ROW_EMPTY) return true; // exceljs writes no row without a value
    if (!w.startedData) {
      // the sheet's opening XML goes before this row, the first of the sheet
      const row = Buffer.from(rows.take());
      w._writeColumns();
      w._writeOpenSheetData();
      w.startedData = true;
      w.stream.write(row);
    }
    if (rows.pending >= ROW_BYTES_CHUNK) flush();
    return true;
  };
  return Object.assign(writeRow, { flush });
}

/** The parts of exceljs 4's streaming writers that adding a chart touches (not in its typings). */
interface ZipInternals {
  zip: { append(source: unknown, options: { name: string }): unknown };
}

interface SheetChartInternals {
  _sheetRelsWriter: { addRelationship(rel: { Type: string; Target: string }): string };
  _writeLegacyData(): void;
  stream: { write(xml: string): unknown };
}

/**
 * Charts written into the streaming writer's own zip as it goes (the reason to stream is not to hold the
 * file in memory, so it is not re-opened afterwards): chart, drawing and drawing-rels parts appended
 * as entries, the drawing relationship added through the sheet's rels writer, `<drawing r:id>` written
 * where the schema wants it (just before the legacy drawing exceljs writes for comments), and the
 * content types patched as exceljs appends them at commit. When this exceljs has another shape it throws,
 * and the part file is removed like on any other failure.
 */
function streamingCharts(workbook: unknown): (sheet: unknown, chart: ChartData) => void {
  const wb = workbook as Partial<ZipInternals>;
  if (typeof wb.zip?.append !== 'function') throw new Error('This exceljs version cannot take charts into its streaming writer.');
  const zip = wb.zip;
  const append = zip.append.bind(zip);
  const overrides: { partName: string; contentType: string }[] = [];
  zip.append = (source, options) => append(options?.name === '[Content_Types].xml' ? withContentTypeOverrides(String(source), overrides) : source, options);
  let n = 0;
  return (sheet, chart) => {
    const ws = sheet as Partial<SheetChartInternals>;
    if (typeof ws._sheetRelsWriter?.addRelationship !== 'function' || typeof ws._writeLegacyData !== 'function' || typeof ws.stream?.write !== 'function')
      throw new Error('This exceljs version cannot take charts into its streaming writer.');
    const w = ws as SheetChartInternals;
    n++;
    append(chartPartXml(chart), { name: `xl/charts/chart${n}.xml` });
    append(drawingPartXml([anchorXml(chart, 'rId1', 2)]), { name: `xl/drawings/drawing${n}.xml` });
    append(relationshipsXml([{ id: 'rId1', type: CHART_REL_TYPE, target: `../charts/chart${n}.xml` }]), { name: `xl/drawings/_rels/drawing${n}.xml.rels` });
    overrides.push(
      { partName: `/xl/charts/chart${n}.xml`, contentType: CHART_CONTENT_TYPE },
      { partName: `/xl/drawings/drawing${n}.xml`, contentType: DRAWING_CONTENT_TYPE },
    );
    const rId = w._sheetRelsWriter.addRelationship({ Type: DRAWING_REL_TYPE, Target: `../drawings/drawing${n}.xml` });
    const writeLegacyData = w._writeLegacyData.bind(w);
    w._writeLegacyData = () => {
      w.stream.write(drawingElement(rId));
      writeLegacyData();
    };
  };
}

export interface WrittenWorkbook {
  path: string;
  sheets: { name: string; rows: number }[];
  /** Sheets that carry a native chart. */
  charts: string[];
}

/** Bytes of a sheet's XML the zip may have waiting before the writer waits for it. */
const ZIP_BACKLOG = 8 << 20;

/**
 * Resolves once the zip holds at most ZIP_BACKLOG bytes of the sheet's XML not yet compressed.
 * exceljs's sheet stream takes every write (it has no backpressure) and hands it to the zip's entry
 * stream, which buffers it until deflate catches up: rows written faster than they are deflated were
 * all held in memory (hundreds of MB on a 500k-row sheet).
 */
async function zipCaughtUp(sheet: unknown): Promise<void> {
  const pipes = (sheet as { stream?: { pipes?: unknown } }).stream?.pipes;
  if (!Array.isArray(pipes)) return;
  // the entry stream is archiver's PassThrough (readable-stream 2: no writableLength): bytes waiting on either side of it
  type Entry = {
    _writableState?: { length?: number };
    _readableState?: { length?: number; ended?: boolean };
    destroyed?: boolean;
    once(event: string, listener: () => void): unknown;
    off(event: string, listener: () => void): unknown;
  };
  const waiting = (p: Entry) => (p._writableState?.length ?? 0) + (p._readableState?.length ?? 0);
  for (const p of pipes as Entry[]) while (waiting(p) > ZIP_BACKLOG && !p.destroyed) await drained(p);
}

/**
 * Until the entry stream says it drained (its write buffer emptied: deflate took the backlog), or it
 * closed or failed. The 50 ms timer only guards against a stream that would never say so; a 'data'
 * listener is never added (it would set a stream the zip has not piped yet flowing, and lose data).
 */
function drained(p: { once(event: string, listener: () => void): unknown; off(event: string, listener: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const e of ['drain', 'close', 'error']) p.off(e, done);
      resolve();
    };
    const timer = setTimeout(done, 50);
    for (const e of ['drain', 'close', 'error']) p.once(e, done);
  });
}

export interface WorkbookFileOptions extends WriteOptions {
  /** false: every row goes through exceljs's own row writer (the reference the byte rows are tested against). */
  byteRows?: boolean;
}

export async function writeWorkbookFile(path: string, specs: readonly SheetSpec[], options: WorkbookFileOptions = {}): Promise<WrittenWorkbook> {
  const seen = new Set<string>();
  for (const spec of specs) {
    const bad = sheetNameProblem(spec.name);
    if (bad) throw new Error(bad);
    if (seen.has(spec.name.toLowerCase())) throw new Error(`Two sheets are named "${spec.name}"; sheet names must differ.`);
    seen.add(spec.name.toLowerCase());
  }
  const charts = specs.map(chartData); // a chart naming a column its sheet lacks fails before writing
  options.signal?.throwIfAborted();
  const result: WrittenWorkbook = { path, sheets: [], charts: [] };
  await replaceFile(path, async (tmp) => {
    // Deflate level 1 (also the zip library's default, stated here as the choice): on a 550 MB sheet of
    // VRET's Analysis it takes 1.1 s for 65 MB, level 6 takes 9 s for 52 MB; storing (level 0) would make
    // a file eight times larger. No shared strings: a table of every distinct text held until the end
    // would cost memory on the large sheets, and the cells read back the same.
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: tmp, useStyles: true, useSharedStrings: false, zip: { zlib: { level: 1 } } });
    let failure: unknown;
    try {
      const addChart = charts.some(Boolean) ? streamingCharts(wb) : undefined;
      for (const [i, spec] of specs.entries()) {
        const ws = wb.addWorksheet(spec.name, { views: frozenHeaderViews(spec) });
        const writeDataRow = options.byteRows === false ? undefined : dataRowWriter(ws, wb, spec);
        const rows = await writeSpecToWorksheet(ws as unknown as ExcelJS.Worksheet, spec, { ...options, commitRows: true, writeDataRow, caughtUp: () => zipCaughtUp(ws) });
        writeDataRow?.flush();
        const chart = charts[i];
        if (chart && addChart) {
          addChart(ws, chart);
          result.charts.push(spec.name);
        }
        ws.commit();
        result.sheets.push({ name: spec.name, rows });
      }
    } catch (e) {
      failure = e;
    }
    await wb.commit(); // also on failure: closes the file stream before the part file is removed
    if (failure) throw failure;
  });
  return result;
}
