/**
 * SheetSpec: what a sheet holds, independent of who writes it (Office.js, preview, exceljs).
 * Engine jobs return SheetSpecs; hosts only move them into a workbook.
 */
import type { Cell } from '../kernel/table';

/**
 * - `text`: free text (formula-injection neutralised when written to CSV)
 * - `id`: identifiers and account segments; always written as text with number format `@`
 * - `money`: integer minor units (cents) in `rows`; written as a decimal number
 * - `integer` / `number`: plain numbers
 * - `date` / `datetime`: ISO strings in `rows`; written as Excel dates
 * - `percent`: a ratio (0.25 = 25 %)
 */
export type ColumnType = 'text' | 'id' | 'money' | 'integer' | 'number' | 'date' | 'datetime' | 'percent' | 'boolean';

export interface SheetColumn {
  header: string;
  type: ColumnType;
  /** Excel number format; a sensible default per type when absent. */
  numberFormat?: string;
  /** Width in characters. */
  width?: number;
  /** For money columns: ISO 4217 code deciding the minor unit (default USD = 2 decimals). */
  currency?: string;
}

export interface ChartSpec {
  type: 'line' | 'column' | 'bar' | 'pie' | 'area';
  title: string;
  /** Header of the column holding categories (x axis). */
  categoryColumn: string;
  /** Headers of the columns holding series values. */
  valueColumns: string[];
}

export interface SheetSpec {
  name: string;
  /** Free rows written above the table (e.g. the GLDI header block); the table header follows them. */
  preamble?: Cell[][];
  columns: SheetColumn[];
  /** One array per row, same order as `columns`. Money as integer cents, dates as ISO strings. */
  rows: Cell[][];
  freezeHeader?: boolean;
  chart?: ChartSpec;
}

/** Excel sheet names: at most 31 characters, none of : \ / ? * [ ]. */
export function isValidSheetName(name: string): boolean {
  return name.length > 0 && name.length <= 31 && !/[:\\/?*[\]]/.test(name) && !/^'|'$/.test(name);
}
