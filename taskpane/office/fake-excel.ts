/**
 * A small fake of the Excel JavaScript API subset OfficeWorkbook uses, for tests in node (no DOM).
 * (Over 400 lines: one strict stand-in per Office.js object the port touches, each keeping Office's rules.)
 * It keeps the three rules that make real Office.js code go wrong when ignored:
 *  1. load before read: reading a property that was not `load`ed and `sync`ed throws PropertyNotLoaded
 *     (and `isNullObject` is known only after a sync);
 *  2. writes are queued and applied only at `context.sync()`, in order (loads snapshot at their place in
 *     the queue, so a load queued after a write sees it);
 *  3. a request whose queued payload exceeds 5 MB is rejected whole (RequestPayloadSizeLimitExceeded), and
 *     a response over 5 MB too (ResponsePayloadSizeLimitExceeded).
 * Like Excel, a string written into a cell whose number format is not '@' and that looks like a number
 * becomes a number with 15 significant digits ('00042' → 42, a 17-digit id loses its last digits).
 *
 * Public API
 * - `createFakeWorkbook(sheets?: Record<name, Cell[][]>, limits?)` → `FakeWorkbookState` (inspect `sheets`,
 *   `syncs`, `requestBytes` per sync, `responseBytes`, `selection`, `activeSheet`, `unsyncedActions`).
 * - `fakeExcelRun(state)`: usable as `Excel.run` (`ExcelRun` of ./office-workbook).
 * - `FakeOfficeError` with `code` as Office's (`PropertyNotLoaded`, `RequestPayloadSizeLimitExceeded`,
 *   `ResponsePayloadSizeLimitExceeded`, `ItemNotFound`, `ItemAlreadyExists`, `InvalidArgument`).
 * - `sheetValues(state, name)`: the stored values as a rectangle (for assertions).
 * Charts: `worksheet.charts.add(type, range, seriesBy)` takes only Excel.ChartType names and ChartSeriesBy
 * values; series names, values and x values, title text, `legend.visible`, the category axis's
 * `reversePlotOrder` and `position`, and `setPosition(start, end?)` (cells of the chart's own sheet) are
 * recorded in `FakeChartState`; every setter is write-only, as unloaded properties are in Office.
 */
import type { Cell } from '../../src/kernel/table';
import type { ExcelRun } from './office-workbook';

export const MAX_ROWS = 1_048_576;
export const MAX_COLUMNS = 16_384;

export interface FakeChartState {
  name: string;
  type: string;
  title: string;
  series: { name: string; values?: RangeRef; xValues?: RangeRef }[];
  /** Top-left cell, and the cell the chart covers last when an end cell was given. */
  position?: RangeRef;
  positionEnd?: RangeRef;
  legendVisible: boolean;
  categoryAxis: { reversePlotOrder: boolean; position: string };
  /** The number of the sync (`state.syncs`) that created the chart. */
  addedAtSync: number;
}

export interface FakeSheetState {
  name: string;
  /** Sparse rows of stored values; '' or undefined = empty. */
  values: Cell[][];
  formats: string[][];
  frozenRows: number;
  /** Column index → width in points. */
  columnWidths: Record<number, number>;
  charts: FakeChartState[];
}

export interface FakeWorkbookState {
  sheets: FakeSheetState[];
  activeSheet?: string;
  selection?: { sheet: string; row: number; column: number };
  syncs: number;
  requestBytes: number[];
  responseBytes: number[];
  /** Actions left queued when a batch function returned without syncing them (a bug in the caller). */
  unsyncedActions: number;
  maxRequestBytes: number;
  maxResponseBytes: number;
}

export interface RangeRef {
  sheet: string;
  row: number;
  column: number;
  rows: number;
  columns: number;
}

export class FakeOfficeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RichApi.Error';
  }
}

