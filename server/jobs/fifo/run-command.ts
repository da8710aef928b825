/**
 * `closedesk fifo`: FIFO matching of reward cash from a workbook or a CSV file to output files
 * (issue 3). CSV input is streamed into columns and outputs are streamed out, so 10M rows fit.
 *
 *   closedesk fifo <input.xlsx|input.csv> [--mode lots|one-to-one] [--sheet TC_Data] [--as-of YYYY-MM-DD]
 *                  [--xlsx] [--no-record] --out <dir>
 *   closedesk fifo --sql [--table tc_data] [--output allocations|unmatched]
 *   closedesk fifo [<input>] --run-on <DATABASE_URL> [--table tc_data] --out <dir>
 *
 * Exit codes: 0 ran (warnings allowed); 2 blocking problems (a missing column or an empty sheet stop
 * the run; rows with blocking problems are left out, the rest is matched and written, and the exit
 * code tells a scheduler the results are incomplete); 1 a usage or system error.
 *
 * Public API
 * - `runFifoCommand(argv, io?)` → exit code.
 * - `FIFO_OUTPUT_FILES`: the file names written.
 */
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { allocateFifo, validateFifoResults, type FifoMode, type FifoResult } from '../../../src/fifo/allocate';
import { readFifoWorkbook } from '../../../src/fifo/read';
import { ALLOCATION_COLUMNS, REDEMPTION_COLUMNS, RedemptionCursor, UNMATCHED_COLUMNS, buildFifoSheets, fifoAnalytics, matchRateText } from '../../../src/fifo/report';
import {
  allocationCsvBytes,
  balanceHistoryCsvBytes,
  CsvBytes,
  currentBalanceCsvBytes,
  RedemptionSuffixes,
  unmatchedCsvBytes,
} from '../../../src/fifo/canonical';
import type { FifoTransactions } from '../../../src/fifo/transactions';
import { csvRow } from '../../../src/kernel/csv';
import { formatAmount } from '../../../src/kernel/money';
import { PROBLEM_COLUMNS, blocking, countBlocking, hasBlocking, isBlocking, problemRows, type Problem } from '../../../src/kernel/problems';
import { isIsoDate } from '../../../src/kernel/dates';
import type { Cell, Table } from '../../../src/kernel/table';
import type { SheetColumn } from '../../../src/workbook/sheet-spec';
import { readFifoCsv } from './read-csv';
import { streamCsvFields, type CsvRecordView } from './csv-stream';
import { fifoSql, loadFifoTable } from './sql';
import { loadConfig } from '../../config';
import { openStore } from '../../store';
import { recordRun } from '../../runs';
import { auditProtection, createAudit } from '../../audit';
import { readWorkbookTables, writeWorkbookFile } from '../../../platform/workbook/excel-file';

export const FIFO_OUTPUT_FILES = [
  'allocations.csv',
  'tc_data_with_redemptions.csv',
  'customer_balance_history.csv',
  'customer_current_balances.csv',
  'unmatched.csv',
  'problems.csv',
  'analytics_report.json',
] as const;

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env?: Record<string, string | undefined>;
  /** Relative paths are taken from here (default: the process's directory). */
  cwd?: string;
}

const defaultIo: CommandIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

const EOL = '\r\n';
export const FIFO_USAGE = `Usage:
  closedesk fifo <input.xlsx|input.csv> [--mode lots|one-to-one] [--sheet TC_Data] [--as-of YYYY-MM-DD] [--xlsx] [--no-record] --out <dir>
  closedesk fifo --sql [--table tc_data] [--output allocations|unmatched]
  closedesk fifo [<input>] --run-on <DATABASE_URL> [--table tc_data] --out <dir>

Writes allocations.csv, tc_data_with_redemptions.csv, customer_balance_history.csv,
customer_current_balances.csv (BALANCE_AS_OF with --as-of), unmatched.csv, problems.csv,
analytics_report.json, and fifo.xlsx with --xlsx. Records the run in the store (DATABASE_URL,
else the local SQLite file) unless --no-record.
Exit codes: 0 ran (warnings allowed); 2 blocking problems (missing column or empty input: nothing
matched; bad rows: left out, the rest matched and written); 1 wrong usage or an error.
`;
const USAGE = FIFO_USAGE;

interface Args {
  input?: string;
  mode: FifoMode;
  sheet: string;
  asOf?: string;
  xlsx: boolean;
  out?: string;
  sql: boolean;
  runOn?: string;
  table: string;
  output: 'allocations' | 'unmatched';
  record: boolean;
}

