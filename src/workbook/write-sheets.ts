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
  let last = -1;
  // A figure is reported once: a port that already reported a sheet's last row is not echoed.
  const report = (done: number, sheet: string) => {
    if (done === last) return;
    last = done;
    options.onProgress?.(done, total, sheet);
  };
  for (const spec of sheets) {
    options.signal?.throwIfAborted();
    await port.writeSheet(spec, {
      signal: options.signal,
      onProgress: (p: WriteProgress) => report(before + p.rowsWritten, p.sheet),
    });
    before += spec.rows.length;
    report(before, spec.name);
  }
}