export function createFakeWorkbook(
  sheets: Record<string, Cell[][]> = { Sheet1: [] },
  limits: { maxRequestBytes?: number; maxResponseBytes?: number } = {},
): FakeWorkbookState {
  return {
    sheets: Object.entries(sheets).map(([name, values]) => ({
      name,
      values: values.map((r) => r.slice()),
      formats: [],
      frozenRows: 0,
      columnWidths: {},
      charts: [],
    })),
    syncs: 0,
    requestBytes: [],
    responseBytes: [],
    unsyncedActions: 0,
    maxRequestBytes: limits.maxRequestBytes ?? 5_000_000,
    maxResponseBytes: limits.maxResponseBytes ?? 5_000_000,
  };
}

/** Stored values of a sheet as a rectangle from A1 to the last used cell, empty cells ''. */
export function sheetValues(state: FakeWorkbookState, name: string): Cell[][] {
  const sheet = state.sheets.find((s) => s.name === name);
  if (!sheet) throw new Error(`no sheet ${name}`);
  const used = usedBox(sheet, true);
  if (!used) return [];
  const out: Cell[][] = [];
  for (let r = 0; r < used.row + used.rows; r++) {
    const row: Cell[] = [];
    for (let c = 0; c < used.column + used.columns; c++) row.push(sheet.values[r]?.[c] ?? '');
    out.push(row);
  }
  return out;
}

function isEmpty(v: Cell | undefined): boolean {
  return v === undefined || v === null || v === '';
}

function usedBox(sheet: FakeSheetState, valuesOnly: boolean): Omit<RangeRef, 'sheet'> | null {
  let top = Infinity;
  let left = Infinity;
  let bottom = -1;
  let right = -1;
  const visit = (grid: unknown[][], empty: (v: unknown) => boolean) => {
    grid.forEach((row, r) => {
      if (!row) return;
      row.forEach((v, c) => {
        if (empty(v)) return;
        top = Math.min(top, r);
        bottom = Math.max(bottom, r);
        left = Math.min(left, c);
        right = Math.max(right, c);
      });
    });
  };
  visit(sheet.values, (v) => isEmpty(v as Cell));
  if (!valuesOnly) visit(sheet.formats, (v) => v === undefined || v === 'General');
  if (bottom < 0) return null;
  return { row: top, column: left, rows: bottom - top + 1, columns: right - left + 1 };
}

const encoder = new TextEncoder();
function jsonBytes(v: unknown): number {
  return encoder.encode(JSON.stringify(v) ?? '').length;
}

/** Excel's reading of a typed-in string when the cell is not text-formatted. */
function excelCoerce(value: Cell, format: string): Cell {
  if (typeof value !== 'string' || format === '@') return value;
  const t = value.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(Number(t).toPrecision(15));
  return value;
}

interface Action {
  bytes: number;
  apply(): void;
}

function parseProps(props?: string | string[]): string[] {
  if (props === undefined) return [];
  const list = Array.isArray(props) ? props : props.split(',');
  return list.map((p) => p.trim()).filter(Boolean);
}

class FakeContext {
  readonly workbook: { worksheets: FakeWorksheetCollection };
  private queue: Action[] = [];
  constructor(readonly state: FakeWorkbookState) {
    this.workbook = { worksheets: new FakeWorksheetCollection(this) };
  }

  enqueue(bytes: number, apply: () => void): void {
    this.queue.push({ bytes: bytes + 40, apply }); // 40: the action's own envelope (ids, type)
  }

  get pending(): number {
    return this.queue.length;
  }

  responseBytes = 0;

  async sync(): Promise<void> {
    const actions = this.queue;
    this.queue = [];
    const bytes = actions.reduce((n, a) => n + a.bytes, 0);
    this.state.syncs++;
    this.state.requestBytes.push(bytes);
    if (bytes > this.state.maxRequestBytes)
      throw new FakeOfficeError(
        'RequestPayloadSizeLimitExceeded',
        `The request payload size has exceeded the limit (${bytes} bytes > ${this.state.maxRequestBytes}).`,
      );
    this.responseBytes = 0;
    for (const a of actions) a.apply();
    this.state.responseBytes.push(this.responseBytes);
    if (this.responseBytes > this.state.maxResponseBytes)
      throw new FakeOfficeError('ResponsePayloadSizeLimitExceeded', `The response payload size has exceeded the limit.`);
  }
}

