/**
 * A file's bytes → tables, the one reader the server and the CLI use for every job input and dataset:
 * .xlsx/.xlsm (every sheet, or the one named), .json (an array of records), anything else CSV
 * (delimiter detected unless given). Bad input is a problem naming the file and saying what to do,
 * never a throw and never the library's own message: a file that is not a workbook, a sheet that is
 * not there, JSON that does not parse.
 */
import path from 'node:path';
import { blocking, type Problem } from '../../src/kernel/problems';
import { parseCsv } from '../../src/kernel/csv';
import { tableFromJsonText } from '../../src/kernel/records';
import type { Table } from '../../src/kernel/table';
import { readWorkbookTables } from './excel-file';

export interface TableFileOptions {
  /** For a workbook: only this sheet (case-insensitive). */
  sheet?: string;
  /** Table names of a workbook's sheets: `<file> <sheet>` (default, as problems name them) or the sheet's own name. */
  sheetNames?: 'file-and-sheet' | 'sheet';
  /** For text files: the delimiter (default: detected among , ; tab |). */
  delimiter?: string;
  /** What a JSON file holds, for its sentences (`chargeback records`). */
  records?: string;
}

export interface TableFile {
  tables: Table[];
  problems: Problem[];
}

const WORKBOOK = new Set(['.xlsx', '.xlsm']);

export function isWorkbookName(name: string): boolean {
  return WORKBOOK.has(path.extname(name).toLowerCase());
}

/** The sentence for bytes that are not an Excel workbook, in the words the task pane's Workbook page uses. */
export function notAWorkbookSentence(name: string): string {
  return `${name} could not be opened: it is not an Excel workbook (.xlsx), or it is damaged. Save it as .xlsx in Excel and try again.`;
}

export async function readTableFile(name: string, bytes: Uint8Array, options: TableFileOptions = {}): Promise<TableFile> {
  const ext = path.extname(name).toLowerCase();
  if (WORKBOOK.has(ext)) {
    let sheets: Table[];
    try {
      sheets = await readWorkbookTables(bytes);
    } catch {
      return { tables: [], problems: [blocking({ source: name, message: notAWorkbookSentence(name), code: 'bad-workbook' })] };
    }
    if (options.sheet) {
      const want = options.sheet.toLowerCase();
      const hit = sheets.find((t) => t.name.toLowerCase() === want);
      if (!hit)
        return {
          tables: [],
          problems: [
            blocking({
              source: name,
              value: options.sheet,
              message: `${name} has no sheet named "${options.sheet}"; its sheets are ${sheets.map((t) => `"${t.name}"`).join(', ') || 'none'}.`,
              code: 'no-such-sheet',
            }),
          ],
        };
      sheets = [hit];
    }
    const named = options.sheetNames === 'sheet' ? sheets : sheets.map((t) => ({ ...t, name: `${name} ${t.name}` }));
    return { tables: named, problems: [] };
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (ext === '.json') {
    const r = tableFromJsonText(name, text, options.records);
    return { tables: [r.table], problems: r.problems };
  }
  const r = parseCsv(text, { name, delimiter: options.delimiter });
  return { tables: [r.table], problems: r.problems };
}
