import type { Cell } from '../../../src/kernel/table';
import { PreviewWorkbook } from '../../preview/preview-workbook';
import type { DatasetPage } from '../../api';
import { LoadCancelledError, loadDatasetIntoSheet, type LoadProgress } from './load-dataset';

/** A dataset served in pages the way GET /api/datasets/:id does (offset, limit → rows, nextOffset). */
function servedDataset(header: string[], rows: Cell[][], problems: DatasetPage['problems'] = []) {
  const calls: { offset: number; limit: number }[] = [];
  const fetchPage = async (_id: string, offset: number, limit: number, signal?: AbortSignal): Promise<DatasetPage> => {
    signal?.throwIfAborted();
    calls.push({ offset, limit });
    const slice = rows.slice(offset, offset + limit);
    const next = offset + slice.length;
    return { name: 'x', header, rows: slice, total: rows.length, offset, nextOffset: next < rows.length ? next : null, problems };
  };
  return { fetchPage, calls };
}

const header = ['TRANS_ID', 'AMOUNT', 'NOTE'];
const rowsOf = (n: number): Cell[][] => Array.from({ length: n }, (_, i) => [String(i).padStart(8, '0'), i * 1.5, `row ${i}`]);

describe('loadDatasetIntoSheet', () => {
  it('reads every page and writes all rows into a new sheet, ids kept as text', async () => {
    const wb = PreviewWorkbook.empty();
    const rows = rowsOf(2_345);
    const ds = servedDataset(header, rows);
    const seen: LoadProgress[] = [];
    const result = await loadDatasetIntoSheet({
      port: wb,
      datasetId: 'cm.csv',
      datasetName: 'cm.csv',
      fetchPage: ds.fetchPage,
      pageSize: 1_000,
      onProgress: (p) => seen.push(p),
    });
    expect(result).toEqual({ sheet: 'cm', rows: 2_345, problems: [] });
    expect(ds.calls.map((c) => c.offset)).toEqual([0, 1_000, 2_000]);
    expect(seen.filter((p) => p.phase === 'reading').map((p) => p.done)).toEqual([1_000, 2_000, 2_345]);
    expect(seen.at(-1)).toEqual({ phase: 'writing', done: 2_345, total: 2_345 });
    const table = await wb.readSheet('cm');
    expect(table.header).toEqual(header);
    expect(table.rows).toEqual(rows);
  });

  it('picks a new name when the sheet exists, leaving the old sheet alone', async () => {
    const wb = PreviewWorkbook.empty();
    const ds = servedDataset(header, rowsOf(3));
    await loadDatasetIntoSheet({ port: wb, datasetId: 'cm', datasetName: 'cm.csv', fetchPage: ds.fetchPage });
    const second = await loadDatasetIntoSheet({ port: wb, datasetId: 'cm', datasetName: 'cm.csv', fetchPage: ds.fetchPage });
    expect(second.sheet).toBe('cm (2)');
    expect(await wb.listSheets()).toEqual(['Sheet1', 'cm', 'cm (2)']);
  });

  it('points the server’s problems at the new sheet', async () => {
    const wb = PreviewWorkbook.empty();
    const problem = { severity: 'warning' as const, source: 'cm.csv', row: 3, message: 'This line has 4 fields where the header has 3.', code: 'field-count' };
    const ds = servedDataset(header, rowsOf(3), [problem]);
    const result = await loadDatasetIntoSheet({ port: wb, datasetId: 'cm', datasetName: 'cm.csv', fetchPage: ds.fetchPage });
    expect(result.problems).toEqual([{ ...problem, source: 'cm' }]);
  });

  it('stops fetching when cancelled while reading and creates no sheet', async () => {
    const wb = PreviewWorkbook.empty();
    const ds = servedDataset(header, rowsOf(10_000));
    const controller = new AbortController();
    const err = await loadDatasetIntoSheet({
      port: wb,
      datasetId: 'big',
      datasetName: 'big.csv',
      fetchPage: ds.fetchPage,
      pageSize: 1_000,
      signal: controller.signal,
      onProgress: (p) => p.done >= 2_000 && controller.abort(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadCancelledError);
    expect(err).toMatchObject({ rowsRead: 2_000, total: 10_000, sheet: undefined });
    expect((err as Error).message).toBe('Loading was cancelled after reading 2,000 of 10,000 rows; no sheet was created.');
    expect(ds.calls).toHaveLength(2);
    expect(await wb.listSheets()).toEqual(['Sheet1']);
  });

  it('stops writing when cancelled mid-write and says how many rows the sheet holds', async () => {
    const wb = PreviewWorkbook.empty();
    const ds = servedDataset(header, rowsOf(12_000));
    const controller = new AbortController();
    const err = await loadDatasetIntoSheet({
      port: wb,
      datasetId: 'big',
      datasetName: 'big.csv',
      fetchPage: ds.fetchPage,
      pageSize: 10_000,
      signal: controller.signal,
      onProgress: (p) => p.phase === 'writing' && p.done > 0 && controller.abort(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadCancelledError);
    const cancelled = err as LoadCancelledError;
    expect(cancelled.sheet).toBe('big');
    expect(cancelled.rowsWritten).toBeGreaterThan(0);
    expect(cancelled.rowsWritten).toBeLessThan(12_000);
    const table = await wb.readSheet('big');
    expect(table.rows.length).toBe(cancelled.rowsWritten);
  });

  it('passes a server error through with its sentence', async () => {
    const wb = PreviewWorkbook.empty();
    const fetchPage = async (): Promise<DatasetPage> => {
      throw new Error('There is no dataset "nope".');
    };
    await expect(loadDatasetIntoSheet({ port: wb, datasetId: 'nope', datasetName: 'nope', fetchPage })).rejects.toThrow('There is no dataset "nope".');
    expect(await wb.listSheets()).toEqual(['Sheet1']);
  });
});
