/**
 * The CSV texts of a FIFO run's outputs, produced in chunks straight from the typed columns
 * (no row arrays, no generator step per row: 10M rows of history write in seconds). Numbers-only
 * ids are written as they are; any other id goes through the kernel writer (quoting, formula
 * neutralising). Amounts with two decimals (`centsText`, equal to the kernel's formatAmount for
 * two-decimal currencies).
 *
 * The result checksum recorded with each run is the SHA-256 of `fifoResultCanonical` — the
 * allocations CSV followed by the unmatched CSV — so the CLI, the server and the task pane get the
 * same checksum for the same result (hosts hash; src stays pure).
 *
 * Public API
 * - `centsText(cents)`: '-1234.56'.
 * - `allocationCsvChunks(result)`, `balanceHistoryCsvChunks(result)`, `currentBalanceCsvChunks(result, asOf?)`,
 *   `unmatchedCsvChunks(result)`: header line, then the rows, as chunks of text with CRLF line ends.
 * - `allocationCsvBytes`, `balanceHistoryCsvBytes`, `currentBalanceCsvBytes(result, asOf?)`, `unmatchedCsvBytes`: the
 *   same files as UTF-8 byte chunks (what the CLI writes; canonical.test.ts proves the bytes equal).
 * - `BalanceFilesInput`: the columns the balance history and current balances need.
 * - the byte writers write into the kernel's ByteWriter (src/kernel/byte-writer.ts).
 * - `RedemptionSuffixes(result).suffix(sourceIndex)`: `,REDEEMID,REMAINING` for one input row; `.write(sourceIndex, out)` as bytes.
 * - `fifoResultCanonical(result)`: allocation chunks then unmatched chunks.
 * - `fifoInputCanonical(tx)`: the matched input rows as text (task pane input checksum).
 */
import { csvRow } from '../kernel/csv';
import { EARNED, TYPE_NAMES, type FifoTransactions } from './transactions';
import { balancesAsOf, type FifoResult } from './allocate';
import { ALLOCATION_COLUMNS, BALANCE_HISTORY_COLUMNS, IsoDateTimeCache, UNMATCHED_COLUMNS, currentBalanceColumns } from './report';
import { ByteWriter } from '../kernel/byte-writer';

export const CSV_EOL = '\r\n';
const CHUNK = 8192;

export function centsText(cents: number): string {
  const neg = cents < 0;
  const a = neg ? -cents : cents;
  const frac = a % 100;
  return (neg ? '-' : '') + Math.floor(a / 100) + (frac < 10 ? '.0' : '.') + frac;
}

/** What the balance history and current balances are written from (a host may hand just these to another thread). */
export type BalanceFilesInput = Pick<FifoResult, 'order' | 'balanceAfter' | 'customerOrder' | 'groupStart' | 'balance'> & {
  transactions: Pick<FifoTransactions, 'count' | 'active' | 'customerOf' | 'customers' | 'createdMs' | 'type' | 'amount' | 'idNum' | 'idText'>;
};

type Ids = Pick<FifoTransactions, 'idNum' | 'idText'>;

function idCell(tx: Ids, i: number): string {
  const n = tx.idNum[i]!;
  return n === n ? String(n) : csvRow([tx.idText.get(i)!]);
}

/** Customer ids as CSV cells, computed once per customer. */
function customerCells(tx: Pick<FifoTransactions, 'customers'>): string[] {
  return tx.customers.map((c) => (/^\d+$/.test(c) ? c : csvRow([c])));
}

function header(columns: { header: string }[]): string {
  return csvRow(columns.map((c) => c.header)) + CSV_EOL;
}

