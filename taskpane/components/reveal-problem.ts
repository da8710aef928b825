/**
 * Where in the workbook a problem's cell is: its sheet (the problem's source, or the sheet its rows
 * were written to), its 1-based row and column. The column is found by header name the way the
 * engine found it (findColumns), from the header the page passed or read once from the sheet.
 */
import type { Problem } from '../../src/kernel/problems';
import type { WorkbookPort } from '../../src/workbook/port';
import type { CellRef } from '../shell';
import { columnIndexOf } from './problem-location';

export interface RevealOptions {
  /** Headers the page already has (sheet → header), so nothing is read again. */
  headers?: Readonly<Record<string, readonly string[]>>;
  /** The sheet holding a source's rows when the source is not a sheet (a dataset written to a sheet). */
  sheetFor?: (source: string) => string | undefined;
  /** Headers read so far, kept between clicks (one read per sheet). */
  cache?: Map<string, readonly string[]>;
}

/** Sheet → header of the tables a run read, for RevealOptions.headers. */
export function headersOf(tables: readonly { name: string; header: readonly string[] }[]): Record<string, readonly string[]> {
  return Object.fromEntries(tables.map((t) => [t.name, t.header]));
}

export type ProblemCell = { ok: true; cell: CellRef } | { ok: false; message: string };

export async function problemCell(p: Problem, workbook: Pick<WorkbookPort, 'listSheets' | 'readSheet'>, options: RevealOptions = {}): Promise<ProblemCell> {
  const names = await workbook.listSheets();
  const wanted = options.sheetFor?.(p.source) ?? p.source;
  // Excel compares sheet names without case.
  const sheet = names.find((n) => n === wanted) ?? names.find((n) => n.toLowerCase() === wanted.toLowerCase());
  if (!sheet) {
    return {
      ok: false,
      message: /\.(csv|txt|tsv|xlsx|json)$/i.test(p.source)
        ? `${p.source} is a file, not a sheet of this workbook: load it on the Data page to see its cells.`
        : `The sheet ${p.source} is not in this workbook, so its cell cannot be shown.`,
    };
  }
  let column = 1;
  if (p.column) {
    let header = options.headers?.[p.source] ?? options.headers?.[sheet] ?? options.cache?.get(sheet);
    if (!header) {
      header = (await workbook.readSheet(sheet)).header;
      options.cache?.set(sheet, header);
    }
    column = Math.max(0, columnIndexOf(header, p.column)) + 1;
  }
  return { ok: true, cell: { sheet, row: p.row ?? 1, column } };
}
