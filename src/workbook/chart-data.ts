/**
 * A sheet's chart as data, shared by every host that draws a SheetSpec's chart (Office.js, the .xlsx
 * chart part, the pane's preview): which cells its categories and series sit in, the values they hold
 * there (as the sheet stores them: money as decimals, dates as serials) and where the chart goes
 * (beside the table, level with its header), so the three draw the same chart in the same place.
 *
 * Public API
 * - `chartColumnIndexes(spec)` → `{ category, values }` column indexes; a header the sheet lacks is a
 *   programming error, thrown before anything is written.
 * - `chartData(spec)` → `ChartData`, or undefined when the spec has no chart, no data rows or no series.
 * - `CHART_SIZE`: the cells a chart covers (columns × rows).
 */
import { excelSerialToIso } from '../kernel/dates';
import type { Cell } from '../kernel/table';
import { cellValue, columnNumberFormat, sheetWidth } from './cells';
import type { ChartSpec, SheetSpec } from './sheet-spec';

export interface ChartColumns {
  category: number;
  values: number[];
}

export function chartColumnIndexes(spec: SheetSpec): ChartColumns {
  const chart = spec.chart;
  if (!chart) throw new Error(`Sheet ${spec.name} has no chart.`);
  const col = (header: string): number => {
    const i = spec.columns.findIndex((c) => c.header === header);
    if (i < 0) throw new Error(`The chart "${chart.title}" uses the column ${header}, which sheet ${spec.name} does not have.`);
    return i;
  };
  return { category: col(chart.categoryColumn), values: chart.valueColumns.map(col) };
}

/** Columns × rows of cells a chart covers: about 520 × 360 px at Excel's default cell size. */
export const CHART_SIZE = { columns: 8, rows: 18 } as const;

export interface ChartSeriesData {
  /** The value column's header (the series name; the chart takes it from the header cell). */
  name: string;
  /** 0-based sheet column. */
  column: number;
  /** One value per data row; null where the cell holds no number (a gap in the chart). */
  values: (number | null)[];
  numberFormat: string;
}

export interface ChartData {
  sheet: string;
  chart: ChartSpec;
  /** 0-based sheet row of the table header; data rows follow it. */
  headerRow: number;
  /** 0-based sheet row of the first data row. */
  firstDataRow: number;
  rows: number;
  category: {
    column: number;
    /** As stored in the sheet: text, or a number (dates as serials). */
    values: Cell[];
    /** As a person reads them (dates as yyyy-mm-dd). */
    labels: string[];
    numberFormat: string;
  };
  series: ChartSeriesData[];
  /** 0-based cells of the chart's top-left and bottom-right corners. */
  anchor: { fromColumn: number; fromRow: number; toColumn: number; toRow: number };
}

function label(value: Cell, type: string): string {
  if (value === null) return '';
  if (typeof value === 'number' && (type === 'date' || type === 'datetime')) {
    const iso = excelSerialToIso(value);
    return type === 'date' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  }
  return value instanceof Date ? value.toISOString() : String(value);
}

export function chartData(spec: SheetSpec): ChartData | undefined {
  const chart = spec.chart;
  if (!chart) return undefined;
  const columns = chartColumnIndexes(spec);
  if (spec.rows.length === 0 || columns.values.length === 0) return undefined;
  const headerRow = spec.preamble?.length ?? 0;
  const categoryColumn = spec.columns[columns.category]!;
  const categories = spec.rows.map((r) => cellValue(r[columns.category], categoryColumn));
  const fromColumn = sheetWidth(spec) + 1; // one empty column between the table and the chart
  return {
    sheet: spec.name,
    chart,
    headerRow,
    firstDataRow: headerRow + 1,
    rows: spec.rows.length,
    category: {
      column: columns.category,
      values: categories,
      labels: categories.map((v) => label(v, categoryColumn.type)),
      numberFormat: columnNumberFormat(categoryColumn),
    },
    series: columns.values.map((i) => {
      const column = spec.columns[i]!;
      return {
        name: column.header,
        column: i,
        values: spec.rows.map((r) => {
          const v = cellValue(r[i], column);
          return typeof v === 'number' && Number.isFinite(v) ? v : null;
        }),
        numberFormat: columnNumberFormat(column),
      };
    }),
    anchor: { fromColumn, fromRow: headerRow, toColumn: fromColumn + CHART_SIZE.columns, toRow: headerRow + CHART_SIZE.rows },
  };
}