/** Base of every proxy: properties readable only after load + sync. */
abstract class FakeObject {
  protected loaded = new Map<string, unknown>();
  private nullKnown: boolean | undefined;
  constructor(protected readonly ctx: FakeContext) {}

  protected read<T>(prop: string): T {
    if (!this.loaded.has(prop))
      throw new FakeOfficeError(
        'PropertyNotLoaded',
        `The property '${prop}' is not available. Before reading the property's value, call the load method on the containing object and call "context.sync()" on the associated request context.`,
      );
    return this.loaded.get(prop) as T;
  }

  protected setNullKnown(isNull: boolean): void {
    this.nullKnown = isNull;
  }

  get isNullObject(): boolean {
    if (this.nullKnown === undefined)
      throw new FakeOfficeError('PropertyNotLoaded', `The property 'isNullObject' is not available before context.sync().`);
    return this.nullKnown;
  }

  /** Value of a property at the time the queued load runs. */
  protected abstract snapshot(prop: string): unknown;

  load(props?: string | string[]): this {
    const names = parseProps(props);
    this.ctx.enqueue(jsonBytes(names), () => {
      if (this.nullKnown === true) return; // loading on a null object yields nothing, as in Office
      for (const p of names) {
        const v = this.snapshot(p);
        this.loaded.set(p.split('/')[0]!, v);
        this.ctx.responseBytes += Array.isArray(v) && v[0] instanceof FakeObject ? v.length * 50 : jsonBytes(v);
      }
    });
    return this;
  }
}

class FakeWorksheetCollection extends FakeObject {
  protected snapshot(prop: string): unknown {
    if (prop === 'items' || prop.startsWith('items/'))
      return this.ctx.state.sheets.map((s) => FakeWorksheet.resolved(this.ctx, s));
    throw new FakeOfficeError('InvalidArgument', `The fake has no property ${prop} on worksheets.`);
  }

  get items(): FakeWorksheet[] {
    return this.read('items');
  }

  getItemOrNullObject(name: string): FakeWorksheet {
    const sheet = new FakeWorksheet(this.ctx);
    this.ctx.enqueue(jsonBytes(name), () => sheet.bind(this.find(name) ?? null));
    return sheet;
  }

  getItem(name: string): FakeWorksheet {
    const sheet = new FakeWorksheet(this.ctx);
    this.ctx.enqueue(jsonBytes(name), () => {
      const s = this.find(name);
      if (!s) throw new FakeOfficeError('ItemNotFound', `The requested resource doesn't exist.`);
      sheet.bind(s);
    });
    return sheet;
  }

  add(name: string): FakeWorksheet {
    const sheet = new FakeWorksheet(this.ctx);
    this.ctx.enqueue(jsonBytes(name), () => {
      if (this.find(name)) throw new FakeOfficeError('ItemAlreadyExists', `A sheet named ${name} already exists.`);
      const s: FakeSheetState = { name, values: [], formats: [], frozenRows: 0, columnWidths: {}, charts: [] };
      this.ctx.state.sheets.push(s);
      sheet.bind(s);
    });
    return sheet;
  }

  private find(name: string): FakeSheetState | undefined {
    return this.ctx.state.sheets.find((s) => s.name.toLowerCase() === name.toLowerCase());
  }
}

class FakeWorksheet extends FakeObject {
  /** undefined until the action that finds or creates the sheet has run. */
  target: FakeSheetState | null | undefined;
  readonly freezePanes: { freezeRows(count: number): void; unfreeze(): void };
  readonly charts: FakeChartCollection;

