/**
 * A FIFO run on a file, for `closedesk fifo`: read the input (a CSV streamed into columns, or a
 * workbook), stop when src/fifo says so, match, write every output file, record the run. CSV input and
 * every output stream, so 10M rows fit. Two cores are used where the work splits cleanly: one helper
 * thread (./helper-thread) hashes the CSV input while it is parsed here, then writes the balance files
 * while this thread writes the others. Modules only a workbook, a recorded run
 * or the xlsx output need (exceljs, the store) are loaded when asked for: a plain CSV run starts without them.
 *
 * Public API
 * - `runFifoJob(options, log)` → exit code: 0 ran (warnings allowed); 2 blocking problems (stopped, or rows left out).
 * - `FIFO_OUTPUT_FILES`: the file names written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { allocateFifo, validateFifoResults, type FifoMode } from '../../../src/fifo/allocate';
import { fifoStoppedBy, readFifoWorkbook } from '../../../src/fifo/read';
import { buildFifoSheets, fifoAnalytics, matchRateText } from '../../../src/fifo/report';
import { allocationCsvBytes, unmatchedCsvBytes } from '../../../src/fifo/canonical';
import type { FifoTransactions } from '../../../src/fifo/transactions';
import { formatAmount } from '../../../src/kernel/money';
import { blocking, countBlocking, hasBlocking, type Problem } from '../../../src/kernel/problems';
import type { Table } from '../../../src/kernel/table';
import type { CliIo } from '../../cli/command';
import { readFifoCsv, type FifoCsvInput } from './read-csv';
import { streamCsvRecords } from './csv-stream';
import { writeByteChunks, writeCsvWithRedemptions, writeProblemsCsv, writeTableWithRedemptions } from './outputs';
import { writeBalanceFiles } from './balance-files';
import { FifoHelperThread } from './helper-thread';
import { appVersion } from '../../version';

export const FIFO_OUTPUT_FILES = [
  'allocations.csv',
  'tc_data_with_redemptions.csv',
  'customer_balance_history.csv',
  'customer_current_balances.csv',
  'unmatched.csv',
  'problems.csv',
  'analytics_report.json',
] as const;

// Loaded on demand (see the module comment).
const excelFile = () => require('../../../platform/workbook/excel-file') as typeof import('../../../platform/workbook/excel-file');

export interface FifoJobOptions {
  input: string;
  out: string;
  mode: FifoMode;
  sheet: string;
  asOf?: string;
  xlsx: boolean;
  record: boolean;
}

export interface LoadedInput {
  transactions: FifoTransactions;
  problems: Problem[];
  /** The workbook sheet as read (CSV input has `csv` instead). */
  source?: Table;
  csv?: FifoCsvInput;
  sourceRows: number;
  /** SHA-256 of the input file. */
  checksum: string;
}

/** Reads the input; its checksum is the SHA-256 of the file's bytes (of a CSV file: from `helper`, else a helper of its own). */
export async function loadFifoInput(file: string, sheet: string, helper?: FifoHelperThread): Promise<LoadedInput> {
  if (/\.(xlsx|xlsm)$/i.test(file)) {
    const bytes = fs.readFileSync(file);
    const checksum = createHash('sha256').update(bytes).digest('hex');
    const r = readFifoWorkbook(await excelFile().readWorkbookTables(bytes), { sheet });
    return { transactions: r.transactions, problems: r.problems, source: r.source, sourceRows: r.source?.rows.length ?? 0, checksum };
  }
  // The checksum is computed on another thread while this one reads and parses.
  const thread = helper ?? new FifoHelperThread(file);
  if (!helper) thread.close();
  const r = await readFifoCsv(file);
  return { transactions: r.transactions, problems: r.problems, csv: r, sourceRows: r.sourceRows, checksum: await thread.checksum };
}