function parseArgs(argv: string[]): Args | string {
  const a: Args = { mode: 'lots', sheet: 'TC_Data', xlsx: false, sql: false, table: 'tc_data', output: 'allocations', record: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value.`);
      return v;
    };
    try {
      switch (arg) {
        case '--mode': {
          const m = value();
          if (m !== 'lots' && m !== 'one-to-one') return `--mode is lots or one-to-one, not "${m}".`;
          a.mode = m;
          break;
        }
        case '--sheet':
          a.sheet = value();
          break;
        case '--as-of': {
          const d = value();
          if (!isIsoDate(d)) return `--as-of needs a date as YYYY-MM-DD, not "${d}".`;
          a.asOf = d;
          break;
        }
        case '--xlsx':
          a.xlsx = true;
          break;
        case '--out':
          a.out = value();
          break;
        case '--sql':
          a.sql = true;
          break;
        case '--run-on':
          a.runOn = value();
          break;
        case '--table':
          a.table = value();
          break;
        case '--output': {
          const o = value();
          if (o !== 'allocations' && o !== 'unmatched') return `--output is allocations or unmatched, not "${o}".`;
          a.output = o;
          break;
        }
        case '--no-record':
          a.record = false;
          break;
        case '--help':
        case '-h':
          return '';
        default:
          if (arg.startsWith('--')) return `Unknown option ${arg}.`;
          if (a.input) return `Only one input file, got "${a.input}" and "${arg}".`;
          a.input = arg;
      }
    } catch (e) {
      return (e as Error).message;
    }
  }
  return a;
}

/** Buffered file output: strings, written in 4 MB pieces. */
class FileOut {
  private buf = Buffer.allocUnsafe(1 << 22);
  private pos = 0;
  private fd: number;
  // Short strings are joined and encoded together: one Buffer.write per line costs more than the line.
  private pending: string[] = [];
  private pendingChars = 0;
  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'w');
  }
  text(s: string): void {
    this.pending.push(s);
    this.pendingChars += s.length;
    if (this.pendingChars > 1 << 18) this.encodePending();
  }
  private encodePending(): void {
    if (!this.pending.length) return;
    const s = this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    if (this.pos + s.length * 3 > this.buf.length) {
      this.flushBytes();
      if (s.length * 3 > this.buf.length) {
        fs.writeSync(this.fd, s);
        return;
      }
    }
    this.pos += this.buf.write(s, this.pos);
  }
  private flushBytes(): void {
    if (this.pos) fs.writeSync(this.fd, this.buf, 0, this.pos);
    this.pos = 0;
  }
  flush(): void {
    this.encodePending();
    this.flushBytes();
  }
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/** Writes a table with money columns printed with two decimals through the kernel CSV writer. */
function writeCsv(file: string, columns: SheetColumn[], rows: Iterable<Cell[]>): number {
  const out = new FileOut(file);
  out.text(csvRow(columns.map((c) => c.header)) + EOL);
  const money = columns.map((c) => c.type === 'money');
  let n = 0;
  const cells: Cell[] = new Array(columns.length);
  for (const r of rows) {
    for (let i = 0; i < r.length; i++) {
      const v = r[i]!;
      cells[i] = money[i] && typeof v === 'number' ? formatAmount(v) : v;
    }
    out.text(csvRow(cells) + EOL);
    n++;
  }
  out.close();
  return n;
}

// = + - @ tab CR LF, as a byte table (a Set lookup per field is seconds on 80M fields)
const DANGER = new Uint8Array(256);
for (const c of [61, 43, 45, 64, 9, 13, 10]) DANGER[c] = 1;

/** True when the kernel writer would write this field as it is (no formula neutralising needed). */
function fieldIsSafe(buf: Buffer, s: number, e: number): boolean {
  if (s >= e || !DANGER[buf[s]!]) return true;
  // "-12.50": a real signed number stays a number
  let i = s + 1;
  if (buf[s] !== 45 || i >= e) return false;
  let digits = 0;
  while (i < e && buf[i]! >= 48 && buf[i]! <= 57) (i++, digits++);
  if (!digits) return false;
  if (i === e) return true;
  if (buf[i] !== 46) return false;
  i++;
  let frac = 0;
  while (i < e && buf[i]! >= 48 && buf[i]! <= 57) (i++, frac++);
  return frac > 0 && i === e;
}

function recordIsSafe(v: CsvRecordView): boolean {
  for (let i = 0; i < v.count; i++) if (!fieldIsSafe(v.buf, v.start[i]!, v.end[i]!)) return false;
  return true;
}

/** Second pass over the CSV input: every record again with REDEEMID and REMAINING appended. */
async function writeCsvWithRedemptions(input: string, file: string, result: FifoResult, delimiter: string): Promise<void> {
  const fd = fs.openSync(file, 'w');
  const out = new CsvBytes(1 << 22);
  const suffixes = new RedemptionSuffixes(result);
  let record = 0;
  try {
    await streamCsvFields(
      input,
      (v) => {
        if (record++ === 0) {
          out.text(csvRow([...v.texts().map((h) => h.trim()), ...REDEMPTION_COLUMNS.map((c) => c.header)]) + EOL);
          return;
        }
        // A comma-separated record with nothing to neutralise is already what the writer would produce.
        if (delimiter === ',' && recordIsSafe(v)) {
          const s = v.recordStart;
          const e = v.recordEnd;
          out.room(e - s);
          const b = out.buf;
          const src = v.buf;
          let p = out.pos;
          // copied by hand: a native copy per short record costs more than the loop
          for (let i = s; i < e; i++) b[p++] = src[i]!;
          out.pos = p;
        } else out.text(csvRow(v.texts()));
        suffixes.write(record - 2, out);
        out.crlf();
        if (out.pos >= 1 << 21) writeAll(fd, out.take());
      },
      { delimiter },
    );
    if (out.pos) writeAll(fd, out.take());
  } finally {
    fs.closeSync(fd);
  }
}

function writeTableWithRedemptions(source: Table, file: string, result: FifoResult): void {
  const cursor = new RedemptionCursor(result);
  const rows = function* (): Generator<Cell[]> {
    for (let i = 0; i < source.rows.length; i++) {
      const cells = source.header.map((_, c) => source.rows[i]![c] ?? '');
      const [id, remaining] = cursor.next(i);
      yield [...cells, id, typeof remaining === 'number' ? formatAmount(remaining) : ''];
    }
  };
  writeCsv(file, [...source.header.map((h): SheetColumn => ({ header: h, type: 'text' })), { header: 'REDEEMID', type: 'id' }, { header: 'REMAINING', type: 'text' }], rows());
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes, done, bytes.length - done);
}

function writeByteChunks(file: string, chunks: Iterable<Uint8Array>, hash?: ReturnType<typeof createHash>): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (const c of chunks) {
      writeAll(fd, c);
      hash?.update(c);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function packageVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version as string;
  } catch {
    return 'unknown';
  }
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
async function recordRunInStore(record: RunRecord, env: Record<string, string | undefined>): Promise<string> {
  const config = loadConfig(env as NodeJS.ProcessEnv);
  const store = await openStore({ databaseUrl: config.databaseUrl, sqliteFile: config.sqliteFile });
  try {
    const actor = `cli:${os.userInfo().username}`;
    const run = await recordRun(store, record, actor);
    await createAudit(store, auditProtection(config)).append({ actor, action: 'run.recorded', subjectType: 'run', subjectId: run.id, details: { job: 'fifo', mode: record.mode, rowCounts: record.rowCounts } });
    return run.id;
  } finally {
    await store.close();
  }
}

interface LoadedInput {
  transactions: FifoTransactions;
  problems: Problem[];
  kind: 'csv' | 'xlsx';
  source?: Table;
  delimiter: string;
  sourceRows: number;
  /** SHA-256 of the input file. */
  checksum: string;
}

/** Reads the input; its checksum is the SHA-256 of the file's bytes, hashed while they stream by. */
async function loadInput(file: string, sheet: string): Promise<LoadedInput> {
  const hash = createHash('sha256');
  if (/\.(xlsx|xlsm)$/i.test(file)) {
    const bytes = fs.readFileSync(file);
    hash.update(bytes);
    const tables = await readWorkbookTables(bytes);
    const r = readFifoWorkbook(tables, { sheet });
    return { transactions: r.transactions, problems: r.problems, kind: 'xlsx', source: r.source, delimiter: ',', sourceRows: r.source?.rows.length ?? 0, checksum: hash.digest('hex') };
  }
  const r = await readFifoCsv(file, { onChunk: (b) => hash.update(b) });
  return { transactions: r.transactions, problems: r.problems, kind: 'csv', delimiter: r.delimiter, sourceRows: r.sourceRows, checksum: hash.digest('hex') };
}

export async function runFifoCommand(argv: string[], io: CommandIo = defaultIo): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    if (args) io.stderr(args + '\n');
    io.stderr(USAGE);
    return args ? 1 : 0;
  }
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  if (args.input) args.input = path.resolve(cwd, args.input);
  if (args.out) args.out = path.resolve(cwd, args.out);

  if (args.sql && !args.runOn) {
    io.stdout(fifoSql({ table: args.table, output: args.output }) + ';\n');
    return 0;
  }
  if (args.mode !== 'lots' && args.runOn) {
    io.stderr('The SQL computes lots mode only; the one-to-one legacy mode runs in the engine.\n');
    return 1;
  }
  if (!args.out) {
    io.stderr('--out <dir> is required.\n' + USAGE);
    return 1;
  }
  if (!args.input && !args.runOn) {
    io.stderr('Give an input file (.xlsx or .csv).\n' + USAGE);
    return 1;
  }
  if (args.input && !fs.existsSync(args.input)) {
    io.stderr(`The input file ${args.input} does not exist.\n`);
    return 1;
  }
  fs.mkdirSync(args.out, { recursive: true });
  const out = (name: string) => path.join(args.out!, name);

  if (args.runOn) return runOnPostgres(args, io, out);

  // Wall and CPU time per phase: on a shared machine the gap between them is the wait for a core.
  const timings: Record<string, number> = {};
  const cpuMs = () => {
    const u = process.cpuUsage();
    return Math.round((u.user + u.system) / 1000);
  };
  let t0 = Date.now();
  let c0 = cpuMs();
  const input = await loadInput(args.input!, args.sheet);
  timings.readMs = Date.now() - t0;
  timings.readCpuMs = cpuMs() - c0;
  const problems = [...input.problems];
  const stoppedBy = problems.filter((p) => isBlocking(p) && (p.code === 'missing-column' || p.code === 'empty-sheet' || p.code === 'missing-sheet'));
  if (stoppedBy.length) {
    writeCsv(out('problems.csv'), PROBLEM_COLUMNS.map((h) => ({ header: h, type: 'text' })), problemRows(problems));
    for (const p of stoppedBy) io.stderr(`${p.source}: ${p.message}\n`);
    io.stderr(`Stopped: nothing was matched. See ${out('problems.csv')}.\n`);
    return 2;
  }

  t0 = Date.now();
  c0 = cpuMs();
  const result = allocateFifo(input.transactions, { mode: args.mode });
  timings.matchMs = Date.now() - t0;
  timings.matchCpuMs = cpuMs() - c0;
  // The engine keeps its own copy of the matched rows in processing order; let the input copy go.
  input.transactions = result.transactions;
  problems.push(...result.problems);
  problems.push(...validateFifoResults(result));
  const analytics = fifoAnalytics(result, { asOf: args.asOf });

  t0 = Date.now();
  c0 = cpuMs();
  const counts: Record<string, number> = {
    inputRows: input.sourceRows,
    matchedRows: result.order.length,
    leftOut: input.sourceRows - result.order.length,
    customers: analytics.customers,
  };
  // The result checksum covers the allocations and unmatched files as written (see src/fifo/canonical.ts).
  const resultHash = createHash('sha256').update(`mode ${args.mode}\r\n`);
  writeByteChunks(out('allocations.csv'), allocationCsvBytes(result), resultHash);
  counts.allocations = result.allocations.count;
  if (input.kind === 'csv') await writeCsvWithRedemptions(args.input!, out('tc_data_with_redemptions.csv'), result, input.delimiter);
  else writeTableWithRedemptions(input.source!, out('tc_data_with_redemptions.csv'), result);
  writeByteChunks(out('customer_balance_history.csv'), balanceHistoryCsvBytes(result));
  writeByteChunks(out('customer_current_balances.csv'), currentBalanceCsvBytes(result, args.asOf));
  writeByteChunks(out('unmatched.csv'), unmatchedCsvBytes(result), resultHash);
  counts.unmatched = analytics.unmatchedCount;

  if (args.xlsx) {
    const rowsNeeded = Math.max(result.allocations.count, input.sourceRows, result.order.length);
    if (rowsNeeded > 1_048_000) {
      problems.push(blocking({ source: 'fifo.xlsx', message: `fifo.xlsx was not written: ${rowsNeeded} rows do not fit in an Excel sheet (1,048,576 rows); use the CSV files.`, code: 'xlsx-too-large' }));
    } else {
      const source: Table = input.source ?? (await csvAsTable(args.input!));
      await writeWorkbookFile(out('fifo.xlsx'), buildFifoSheets(result, { source, asOf: args.asOf, analytics }));
    }
  }
  timings.writeMs = Date.now() - t0;
  timings.writeCpuMs = cpuMs() - c0;

  const inputChecksum = `sha256:${input.checksum}`;
  const resultChecksum = `sha256:${resultHash.digest('hex')}`;
  const blockingCount = countBlocking(problems);
  writeCsv(out('problems.csv'), PROBLEM_COLUMNS.map((h) => ({ header: h, type: 'text' })), problemRows(problems));

  const record: RunRecord = {
    job: 'fifo',
    inputChecksum,
    rowCounts: counts,
    mode: args.mode,
    options: { asOf: args.asOf ?? null, sheet: input.kind === 'xlsx' ? args.sheet : null, input: path.basename(args.input!) },
    version: packageVersion(),
    resultChecksum,
  };
  let runId: string | null = null;
  if (args.record) {
    try {
      runId = await recordRunInStore(record, env);
    } catch (e) {
      io.stderr(`Warning: the run was not recorded in the store: ${(e as Error).message}\n`);
    }
  }
  const report = {
    ...analytics,
    input: path.basename(args.input!),
    rowCounts: counts,
    problems: { blocking: blockingCount, warnings: problems.length - blockingCount },
    inputChecksum,
    resultChecksum,
    version: record.version,
    runId,
    timings,
  };
  fs.writeFileSync(out('analytics_report.json'), JSON.stringify(report, null, 2) + '\n');

  io.stdout(
    `FIFO (${args.mode}): ${counts.matchedRows} transactions of ${analytics.customers} customers, ${counts.allocations} allocations, ` +
      `${analytics.unmatchedCount} unmatched (${formatAmount(analytics.unmatchedCents)}), match rate ${matchRateText(analytics)}.\n` +
      `Wrote ${FIFO_OUTPUT_FILES.join(', ')}${args.xlsx && fs.existsSync(out('fifo.xlsx')) ? ', fifo.xlsx' : ''} to ${args.out}.\n`,
  );
  if (hasBlocking(problems)) {
    io.stderr(`${blockingCount} blocking problems (rows left out of matching): see ${out('problems.csv')}.\n`);
    return 2;
  }
  return 0;
}

async function csvAsTable(file: string): Promise<Table> {
  const rows: Cell[][] = [];
  let header: string[] = [];
  await streamCsvFields(file, (v) => {
    if (!header.length) header = v.texts().map((h) => h.trim());
    else rows.push(v.texts());
  });
  return { name: path.basename(file), header, rows, firstRowNumber: 2 };
}

async function runOnPostgres(args: Args, io: CommandIo, out: (name: string) => string): Promise<number> {
  const client = new pg.Client({ connectionString: args.runOn });
  await client.connect();
  let code = 0;
  try {
    if (args.input) {
      const input = await loadInput(args.input, args.sheet);
      if (hasBlocking(input.problems)) {
        code = 2;
        writeCsv(out('problems.csv'), PROBLEM_COLUMNS.map((h) => ({ header: h, type: 'text' })), problemRows(input.problems));
        io.stderr(`Blocking problems in the input (see ${out('problems.csv')}); rows left out are not loaded.\n`);
      }
      const n = await loadFifoTable(client, args.table, input.transactions);
      io.stdout(`Loaded ${n} rows into ${args.table}.\n`);
    }
    const alloc = await client.query(fifoSql({ table: args.table }));
    writeCsv(
      out('allocations.csv'),
      ALLOCATION_COLUMNS,
      alloc.rows.map((r) => [r.REDEEM_TRANS_ID as string, r.EARNED_TRANS_ID as string, Number(r.AMOUNT_CENTS)]),
    );
    const un = await client.query(fifoSql({ table: args.table, output: 'unmatched' }));
    writeCsv(out('unmatched.csv'), UNMATCHED_COLUMNS, un.rows.map((r) => [r.TRANS_ID as string, Number(r.UNMATCHED_CENTS)]));
    io.stdout(`PostgreSQL: ${alloc.rows.length} allocations, ${un.rows.length} unmatched redemptions; wrote allocations.csv and unmatched.csv to ${args.out}.\n`);
    return code;
  } finally {
    await client.end();
  }
}