  constructor(ctx: FakeContext) {
    super(ctx);
    this.freezePanes = {
      freezeRows: (count: number) => this.ctx.enqueue(8, () => void (this.sheet().frozenRows = count)),
      unfreeze: () => this.ctx.enqueue(8, () => void (this.sheet().frozenRows = 0)),
    };
    this.charts = new FakeChartCollection(ctx, this);
  }

  static resolved(ctx: FakeContext, s: FakeSheetState): FakeWorksheet {
    const w = new FakeWorksheet(ctx);
    w.bind(s);
    w.loaded.set('name', s.name);
    return w;
  }

  bind(s: FakeSheetState | null): void {
    this.target = s;
    this.setNullKnown(s === null);
  }

  /** The sheet when an action runs; a null or unresolved sheet fails like Office. */
  sheet(): FakeSheetState {
    if (!this.target) throw new FakeOfficeError('ItemNotFound', `The requested resource doesn't exist.`);
    return this.target;
  }

  protected snapshot(prop: string): unknown {
    if (prop === 'name') return this.sheet().name;
    throw new FakeOfficeError('InvalidArgument', `The fake has no property ${prop} on a worksheet.`);
  }

  get name(): string {
    return this.read('name');
  }

  activate(): void {
    this.ctx.enqueue(8, () => void (this.ctx.state.activeSheet = this.sheet().name));
  }

  getRange(address?: string): FakeRange {
    if (address !== undefined) throw new Error('The fake supports getRange() for the whole sheet only.');
    return new FakeRange(this.ctx, this, () => ({ row: 0, column: 0, rows: MAX_ROWS, columns: MAX_COLUMNS }));
  }

  getRangeByIndexes(startRow: number, startColumn: number, rowCount: number, columnCount: number): FakeRange {
    return new FakeRange(this.ctx, this, () => {
      if (startRow < 0 || startColumn < 0 || rowCount < 1 || columnCount < 1 || startRow + rowCount > MAX_ROWS || startColumn + columnCount > MAX_COLUMNS)
        throw new FakeOfficeError('InvalidArgument', 'The argument is invalid or missing or has an incorrect format.');
      return { row: startRow, column: startColumn, rows: rowCount, columns: columnCount };
    });
  }

  getUsedRangeOrNullObject(valuesOnly = false): FakeRange {
    const range = new FakeRange(this.ctx, this, () => {
      const box = usedBox(this.sheet(), valuesOnly);
      if (!box) throw new FakeOfficeError('ItemNotFound', 'The used range is empty.');
      return box;
    });
    this.ctx.enqueue(8, () => {
      const box = this.target ? usedBox(this.target, valuesOnly) : null;
      range.fix(box);
    });
    return range;
  }
}

class FakeRange extends FakeObject {
  private box: Omit<RangeRef, 'sheet'> | null | undefined;
  readonly format: { columnWidth: number };

  constructor(
    ctx: FakeContext,
    private readonly parent: FakeWorksheet,
    private readonly locate: () => Omit<RangeRef, 'sheet'>,
  ) {
    super(ctx);
    const self = this;
    this.format = {
      set columnWidth(points: number) {
        self.ctx.enqueue(16, () => {
          const b = self.where();
          for (let c = b.column; c < b.column + b.columns; c++) self.parent.sheet().columnWidths[c] = points;
        });
      },
      get columnWidth(): number {
        throw new FakeOfficeError('PropertyNotLoaded', `The property 'columnWidth' is not available.`);
      },
    };
  }

  /** For ranges whose extent is computed at sync (used range); null = a null object. */
  fix(box: Omit<RangeRef, 'sheet'> | null): void {
    this.box = box;
    this.setNullKnown(box === null);
  }

  ref(): RangeRef {
    return { sheet: this.parent.sheet().name, ...this.where() };
  }

  private where(): Omit<RangeRef, 'sheet'> {
    if (this.box === null) throw new FakeOfficeError('ItemNotFound', 'The range is a null object.');
    return this.box ?? this.locate();
  }

