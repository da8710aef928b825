/**
 * Writes a job's result sheets one after another through any WorkbookPort, with one progress
 * figure over all of them (rows written / rows in all sheets) and cancellation between sheets.
 */
import type { WorkbookPort, WriteProgress } from './port';
import type { SheetSpec } from './sheet-spec';

export interface WriteSheetsOptions {
  onProgress?: (done: number, total: number, sheet: string) => void;
  signal?: AbortSignal;
}

export async function writeSheets(port: WorkbookPort, sheets: readonly SheetSpec[], options: WriteSheetsOptions = {}): Promise<void> {
  const total = sheets.reduce((n, s) => n + s.rows.length, 0);
  let before = 0;
  for (const spec of sheets) {
    options.signal?.throwIfAborted();
    await port.writeSheet(spec, {
      signal: options.signal,
      onProgress: (p: WriteProgress) => options.onProgress?.(before + p.rowsWritten, total, p.sheet),
    });
    before += spec.rows.length;
    options.onProgress?.(before, total, spec.name);
  }
}