export function* allocationCsvChunks(result: FifoResult): Generator<string> {
  const tx = result.transactions;
  const al = result.allocations;
  yield header(ALLOCATION_COLUMNS);
  let buf = '';
  for (let k = 0; k < al.count; k++) {
    buf += idCell(tx, al.redeem[k]!) + ',' + idCell(tx, al.earned[k]!) + ',' + centsText(al.amount[k]!) + CSV_EOL;
    if ((k & (CHUNK - 1)) === CHUNK - 1) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

export function* balanceHistoryCsvChunks(result: FifoResult): Generator<string> {
  const tx = result.transactions;
  const customers = customerCells(tx);
  const dates = new IsoDateTimeCache();
  yield header(BALANCE_HISTORY_COLUMNS);
  // Rows of a customer are scattered over the input: gathering a block of each column in a tight
  // loop first lets the CPU overlap the cache misses (about 3x faster than reading inside the
  // formatting loop on 10M rows).
  const order = result.order;
  const cust = new Int32Array(CHUNK);
  const created = new Float64Array(CHUNK);
  const type = new Uint8Array(CHUNK);
  const amount = new Float64Array(CHUNK);
  const bal = new Float64Array(CHUNK);
  for (let from = 0; from < order.length; from += CHUNK) {
    const n = Math.min(CHUNK, order.length - from);
    for (let j = 0; j < n; j++) cust[j] = tx.customerOf[order[from + j]!]!;
    for (let j = 0; j < n; j++) created[j] = tx.createdMs[order[from + j]!]!;
    for (let j = 0; j < n; j++) type[j] = tx.type[order[from + j]!]!;
    for (let j = 0; j < n; j++) amount[j] = tx.amount[order[from + j]!]!;
    for (let j = 0; j < n; j++) bal[j] = result.balanceAfter[order[from + j]!]!;
    let buf = '';
    for (let j = 0; j < n; j++) {
      buf +=
        customers[cust[j]!] + ',' + idCell(tx, order[from + j]!) + ',' + dates.format(created[j]!) + ',' + TYPE_NAMES[type[j]!] + ',' +
        centsText(amount[j]!) + ',' + centsText(bal[j]!) + CSV_EOL;
    }
    yield buf;
  }
}

export function* currentBalanceCsvChunks(result: FifoResult, asOf?: string): Generator<string> {
  const tx = result.transactions;
  const customers = customerCells(tx);
  const asOfBalances = asOf ? balancesAsOf(result, asOf) : undefined;
  yield header(currentBalanceColumns(asOf));
  let buf = '';
  for (let k = 0; k < result.customerOrder.length; k++) {
    if (result.groupStart[k + 1] === result.groupStart[k]) continue;
    const c = result.customerOrder[k]!;
    buf += customers[c] + ',' + centsText(result.balance[c]!) + (asOfBalances ? ',' + centsText(asOfBalances[c]!) : '') + CSV_EOL;
    if ((k & (CHUNK - 1)) === CHUNK - 1) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

export function* unmatchedCsvChunks(result: FifoResult): Generator<string> {
  const tx = result.transactions;
  yield header(UNMATCHED_COLUMNS);
  let buf = '';
  let n = 0;
  for (let p = 0; p < result.order.length; p++) {
    const r = result.order[p]!;
    const u = result.unmatched[r]!;
    if (u <= 0) continue;
    buf += idCell(tx, r) + ',' + centsText(u) + CSV_EOL;
    if ((++n & (CHUNK - 1)) === 0) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

/**
 * `,REDEEMID,REMAINING` for source data rows of "TC_Data with redemptions" (blank for redemptions
 * and rows left out), to append to the row's own cells. Rows are asked for in input order while the
 * results are in processing order, so the two columns are first laid out in input order by one pass
 * that reads the results in sequence and writes scattered (on 10M rows several times faster than
 * following rowOfSource for every row).
 */
export class RedemptionSuffixes {
  /** Per source row: -2 not an earned row (or left out), -1 lot still open, else the row that closed it. */
  private by: Int32Array | null = null;
  private left: Float64Array | null = null;
  constructor(private readonly result: FifoResult) {}

  private layOut(): void {
    const { rowOfSource, transactions: tx, closedBy, remaining } = this.result;
    const by = new Int32Array(rowOfSource.length).fill(-2);
    const left = new Float64Array(rowOfSource.length);
    const src = tx.sourceIndex;
    for (let k = 0; k < tx.count; k++) {
      if (tx.type[k] !== EARNED) continue;
      const s = src[k]!;
      by[s] = closedBy[k]!;
      left[s] = remaining[k]!;
    }
    this.by = by;
    this.left = left;
  }

  suffix(sourceIndex: number): string {
    if (!this.by) this.layOut();
    const by = sourceIndex < this.by!.length ? this.by![sourceIndex]! : -2;
    if (by === -2) return ',,';
    return ',' + (by >= 0 ? idCell(this.result.transactions, by) : '') + ',' + centsText(this.left![sourceIndex]!);
  }

  /** suffix(sourceIndex) written into out. */
  write(sourceIndex: number, out: ByteWriter): void {
    if (!this.by) this.layOut();
    const by = sourceIndex < this.by!.length ? this.by![sourceIndex]! : -2;
    out.byte(44);
    if (by === -2) {
      out.byte(44);
      return;
    }
    if (by >= 0) writeId(out, this.result.transactions, by);
    out.byte(44);
    out.cents(this.left![sourceIndex]!);
  }
}

/** Texts written many times (a customer's id on each of its rows), encoded to UTF-8 once and then copied. */
class EncodedCells {
  private readonly bytes: Uint8Array;
  private readonly start: Int32Array;
  constructor(texts: readonly string[]) {
    const all = new ByteWriter(Math.max(16, texts.length * 8));
    this.start = new Int32Array(texts.length + 1);
    for (let i = 0; i < texts.length; i++) {
      all.text(texts[i]!);
      this.start[i + 1] = all.pos;
    }
    this.bytes = all.buf;
  }
  write(out: ByteWriter, i: number): void {
    out.copy(this.bytes, this.start[i]!, this.start[i + 1]!);
  }
}

/** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range where isoDateTime writes a plain four-digit year. */
const MIN_FOUR_DIGIT_YEAR_MS = -62167219200000;
const MAX_FOUR_DIGIT_YEAR_MS = 253402300799000;

const DAY_MS = 86_400_000;
/** Days a table of date prefixes covers at most (179 years; a wider span writes through isoSecond). */
const MAX_DAY_SPAN = 1 << 16;

/**
 * ByteWriter.isoSecond for whole seconds between `minMs` and `maxMs`, copied from two tables filled as
 * met — each day's `YYYY-MM-DDT` and each second of the day's `HH:MM:SSZ`, both rendered by isoSecond
 * itself — instead of the date arithmetic per row (a third of the balance history's writing).
 */
class IsoSeconds {
  private readonly scratch = new ByteWriter(32);
  private readonly minDay: number;
  private readonly dayBytes: Uint8Array | null;
  private readonly dayDone: Uint8Array | null;
  private readonly secBytes = new Uint8Array(86_400 * 9);
  private readonly secDone = new Uint8Array(86_400);
  constructor(minMs: number, maxMs: number) {
    this.minDay = Math.floor(minMs / DAY_MS);
    const span = Math.floor(maxMs / DAY_MS) - this.minDay + 1;
    const fits = span > 0 && span <= MAX_DAY_SPAN;
    this.dayBytes = fits ? new Uint8Array(span * 11) : null;
    this.dayDone = fits ? new Uint8Array(span) : null;
  }
  /** out.isoSecond(ms), ms a whole second in years 0000–9999. */
  write(out: ByteWriter, ms: number): void {
    if (!this.dayBytes) return out.isoSecond(ms);
    const day = Math.floor(ms / DAY_MS);
    const d = day - this.minDay;
    const sec = (ms - day * DAY_MS) / 1000;
    if (!this.dayDone![d]) this.fill(this.dayBytes, d, day * DAY_MS, 0, 11, this.dayDone!);
    if (!this.secDone[sec]) this.fill(this.secBytes, sec, sec * 1000, 11, 9, this.secDone);
    out.copy(this.dayBytes, d * 11, d * 11 + 11);
    out.copy(this.secBytes, sec * 9, sec * 9 + 9);
  }
  private fill(table: Uint8Array, k: number, ms: number, from: number, width: number, done: Uint8Array): void {
    this.scratch.pos = 0;
    this.scratch.isoSecond(ms);
    table.set(this.scratch.buf.subarray(from, from + width), k * width);
    done[k] = 1;
  }
}

/** Byte chunks of at least this size are handed out (the last one may be smaller). */
const BYTE_CHUNK = 1 << 20;

function writeId(out: ByteWriter, tx: Ids, i: number): void {
  const n = tx.idNum[i]!;
  if (n === n && n >= 0 && n <= Number.MAX_SAFE_INTEGER && Number.isInteger(n)) out.integer(n);
  else out.text(idCell(tx, i));
}

/**
 * The same bytes as the string generators above, as UTF-8 chunks: `allocationCsvBytes`,
 * `balanceHistoryCsvBytes`, `currentBalanceCsvBytes`, `unmatchedCsvBytes`. Each chunk is a view of
 * one reused buffer, valid until the generator is resumed (hosts write or hash it at once).
 */
export function* allocationCsvBytes(result: FifoResult): Generator<Uint8Array> {
  const tx = result.transactions;
  const al = result.allocations;
  const out = new ByteWriter(BYTE_CHUNK + (1 << 16));
  out.text(header(ALLOCATION_COLUMNS));
  for (let k = 0; k < al.count; k++) {
    writeId(out, tx, al.redeem[k]!);
    out.byte(44);
    writeId(out, tx, al.earned[k]!);
    out.byte(44);
    out.cents(al.amount[k]!);
    out.crlf();
    if (out.pos >= BYTE_CHUNK) yield out.take();
  }
  if (out.pos) yield out.take();
}

export function* balanceHistoryCsvBytes(result: BalanceFilesInput): Generator<Uint8Array> {
  const tx = result.transactions;
  const customers = new EncodedCells(customerCells(tx));
  const dates = new IsoDateTimeCache();
  const out = new ByteWriter(BYTE_CHUNK + (1 << 16));
  out.text(header(BALANCE_HISTORY_COLUMNS));
  const typeNames = new EncodedCells(TYPE_NAMES.map((t) => ',' + t + ','));
  // Blocks of each column gathered in tight loops first, as in balanceHistoryCsvChunks.
  const order = result.order;
  let minMs = Infinity;
  let maxMs = -Infinity;
  for (let p = 0; p < order.length; p++) {
    const ms = tx.createdMs[order[p]!]!;
    if (ms < minMs) minMs = ms;
    if (ms > maxMs) maxMs = ms;
  }
  const seconds = new IsoSeconds(Math.max(minMs, MIN_FOUR_DIGIT_YEAR_MS), Math.min(maxMs, MAX_FOUR_DIGIT_YEAR_MS));
  const cust = new Int32Array(CHUNK);
  const created = new Float64Array(CHUNK);
  const type = new Uint8Array(CHUNK);
  const amount = new Float64Array(CHUNK);
  const bal = new Float64Array(CHUNK);
  for (let from = 0; from < order.length; from += CHUNK) {
    const n = Math.min(CHUNK, order.length - from);
    for (let j = 0; j < n; j++) cust[j] = tx.customerOf[order[from + j]!]!;
    for (let j = 0; j < n; j++) created[j] = tx.createdMs[order[from + j]!]!;
    for (let j = 0; j < n; j++) type[j] = tx.type[order[from + j]!]!;
    for (let j = 0; j < n; j++) amount[j] = tx.amount[order[from + j]!]!;
    for (let j = 0; j < n; j++) bal[j] = result.balanceAfter[order[from + j]!]!;
    for (let j = 0; j < n; j++) {
      customers.write(out, cust[j]!);
      out.byte(44);
      writeId(out, tx, order[from + j]!);
      out.byte(44);
      const ms = created[j]!;
      if (ms % 1000 !== 0 || !(ms >= MIN_FOUR_DIGIT_YEAR_MS && ms <= MAX_FOUR_DIGIT_YEAR_MS)) out.text(dates.format(ms));
      else seconds.write(out, ms);
      typeNames.write(out, type[j]!);
      out.cents(amount[j]!);
      out.byte(44);
      out.cents(bal[j]!);
      out.crlf();
    }
    if (out.pos >= BYTE_CHUNK) yield out.take();
  }
  if (out.pos) yield out.take();
}

export function* currentBalanceCsvBytes(result: BalanceFilesInput, asOf?: string): Generator<Uint8Array> {
  const tx = result.transactions;
  const customers = new EncodedCells(customerCells(tx));
  const asOfBalances = asOf ? balancesAsOf(result, asOf) : undefined;
  const out = new ByteWriter(BYTE_CHUNK + (1 << 16));
  out.text(header(currentBalanceColumns(asOf)));
  for (let k = 0; k < result.customerOrder.length; k++) {
    if (result.groupStart[k + 1] === result.groupStart[k]) continue;
    const c = result.customerOrder[k]!;
    customers.write(out, c);
    out.byte(44);
    out.cents(result.balance[c]!);
    if (asOfBalances) {
      out.byte(44);
      out.cents(asOfBalances[c]!);
    }
    out.crlf();
    if (out.pos >= BYTE_CHUNK) yield out.take();
  }
  if (out.pos) yield out.take();
}

export function* unmatchedCsvBytes(result: FifoResult): Generator<Uint8Array> {
  const tx = result.transactions;
  const out = new ByteWriter(BYTE_CHUNK + (1 << 16));
  out.text(header(UNMATCHED_COLUMNS));
  for (let p = 0; p < result.order.length; p++) {
    const r = result.order[p]!;
    const u = result.unmatched[r]!;
    if (u <= 0) continue;
    writeId(out, tx, r);
    out.byte(44);
    out.cents(u);
    out.crlf();
    if (out.pos >= BYTE_CHUNK) yield out.take();
  }
  if (out.pos) yield out.take();
}

export function* fifoResultCanonical(result: FifoResult): Generator<string> {
  yield `mode ${result.mode}${CSV_EOL}`;
  yield* allocationCsvChunks(result);
  yield* unmatchedCsvChunks(result);
}

/**
 * The input as canonical rows (`TRANS_ID,TYPE,CREATEDAT_MS,CUSTOMERID,CENTS` per matched row, input
 * order), for an input checksum where there is no file to hash (a workbook sheet in the task pane).
 */
export function* fifoInputCanonical(tx: FifoTransactions): Generator<string> {
  let buf = '';
  let n = 0;
  for (let i = 0; i < tx.count; i++) {
    if (!tx.active[i]) continue;
    const id = tx.idNum[i]!;
    buf += (id === id ? String(id) : tx.idText.get(i)!) + ',' + TYPE_NAMES[tx.type[i]!] + ',' + tx.createdMs[i] + ',' + tx.customers[tx.customerOf[i]!] + ',' + tx.amount[i] + '\n';
    if ((++n & (CHUNK - 1)) === 0) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}