  protected snapshot(prop: string): unknown {
    const b = this.where();
    const sheet = this.parent.sheet();
    switch (prop) {
      case 'rowIndex':
        return b.row;
      case 'columnIndex':
        return b.column;
      case 'rowCount':
        return b.rows;
      case 'columnCount':
        return b.columns;
      case 'values':
      case 'numberFormat': {
        const out: unknown[][] = [];
        for (let r = b.row; r < b.row + b.rows; r++) {
          const row: unknown[] = [];
          for (let c = b.column; c < b.column + b.columns; c++)
            row.push(prop === 'values' ? (sheet.values[r]?.[c] ?? '') : (sheet.formats[r]?.[c] ?? 'General'));
          out.push(row);
        }
        return out;
      }
    }
    throw new FakeOfficeError('InvalidArgument', `The fake has no property ${prop} on a range.`);
  }

  get rowIndex(): number {
    return this.read('rowIndex');
  }
  get columnIndex(): number {
    return this.read('columnIndex');
  }
  get rowCount(): number {
    return this.read('rowCount');
  }
  get columnCount(): number {
    return this.read('columnCount');
  }
  get values(): Cell[][] {
    return this.read('values');
  }
  set values(v: Cell[][]) {
    this.write('values', v);
  }
  get numberFormat(): string[][] {
    return this.read('numberFormat');
  }
  set numberFormat(v: string[][]) {
    this.write('numberFormat', v);
  }

  private write(prop: 'values' | 'numberFormat', grid: unknown[][]): void {
    // Office serialises the grid into the request now; later changes to the caller's array do not count.
    const copy = grid.map((r) => r.slice());
    this.ctx.enqueue(jsonBytes(copy), () => {
      const b = this.where();
      if (copy.length !== b.rows || copy.some((r) => r.length !== b.columns))
        throw new FakeOfficeError('InvalidArgument', `The number of rows or columns in the input array doesn't match the size or dimensions of the range.`);
      const sheet = this.parent.sheet();
      for (let i = 0; i < b.rows; i++) {
        const r = b.row + i;
        const vrow = (sheet.values[r] ??= []);
        const frow = (sheet.formats[r] ??= []);
        for (let j = 0; j < b.columns; j++) {
          const c = b.column + j;
          const v = copy[i]![j];
          if (v === null || v === undefined) continue; // null leaves the cell unchanged
          if (prop === 'numberFormat') {
            if (typeof v !== 'string') throw new FakeOfficeError('InvalidArgument', 'A number format must be text.');
            frow[c] = v;
          } else {
            if (typeof v === 'object') throw new FakeOfficeError('InvalidArgument', 'A cell value must be a number, text or boolean.');
            vrow[c] = excelCoerce(v as Cell, frow[c] ?? 'General');
          }
        }
      }
    });
  }

  clear(): void {
    this.ctx.enqueue(8, () => {
      const b = this.where();
      const sheet = this.parent.sheet();
      for (let r = b.row; r < Math.min(b.row + b.rows, Math.max(sheet.values.length, sheet.formats.length)); r++) {
        for (const grid of [sheet.values, sheet.formats] as unknown[][][]) {
          const row = grid[r];
          if (!row) continue;
          for (let c = b.column; c < Math.min(b.column + b.columns, row.length); c++) delete row[c];
        }
      }
    });
  }

  select(): void {
    this.ctx.enqueue(8, () => {
      const b = this.where();
      this.ctx.state.selection = { sheet: this.parent.sheet().name, row: b.row + 1, column: b.column + 1 };
    });
  }
}

