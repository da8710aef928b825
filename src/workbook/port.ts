/**
 * WorkbookPort: the one contract through which the engine's results reach a workbook and a
 * workbook's ranges reach the engine. Implementations: Office.js (taskpane/office), the
 * in-browser preview workbook (taskpane/preview) and exceljs files (platform/workbook).
 */
import type { Table } from '../kernel/table';
import type { SheetSpec } from './sheet-spec';

export interface WriteProgress {
  sheet: string;
  rowsWritten: number;
  rowsTotal: number;
}

export interface WriteOptions {
  onProgress?: (p: WriteProgress) => void;
  /** Cancelling stops between chunks; the sheet is left with the rows already written. */
  signal?: AbortSignal;
}

export interface WorkbookPort {
  /** Sheet names in workbook order. */
  listSheets(): Promise<string[]>;
  /** The sheet's used range as a table (first row = header); row numbers match the sheet's. */
  readSheet(name: string): Promise<Table>;
  /** Creates the sheet, or replaces its content when it exists. */
  writeSheet(spec: SheetSpec, options?: WriteOptions): Promise<void>;
  /** Selects a cell so the user sees the offending value (problems list); row and column are 1-based (A = 1). */
  selectCell?(sheet: string, row: number, column: number): Promise<void>;
}