/** The CSV input as one table, for the xlsx output (which holds at most an Excel sheet's rows). */
async function csvAsTable(file: string): Promise<Table> {
  const rows: string[][] = [];
  let header: string[] = [];
  await streamCsvRecords(file, (batch, first) => {
    for (let i = 0; i < batch.length; i++) {
      if (first + i === 0) header = batch[i]!.map((h) => h.trim());
      else rows.push(batch[i]!);
    }
  });
  return { name: path.basename(file), header, rows, firstRowNumber: 2 };
}

interface RunRecord {
  job: 'fifo';
  inputChecksum: string;
  rowCounts: Record<string, number>;
  mode: string;
  options: Record<string, unknown>;
  version: string;
  resultChecksum: string;
}

/** Records the run in the configured store (DATABASE_URL, else the local SQLite file) with an audit entry. */
async function recordRunInStore(record: RunRecord, io: CliIo): Promise<string> {
  const { cliConfig, withStore } = require('../../cli/setup') as typeof import('../../cli/setup');
  const { recordRun } = require('../../runs') as typeof import('../../runs');
  const { auditProtection, createAudit } = require('../../audit') as typeof import('../../audit');
  const config = cliConfig(io);
  return withStore(config, async (store) => {
    const actor = `cli:${os.userInfo().username}`;
    const run = await recordRun(store, record, actor);
    await createAudit(store, auditProtection(config)).append({ actor, action: 'run.recorded', subjectType: 'run', subjectId: run.id, details: { job: 'fifo', mode: record.mode, rowCounts: record.rowCounts } });
    return run.id;
  });
}

export async function runFifoJob(o: FifoJobOptions, io: CliIo): Promise<number> {
  // Started first, so its start-up overlaps the read (CSV input only; a workbook is hashed here).
  const helper = /\.(xlsx|xlsm)$/i.test(o.input) ? undefined : new FifoHelperThread(o.input);
  try {
    return await runWith(helper, o, io);
  } finally {
    helper?.close(); // a stop, an error or --xlsx: it was handed nothing
  }
}