/** Excel.ChartType values (Office.js rejects any other name). */
const CHART_TYPES = new Set(
  (
    'ColumnClustered ColumnStacked ColumnStacked100 3DColumnClustered 3DColumnStacked 3DColumnStacked100 BarClustered BarStacked ' +
    'BarStacked100 3DBarClustered 3DBarStacked 3DBarStacked100 LineStacked LineStacked100 LineMarkers LineMarkersStacked ' +
    'LineMarkersStacked100 PieOfPie PieExploded 3DPieExploded BarOfPie XYScatterSmooth XYScatterSmoothNoMarkers XYScatterLines ' +
    'XYScatterLinesNoMarkers AreaStacked AreaStacked100 3DAreaStacked 3DAreaStacked100 DoughnutExploded RadarMarkers RadarFilled ' +
    'Surface SurfaceWireframe SurfaceTopView SurfaceTopViewWireframe Bubble Bubble3DEffect StockHLC StockOHLC StockVHLC StockVOHLC ' +
    '3DColumn Line 3DLine 3DPie Pie XYScatter 3DArea Area Doughnut Radar Histogram Boxwhisker Pareto RegionMap Treemap Waterfall ' +
    'Sunburst Funnel'
  ).split(' '),
);
const SERIES_BY = new Set(['Auto', 'Columns', 'Rows']);
const AXIS_POSITIONS = new Set(['Automatic', 'Maximum', 'Minimum', 'Custom']);

/** A write-only property, as an unloaded property is in Office: setting queues the change, reading throws. */
function writeOnly<T extends object>(target: T, prop: string, set: (value: never) => void): T {
  Object.defineProperty(target, prop, {
    set,
    get() {
      throw new FakeOfficeError('PropertyNotLoaded', `The property '${prop}' is not available.`);
    },
    enumerable: true,
  });
  return target;
}

class FakeChartCollection extends FakeObject {
  constructor(
    ctx: FakeContext,
    private readonly parent: FakeWorksheet,
  ) {
    super(ctx);
  }

  protected snapshot(prop: string): unknown {
    if (prop === 'items' || prop.startsWith('items/'))
      return this.parent.sheet().charts.map((c) => {
        const chart = new FakeChart(this.ctx, this.parent);
        chart.target = c;
        return chart;
      });
    throw new FakeOfficeError('InvalidArgument', `The fake has no property ${prop} on charts.`);
  }

  get items(): FakeChart[] {
    return this.read('items');
  }

  add(type: string, sourceData: FakeRange, seriesBy?: string): FakeChart {
    const chart = new FakeChart(this.ctx, this.parent);
    this.ctx.enqueue(jsonBytes([type, seriesBy]), () => {
      if (!CHART_TYPES.has(type) || (seriesBy !== undefined && !SERIES_BY.has(seriesBy)))
        throw new FakeOfficeError('InvalidArgument', 'The argument is invalid or missing or has an incorrect format.');
      const sheet = this.parent.sheet();
      const c: FakeChartState = {
        name: `Chart ${sheet.charts.length + 1}`,
        type,
        title: '',
        series: [{ name: 'Series1', values: sourceData.ref() }],
        legendVisible: true,
        categoryAxis: { reversePlotOrder: false, position: 'Automatic' },
        addedAtSync: this.ctx.state.syncs,
      };
      sheet.charts.push(c);
      chart.target = c;
    });
    return chart;
  }
}

class FakeChart extends FakeObject {
  target: FakeChartState | undefined;
  readonly title: { text: string };
  readonly series: { getItemAt(i: number): FakeSeries; add(name?: string): FakeSeries };
  readonly legend: { visible: boolean };
  readonly axes: { categoryAxis: { reversePlotOrder: boolean; position: string } };

