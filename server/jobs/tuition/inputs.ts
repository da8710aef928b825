/**
 * Tuition partner files on the CLI: CSV (any delimiter) or .xlsx, read by the one table-file reader
 * (platform/workbook/table-file) — a CSV file's bytes go to the reader as they are (readTuitionFileInto);
 * a workbook's sheets that hold expense lines are picked by src/tuition. Sheets are named `<file> <sheet>` in problems.
 */
import path from 'node:path';
import type { Problem, Table } from '../../../src/kernel';
import type { ExpenseLineReader } from '../../../src/tuition';
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

/**
 * One partner file into a reader: a CSV file's bytes straight to the reader (split where they lie, no
 * table of strings), a workbook or JSON file through readTuitionBytes. Returns the file's own problems
 * (CSV syntax, empty, unreadable workbook), which are listed before the rows' problems.
 */
/** A file read as CSV (its bytes straight to the reader): neither a workbook nor JSON. */
export const isCsvInput = (name: string) => !isWorkbookName(name) && path.extname(name).toLowerCase() !== '.json';

export async function readTuitionFileInto(reader: ExpenseLineReader, name: string, bytes: Buffer): Promise<Problem[]> {
  if (isCsvInput(name)) return reader.readCsv(name, bytes, () => bytes.toString('utf8'));
  const input = await readTuitionBytes(name, bytes);
  for (const t of input.tables) reader.read(t);
  return input.problems;
}
