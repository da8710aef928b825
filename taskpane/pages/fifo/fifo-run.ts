/**
 * What the FIFO page does, apart from the screen: read the transactions (a workbook sheet, or a
 * backend dataset page by page), match, write the five sheets through the WorkbookPort, and record
 * the run on the server with SHA-256 checksums from the browser's Web Crypto.
 *
 * Checksums: the input is the canonical rows text (src/fifo/canonical fifoInputCanonical, prefix
 * `sha256-rows:`; the CLI hashes its file instead, `sha256:`); the result is the SHA-256 of
 * fifoResultCanonical — the same text the CLI hashes, so both record the same result checksum for
 * the same data.
 */
import type { Problem } from '../../../src/kernel/problems';
import type { Table } from '../../../src/kernel/table';
import type { WorkbookPort } from '../../../src/workbook/port';
import type { SheetSpec } from '../../../src/workbook/sheet-spec';
import {
  allocateFifo,
  buildFifoSheets,
  fifoAnalytics,
  fifoInputCanonical,
  fifoResultCanonical,
  fifoStoppedBy,
  readFifoWorkbook,
  validateFifoResults,
  type FifoAnalytics,
  type FifoMode,
} from '../../../src/fifo';
import type { ApiClient } from '../../api';

export interface FifoOutcome {
  sheets: SheetSpec[];
  analytics: FifoAnalytics;
  problems: Problem[];
  /** Nothing was matched (missing column, empty sheet). */
  stopped: boolean;
  inputChecksum: string;
  resultChecksum: string;
  inputRows: number;
  source: string;
}

export const DEFAULT_SHEET = 'TC_Data';

/** The sheet to offer first: TC_Data when present (any case), else the first sheet that is not a FIFO output. */
export function defaultTransactionsSheet(sheets: readonly string[]): string | undefined {
  const exact = sheets.find((s) => s.toLowerCase() === DEFAULT_SHEET.toLowerCase());
  if (exact) return exact;
  const outputs = new Set(['fifo allocations', 'tc_data with redemptions', 'balance history', 'current balances', 'fifo analytics']);
  return sheets.find((s) => /tc_?data/i.test(s) && !outputs.has(s.toLowerCase())) ?? sheets.find((s) => !outputs.has(s.toLowerCase()));
}

/** The reference sheets read with the transactions when the workbook has them. */
const REFERENCE_SHEETS = ['customers', 'sales'];

export async function readTransactionsFromWorkbook(port: WorkbookPort, sheet: string): Promise<Table[]> {
  const names = await port.listSheets();
  const tables = [await port.readSheet(sheet)];
  for (const name of names) if (REFERENCE_SHEETS.includes(name.toLowerCase()) && name !== sheet) tables.push(await port.readSheet(name));
  return tables;
}

/** SHA-256 of text chunks with Web Crypto (the browser has no incremental digest: chunks are joined). */
export async function sha256Hex(chunks: Iterable<string>): Promise<string> {
  const parts: string[] = [];
  for (const c of chunks) parts.push(c);
  const bytes = new TextEncoder().encode(parts.join(''));
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function runFifo(tables: Table[], options: { sheet: string; mode: FifoMode; asOf?: string }): Promise<FifoOutcome> {
  const input = readFifoWorkbook(tables, { sheet: options.sheet });
  const stopped = fifoStoppedBy(input.problems).length > 0;
  const result = allocateFifo(input.transactions, { mode: options.mode });
  const analytics = fifoAnalytics(result, { asOf: options.asOf });
  const problems = stopped ? input.problems : [...input.problems, ...result.problems, ...validateFifoResults(result)];
  return {
    sheets: stopped ? [] : buildFifoSheets(result, { source: input.source, asOf: options.asOf, analytics }),
    analytics,
    problems,
    stopped,
    inputChecksum: `sha256-rows:${await sha256Hex(fifoInputCanonical(input.transactions))}`,
    resultChecksum: `sha256:${await sha256Hex(fifoResultCanonical(result))}`,
    inputRows: input.source?.rows.length ?? 0,
    source: options.sheet,
  };
}

export interface RecordedRun {
  id: string;
}

/** POST /api/runs with what ran on which input and what came out. */
export async function recordFifoRun(api: ApiClient, outcome: FifoOutcome, options: { mode: FifoMode; asOf?: string; version: string }): Promise<RecordedRun> {
  const a = outcome.analytics;
  const body = {
    job: 'fifo',
    inputChecksum: outcome.inputChecksum,
    resultChecksum: outcome.resultChecksum,
    mode: options.mode,
    version: options.version,
    rowCounts: {
      inputRows: outcome.inputRows,
      matchedRows: a.transactions,
      leftOut: a.leftOut,
      customers: a.customers,
      allocations: a.allocations,
      unmatched: a.unmatchedCount,
    },
    options: { source: outcome.source, asOf: options.asOf ?? null, host: 'taskpane' },
  };
  const r = await api.request<{ run?: RecordedRun } & Partial<RecordedRun>>('/api/runs', { method: 'POST', body });
  return r.run ?? { id: String(r.id ?? '') };
}