  constructor(
    ctx: FakeContext,
    private readonly parent: FakeWorksheet,
  ) {
    super(ctx);
    const self = this;
    this.title = {
      set text(t: string) {
        self.ctx.enqueue(jsonBytes(t), () => void (self.chart().title = t));
      },
      get text(): string {
        throw new FakeOfficeError('PropertyNotLoaded', `The property 'text' is not available.`);
      },
    };
    this.legend = writeOnly({} as { visible: boolean }, 'visible', (v: boolean) =>
      this.ctx.enqueue(8, () => {
        if (typeof v !== 'boolean') throw new FakeOfficeError('InvalidArgument', 'legend.visible must be true or false.');
        this.chart().legendVisible = v;
      }),
    );
    const categoryAxis = {} as { reversePlotOrder: boolean; position: string };
    writeOnly(categoryAxis, 'reversePlotOrder', (v: boolean) =>
      this.ctx.enqueue(8, () => {
        if (typeof v !== 'boolean') throw new FakeOfficeError('InvalidArgument', 'reversePlotOrder must be true or false.');
        this.chart().categoryAxis.reversePlotOrder = v;
      }),
    );
    writeOnly(categoryAxis, 'position', (v: string) =>
      this.ctx.enqueue(jsonBytes(v), () => {
        if (!AXIS_POSITIONS.has(v)) throw new FakeOfficeError('InvalidArgument', `${String(v)} is not an axis position.`);
        this.chart().categoryAxis.position = v;
      }),
    );
    this.axes = { categoryAxis };
    this.series = {
      getItemAt: (i: number) => new FakeSeries(ctx, () => {
        const s = this.chart().series[i];
        if (!s) throw new FakeOfficeError('ItemNotFound', 'No such series.');
        return s;
      }),
      add: (name?: string) => {
        let made: FakeChartState['series'][number] | undefined;
        this.ctx.enqueue(jsonBytes(name ?? ''), () => {
          made = { name: name ?? `Series${this.chart().series.length + 1}` };
          this.chart().series.push(made);
        });
        return new FakeSeries(ctx, () => made!);
      },
    };
  }

  chart(): FakeChartState {
    if (!this.target) throw new FakeOfficeError('ItemNotFound', 'The chart does not exist.');
    return this.target;
  }

  protected snapshot(prop: string): unknown {
    if (prop === 'name') return this.chart().name;
    throw new FakeOfficeError('InvalidArgument', `The fake has no property ${prop} on a chart.`);
  }

  get name(): string {
    return this.read('name');
  }

  delete(): void {
    this.ctx.enqueue(8, () => {
      const charts = this.parent.sheet().charts;
      const i = charts.indexOf(this.chart());
      if (i >= 0) charts.splice(i, 1);
    });
  }

  setPosition(startCell: FakeRange, endCell?: FakeRange): void {
    this.ctx.enqueue(32, () => {
      const sheet = this.parent.sheet().name;
      const start = startCell.ref();
      const end = endCell?.ref();
      if (start.sheet !== sheet || (end && end.sheet !== sheet))
        throw new FakeOfficeError('InvalidArgument', 'A chart is placed on cells of its own sheet.');
      if (end && (end.row < start.row || end.column < start.column))
        throw new FakeOfficeError('InvalidArgument', 'The end cell of a chart lies above or left of its start cell.');
      this.chart().position = start;
      this.chart().positionEnd = end;
    });
  }
}

class FakeSeries {
  constructor(
    private readonly ctx: FakeContext,
    private readonly target: () => FakeChartState['series'][number],
  ) {}
  set name(n: string) {
    this.ctx.enqueue(jsonBytes(n), () => void (this.target().name = n));
  }
  get name(): string {
    throw new FakeOfficeError('PropertyNotLoaded', `The property 'name' is not available.`);
  }
  setValues(r: FakeRange): void {
    this.ctx.enqueue(16, () => void (this.target().values = r.ref()));
  }
  setXAxisValues(r: FakeRange): void {
    this.ctx.enqueue(16, () => void (this.target().xValues = r.ref()));
  }
}

/** `Excel.run` over the fake. Unlike a forgiving host it does not flush what the batch left unsynced:
 *  it counts it in `state.unsyncedActions`, so a test can prove the code syncs its own work. */
export function fakeExcelRun(state: FakeWorkbookState): ExcelRun {
  const run = async <T>(batch: (context: never) => Promise<T>): Promise<T> => {
    const ctx = new FakeContext(state);
    const result = await batch(ctx as never);
    state.unsyncedActions += ctx.pending;
    return result;
  };
  return run as unknown as ExcelRun;
}
