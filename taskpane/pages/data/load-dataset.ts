/**
 * Loads a backend dataset page by page into a new sheet through the WorkbookPort.
 * One AbortSignal covers the fetches and the write, so Cancel really stops.
 */
import { isValidSheetName, type SheetColumn } from '../../../src/workbook/sheet-spec';
import type { WorkbookPort } from '../../../src/workbook/port';
import { isBlank, type Cell } from '../../../src/kernel/table';
import type { Problem } from '../../../src/kernel/problems';
import { readDataset, type DatasetRead, type FetchDatasetPage } from '../../components/read-dataset';
import { formatCount } from '../../../src/kernel/counts';

const MAX_SHEET_NAME = 31;

/**
 * A valid sheet name from a dataset name (extension dropped, forbidden characters replaced,
 * at most 31 characters), made unique against the existing sheets the way Excel compares
 * names (case-insensitive): `cm`, `cm (2)`, `cm (3)`.
 */
export function sheetNameForDataset(datasetName: string, existing: readonly string[]): string {
  let base = datasetName
    // A sheet of a workbook dataset ("demo.xlsx – TC_Data") keeps its sheet name, which is what jobs look for.
    .replace(/^.*\.(xlsx|xlsm|xls)\s+[–-]\s+/i, '')
    .replace(/\.(csv|txt|xlsx|xlsm|xls|tsv|json)$/i, '')
    .replace(/[:\\/?*[\]]/g, '_')
    .replace(/^'+|'+$/g, '')
    .trim();
  if (!base) base = 'Data';
  base = base.slice(0, MAX_SHEET_NAME).trim();
  const taken = new Set(existing.map((n) => n.toLowerCase()));
  if (!taken.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) {
    const suffix = ` (${i})`;
    const name = base.slice(0, MAX_SHEET_NAME - suffix.length).trimEnd() + suffix;
    if (!taken.has(name.toLowerCase()) && isValidSheetName(name)) return name;
  }
}

/**
 * Column types for a dataset: a column whose every non-blank cell is a number stays numeric,
 * a boolean column boolean; anything else is text, so ids and account segments with leading
 * zeros reach the sheet unchanged.
 */
export function datasetColumns(header: readonly string[], rows: readonly Cell[][]): SheetColumn[] {
  return header.map((h, i) => {
    let seen = 0;
    let numbers = 0;
    let booleans = 0;
    for (const r of rows) {
      const c = r[i];
      if (isBlank(c ?? null)) continue;
      seen++;
      if (typeof c === 'number') numbers++;
      else if (typeof c === 'boolean') booleans++;
    }
    const type = seen > 0 && numbers === seen ? 'number' : seen > 0 && booleans === seen ? 'boolean' : 'text';
    return { header: h, type };
  });
}

export type LoadPhase = 'reading' | 'writing';

export interface LoadProgress {
  phase: LoadPhase;
  done: number;
  total: number;
}

export interface LoadDatasetOptions {
  port: WorkbookPort;
  datasetId: string;
  datasetName: string;
  fetchPage: FetchDatasetPage;
  pageSize?: number;
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
}

export interface LoadResult {
  sheet: string;
  rows: number;
  /** What the server found wrong in the source, pointing at the new sheet's cells. */
  problems: Problem[];
}

/**
 * The server names problems by file (`cm.csv` row 7); once the rows are in a sheet they are
 * shown and selected there. The sheet keeps the file's rows (header on row 1), so rows carry over.
 */
export function problemsOnSheet(problems: readonly Problem[], sheet: string): Problem[] {
  return problems.map((p) => ({ ...p, source: sheet }));
}

/** Thrown when the user cancels; says how far the load got so the page can tell them. */
export class LoadCancelledError extends Error {
  constructor(
    readonly rowsRead: number,
    readonly total: number,
    /** The sheet that was started, holding the rows written before the cancel; absent when none was created. */
    readonly sheet?: string,
    readonly rowsWritten = 0,
  ) {
    super(
      sheet
        ? `Loading was cancelled. Sheet ${sheet} holds the ${formatCount(rowsWritten)} rows written before the cancel.`
        : `Loading was cancelled after reading ${formatCount(rowsRead)} of ${formatCount(total)} rows; no sheet was created.`,
    );
    this.name = 'LoadCancelledError';
  }
}

function aborted(signal: AbortSignal | undefined, e?: unknown): boolean {
  return !!signal?.aborted || (!!e && typeof e === 'object' && (e as { name?: string }).name === 'AbortError');
}

export async function loadDatasetIntoSheet(o: LoadDatasetOptions): Promise<LoadResult> {
  let rowsRead = 0;
  let total = 0;
  let read: DatasetRead;
  try {
    read = await readDataset(o.fetchPage, o.datasetId, o.datasetName, {
      signal: o.signal,
      pageSize: o.pageSize ?? 2000,
      onProgress: (done, all) => {
        rowsRead = done;
        total = all;
        o.onProgress?.({ phase: 'reading', done, total: all });
      },
    });
  } catch (e) {
    if (aborted(o.signal, e)) throw new LoadCancelledError(rowsRead, total);
    throw e;
  }
  const { header, rows } = read.table;
  const sheet = sheetNameForDataset(o.datasetName, await o.port.listSheets());
  if (o.signal?.aborted) throw new LoadCancelledError(rows.length, total);
  let written = 0;
  try {
    await o.port.writeSheet(
      { name: sheet, columns: datasetColumns(header, rows), rows, freezeHeader: true },
      {
        signal: o.signal,
        onProgress: (p) => {
          written = p.rowsWritten;
          o.onProgress?.({ phase: 'writing', done: p.rowsWritten, total: p.rowsTotal });
        },
      },
    );
  } catch (e) {
    if (aborted(o.signal, e)) throw new LoadCancelledError(rows.length, total, sheet, written);
    throw e;
  }
  // A port stops between chunks when cancelled without throwing: report that as a cancel, not as success.
  if (o.signal?.aborted && written < rows.length) throw new LoadCancelledError(rows.length, total, sheet, written);
  return { sheet, rows: rows.length, problems: problemsOnSheet(read.problems, sheet) };
}
