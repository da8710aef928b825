/**
 * Tuition partner files on the CLI: CSV (any delimiter) or .xlsx, read by the one table-file reader
 * (platform/workbook/table-file); a workbook's sheets that hold expense lines are picked by
 * src/tuition. Sheets are named `<file> <sheet>` in problems.
 */
import type { Problem, Table } from '../../../src/kernel';
import { expenseSheets } from '../../../src/tuition/month';
import { isWorkbookName, readTableFile } from '../../../platform/workbook/table-file';

export interface TuitionInput {
  tables: Table[];
  problems: Problem[];
}

export async function readTuitionBytes(name: string, bytes: Uint8Array): Promise<TuitionInput> {
  const read = await readTableFile(name, bytes);
  if (!isWorkbookName(name) || read.problems.length) return read;
  return expenseSheets(name, read.tables);
}