async function runWith(helper: FifoHelperThread | undefined, o: FifoJobOptions, io: CliIo): Promise<number> {
  fs.mkdirSync(o.out, { recursive: true });
  const out = (name: string) => path.join(o.out, name);
  const say = (stream: NodeJS.WritableStream, text: string) => stream.write(text + '\n');

  // Wall and CPU time per phase: on a shared machine the gap between them is the wait for a core.
  const timings: Record<string, number> = {};
  const cpuMs = () => {
    const u = process.cpuUsage();
    return Math.round((u.user + u.system) / 1000);
  };
  let t0 = Date.now();
  let c0 = cpuMs();
  const input = await loadFifoInput(o.input, o.sheet, helper);
  timings.readMs = Date.now() - t0;
  timings.readCpuMs = cpuMs() - c0;
  const problems = [...input.problems];
  const stoppedBy = fifoStoppedBy(problems);
  if (stoppedBy.length) {
    writeProblemsCsv(out('problems.csv'), problems);
    for (const p of stoppedBy) say(io.err, `${p.source}: ${p.message}`);
    say(io.err, `Stopped: nothing was matched. See ${out('problems.csv')}.`);
    return 2;
  }

  t0 = Date.now();
  c0 = cpuMs();
  // The engine keeps its own copy of the matched rows in processing order; the input's columns are let go as it copies them.
  const result = allocateFifo(input.transactions, { mode: o.mode, release: true });
  input.transactions = result.transactions;
  timings.matchMs = Date.now() - t0;
  timings.matchCpuMs = cpuMs() - c0;
  problems.push(...result.problems, ...validateFifoResults(result));
  const analytics = fifoAnalytics(result, { asOf: o.asOf });

  t0 = Date.now();
  c0 = cpuMs();
  const counts: Record<string, number> = {
    inputRows: input.sourceRows,
    matchedRows: result.order.length,
    leftOut: input.sourceRows - result.order.length,
    customers: analytics.customers,
  };
  // The result checksum covers the allocations and unmatched files as written (see src/fifo/canonical.ts).
  const resultHash = createHash('sha256').update(`mode ${o.mode}\r\n`);
  // The balance files are written on the helper thread, unless the xlsx output still needs every column here.
  const balanceFiles = { history: out('customer_balance_history.csv'), balances: out('customer_current_balances.csv') };
  const balancesWritten = helper && !o.xlsx ? helper.writeBalanceFiles(result, balanceFiles, o.asOf) : Promise.resolve(writeBalanceFiles(result, balanceFiles, o.asOf));
  balancesWritten.catch(() => undefined); // awaited below, after this thread's files
  writeByteChunks(out('allocations.csv'), allocationCsvBytes(result), resultHash);
  counts.allocations = result.allocations.count;
  if (input.csv) writeCsvWithRedemptions(o.input, out('tc_data_with_redemptions.csv'), result, input.csv);
  else writeTableWithRedemptions(input.source!, out('tc_data_with_redemptions.csv'), result);
  writeByteChunks(out('unmatched.csv'), unmatchedCsvBytes(result), resultHash);
  await balancesWritten;
  counts.unmatched = analytics.unmatchedCount;

  if (o.xlsx) {
    const rowsNeeded = Math.max(result.allocations.count, input.sourceRows, result.order.length);
    if (rowsNeeded > 1_048_000) {
      problems.push(blocking({ source: 'fifo.xlsx', message: `fifo.xlsx was not written: ${rowsNeeded} rows do not fit in an Excel sheet (1,048,576 rows); use the CSV files.`, code: 'xlsx-too-large' }));
    } else {
      const source = input.source ?? (await csvAsTable(o.input));
      await excelFile().writeWorkbookFile(out('fifo.xlsx'), buildFifoSheets(result, { source, asOf: o.asOf, analytics }));
    }
  }
  timings.writeMs = Date.now() - t0;
  timings.writeCpuMs = cpuMs() - c0;

  const inputChecksum = `sha256:${input.checksum}`;
  const resultChecksum = `sha256:${resultHash.digest('hex')}`;
  const blockingCount = countBlocking(problems);
  writeProblemsCsv(out('problems.csv'), problems);

  const record: RunRecord = {
    job: 'fifo',
    inputChecksum,
    rowCounts: counts,
    mode: o.mode,
    options: { asOf: o.asOf ?? null, sheet: input.csv ? null : o.sheet, input: path.basename(o.input) },
    version: appVersion(),
    resultChecksum,
  };
  let runId: string | null = null;
  if (o.record) {
    try {
      runId = await recordRunInStore(record, io);
    } catch (e) {
      say(io.err, `Warning: the run was not recorded in the store: ${(e as Error).message}`);
    }
  }
  const report = {
    ...analytics,
    input: path.basename(o.input),
    rowCounts: counts,
    problems: { blocking: blockingCount, warnings: problems.length - blockingCount },
    inputChecksum,
    resultChecksum,
    version: record.version,
    runId,
    timings,
  };
  fs.writeFileSync(out('analytics_report.json'), JSON.stringify(report, null, 2) + '\n');

  say(
    io.out,
    `FIFO (${o.mode}): ${counts.matchedRows} transactions of ${analytics.customers} customers, ${counts.allocations} allocations, ` +
      `${analytics.unmatchedCount} unmatched (${formatAmount(analytics.unmatchedCents)}), match rate ${matchRateText(analytics)}.\n` +
      `Wrote ${FIFO_OUTPUT_FILES.join(', ')}${o.xlsx && fs.existsSync(out('fifo.xlsx')) ? ', fifo.xlsx' : ''} to ${o.out}.`,
  );
  if (hasBlocking(problems)) {
    say(io.err, `${blockingCount} blocking problems (rows left out of matching): see ${out('problems.csv')}.`);
    return 2;
  }
  return 0;
}
