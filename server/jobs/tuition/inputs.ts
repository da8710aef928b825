/**
 * Tuition partner files on the server and the CLI: CSV (any delimiter) or .xlsx (every sheet that
 * has data), turned into tables for src/tuition. Sheets are named `<file> <sheet>` in problems.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { blocking, parseCsv, type Problem, type Table } from '../../../src/kernel';
import type { ExpenseLineReader } from '../../../src/tuition';
import { readWorkbookTables } from '../../../platform/workbook/excel-file';

export interface TuitionInput {
  tables: Table[];
  problems: Problem[];
}

export async function readTuitionBytes(name: string, bytes: Buffer): Promise<TuitionInput> {
  if (isWorkbook(name)) {
    try {
      const all = await readWorkbookTables(bytes);
      const tables = all.filter((t) => t.header.some((h) => h !== '') && t.rows.length > 0).map((t) => ({ ...t, name: `${name} ${t.name}` }));
      if (tables.length === 0) return { tables: [], problems: [blocking({ source: name, message: `${name} has no sheet with expense lines.`, code: 'empty-file' })] };
      return { tables, problems: [] };
    } catch (e) {
      return { tables: [], problems: [blocking({ source: name, message: `${name} cannot be opened as an Excel workbook: ${(e as Error).message}`, code: 'bad-workbook' })] };
    }
  }
  const r = parseCsv(bytes.toString('utf8'), { name });
  return { tables: [r.table], problems: r.problems };
}

const isWorkbook = (name: string) => ['.xlsx', '.xlsm'].includes(path.extname(name).toLowerCase());

/**
 * One partner file into a reader: a CSV file's bytes straight to the reader (split where they lie),
 * a workbook's sheets as tables. Returns the file's own problems (CSV syntax, empty, unreadable workbook),
 * which come before the rows' problems.
 */
export async function readTuitionFileInto(reader: ExpenseLineReader, name: string, bytes: Buffer): Promise<Problem[]> {
  if (!isWorkbook(name)) return reader.readCsv(name, bytes, () => bytes.toString('utf8'));
  const input = await readTuitionBytes(name, bytes);
  for (const t of input.tables) reader.read(t);
  return input.problems;
}

export async function readTuitionFiles(files: readonly string[]): Promise<TuitionInput> {
  const out: TuitionInput = { tables: [], problems: [] };
  for (const f of files) {
    const r = await readTuitionBytes(path.basename(f), await fs.readFile(f));
    out.tables.push(...r.tables);
    out.problems.push(...r.problems);
  }
  return out;
}
