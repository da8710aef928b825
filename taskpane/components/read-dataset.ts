/**
 * A backend dataset read whole, page by page (GET /api/datasets/:id?offset&limit), as one table with
 * the problems the server found reading it. Every page that reads a dataset in the browser reads it
 * here: one signal stops the fetches, progress counts rows.
 */
import type { Problem } from '../../src/kernel/problems';
import type { Cell, Table } from '../../src/kernel/table';
import type { DatasetPage } from '../api';

export type FetchDatasetPage = (id: string, offset: number, limit: number, signal?: AbortSignal) => Promise<DatasetPage>;

export interface ReadDatasetOptions {
  signal?: AbortSignal;
  pageSize?: number;
  /** Rows read so far and the dataset's total, after each page. */
  onProgress?: (done: number, total: number) => void;
}

export interface DatasetRead {
  /** Rows numbered as the server's file (header on row 1). */
  table: Table;
  total: number;
  problems: Problem[];
}

export async function readDataset(fetchPage: FetchDatasetPage, id: string, name: string, options: ReadDatasetOptions = {}): Promise<DatasetRead> {
  const limit = options.pageSize ?? 5000;
  const rows: Cell[][] = [];
  let header: string[] = [];
  let problems: Problem[] = [];
  let total = 0;
  let offset: number | null = 0;
  while (offset !== null) {
    options.signal?.throwIfAborted();
    const page: DatasetPage = await fetchPage(id, offset, limit, options.signal);
    if (offset === 0) {
      header = page.header;
      problems = page.problems ?? [];
    }
    total = page.total;
    for (const r of page.rows) rows.push(r);
    options.onProgress?.(rows.length, total);
    // A server that does not move on must not keep the pane looping: stop where it stands.
    offset = page.nextOffset !== null && page.nextOffset > offset && page.rows.length > 0 ? page.nextOffset : null;
  }
  return { table: { name, header, rows, firstRowNumber: 2 }, total, problems };
}
