/**
 * Over 400 lines because each output's string writer (the reference) sits beside its byte writer.
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
 * - `CsvBytes`: growing byte buffer with text (UTF-8), integer, cents (kernel writeAmountAscii), take().
 * - `RedemptionSuffixes(result).suffix(sourceIndex)`: `,REDEEMID,REMAINING` for one input row; `.write(sourceIndex, out)` as bytes.
 * - `fifoResultCanonical(result)`: allocation chunks then unmatched chunks.
 * - `fifoInputCanonical(tx)`: the matched input rows as text (task pane input checksum).
 */
import { csvRow } from '../kernel/csv';
import { EARNED, TYPE_NAMES, type FifoTransactions } from './transactions';
import { balancesAsOf, type FifoResult } from './allocate';
import { ALLOCATION_COLUMNS, BALANCE_HISTORY_COLUMNS, IsoDateTimeCache, UNMATCHED_COLUMNS, currentBalanceColumns } from './report';
import { writeAmountAscii } from '../kernel/money';

export const CSV_EOL = '\r\n';
const CHUNK = 8192;
const DAY_MS = 86_400_000;
const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

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
  write(sourceIndex: number, out: CsvBytes): void {
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

/**
 * A growing byte buffer for CSV output, written cell by cell without making a string per row
 * (on 10M rows the strings and their UTF-8 encoding were most of the write time). Text is encoded
 * as UTF-8 by hand (src has no TextEncoder types); lone surrogates become U+FFFD, as Node writes them.
 */
export class CsvBytes {
  buf: Uint8Array;
  pos = 0;
  constructor(size = 1 << 20) {
    this.buf = new Uint8Array(size);
  }
  /** Makes room for n more bytes. */
  room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
  }
  byte(c: number): void {
    this.room(1);
    this.buf[this.pos++] = c;
  }
  crlf(): void {
    this.room(2);
    this.buf[this.pos++] = 13;
    this.buf[this.pos++] = 10;
  }
  text(s: string): void {
    this.room(s.length * 3);
    const out = this.buf;
    let pos = this.pos;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) out[pos++] = c;
      else if (c < 0x800) {
        out[pos++] = 0xc0 | (c >> 6);
        out[pos++] = 0x80 | (c & 63);
      } else {
        if (c >= 0xd800 && c <= 0xdfff) {
          const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
          if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
            const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
            i++;
            out[pos++] = 0xf0 | (cp >> 18);
            out[pos++] = 0x80 | ((cp >> 12) & 63);
            out[pos++] = 0x80 | ((cp >> 6) & 63);
            out[pos++] = 0x80 | (cp & 63);
            continue;
          }
          c = 0xfffd;
        }
        out[pos++] = 0xe0 | (c >> 12);
        out[pos++] = 0x80 | ((c >> 6) & 63);
        out[pos++] = 0x80 | (c & 63);
      }
    }
    this.pos = pos;
  }
  /** A non-negative integer below 2^53, as String(n) writes it. */
  integer(n: number): void {
    this.room(16);
    let k = 1;
    while (k < 16 && n >= POW10[k]!) k++;
    const out = this.buf;
    let p = this.pos + k;
    this.pos = p;
    // above 32 bits one digit at a time in doubles; below, two at a time in integer arithmetic
    while (n >= 4294967296) {
      const q = Math.floor(n / 10);
      out[--p] = 48 + (n - q * 10);
      n = q;
    }
    let m = n >>> 0;
    while (m >= 100) {
      const q = (m / 100) >>> 0;
      const r = m - q * 100;
      out[--p] = 48 + (r % 10);
      out[--p] = 48 + ((r / 10) | 0);
      m = q;
    }
    if (m >= 10) {
      out[--p] = 48 + (m % 10);
      out[--p] = 48 + ((m / 10) | 0);
    } else out[--p] = 48 + m;
  }
  /**
   * isoDateTime(ms) (`YYYY-MM-DDTHH:MM:SSZ`) for whole seconds in years 0000–9999, from the day number
   * by arithmetic (H. Hinnant's civil_from_days): no Date object and no string per row.
   */
  isoSecond(ms: number): void {
    const day = Math.floor(ms / DAY_MS);
    let sec = (ms - day * DAY_MS) / 1000;
    const z = day + 719468;
    const era = Math.floor(z / 146097);
    const doe = z - era * 146097;
    const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    const mp = Math.floor((5 * doy + 2) / 153);
    const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    const m = mp < 10 ? mp + 3 : mp - 9;
    const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    this.room(20);
    const b = this.buf;
    let p = this.pos;
    b[p++] = 48 + Math.floor(y / 1000);
    b[p++] = 48 + (Math.floor(y / 100) % 10);
    b[p++] = 48 + (Math.floor(y / 10) % 10);
    b[p++] = 48 + (y % 10);
    b[p++] = 45;
    b[p++] = 48 + Math.floor(m / 10);
    b[p++] = 48 + (m % 10);
    b[p++] = 45;
    b[p++] = 48 + Math.floor(d / 10);
    b[p++] = 48 + (d % 10);
    b[p++] = 84; // 'T'
    const h = Math.floor(sec / 3600);
    sec -= h * 3600;
    const mi = Math.floor(sec / 60);
    sec -= mi * 60;
    b[p++] = 48 + Math.floor(h / 10);
    b[p++] = 48 + (h % 10);
    b[p++] = 58;
    b[p++] = 48 + Math.floor(mi / 10);
    b[p++] = 48 + (mi % 10);
    b[p++] = 58;
    b[p++] = 48 + Math.floor(sec / 10);
    b[p++] = 48 + (sec % 10);
    b[p++] = 90; // 'Z'
    this.pos = p;
  }
  /** formatAmount(cents) for a two-decimal currency (see the kernel's writeAmountAscii). */
  cents(c: number): void {
    this.room(24);
    this.pos = writeAmountAscii(c, this.buf, this.pos);
  }
  /** The bytes written so far (a view: valid until the next write), and starts over. */
  take(): Uint8Array {
    const v = this.buf.subarray(0, this.pos);
    this.pos = 0;
    return v;
  }
}

/** Texts written many times (a customer's id on each of its rows), encoded to UTF-8 once and then copied. */
class EncodedCells {
  private readonly bytes: Uint8Array;
  private readonly start: Int32Array;
  constructor(texts: readonly string[]) {
    const all = new CsvBytes(Math.max(16, texts.length * 8));
    this.start = new Int32Array(texts.length + 1);
    for (let i = 0; i < texts.length; i++) {
      all.text(texts[i]!);
      this.start[i + 1] = all.pos;
    }
    this.bytes = all.buf;
  }
  write(out: CsvBytes, i: number): void {
    const s = this.start[i]!;
    const e = this.start[i + 1]!;
    out.room(e - s);
    const b = out.buf;
    const src = this.bytes;
    let p = out.pos;
    // by hand: a native copy of a few bytes costs more than the loop
    for (let k = s; k < e; k++) b[p++] = src[k]!;
    out.pos = p;
  }
}

/** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range where isoDateTime writes a plain four-digit year. */
const MIN_FOUR_DIGIT_YEAR_MS = -62167219200000;
const MAX_FOUR_DIGIT_YEAR_MS = 253402300799000;

/** Byte chunks of at least this size are handed out (the last one may be smaller). */
const BYTE_CHUNK = 1 << 20;

function writeId(out: CsvBytes, tx: Ids, i: number): void {
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
  const out = new CsvBytes(BYTE_CHUNK + (1 << 16));
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
  const out = new CsvBytes(BYTE_CHUNK + (1 << 16));
  out.text(header(BALANCE_HISTORY_COLUMNS));
  const typeNames = new EncodedCells(TYPE_NAMES.map((t) => ',' + t + ','));
  // Blocks of each column gathered in tight loops first, as in balanceHistoryCsvChunks.
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
    for (let j = 0; j < n; j++) {
      customers.write(out, cust[j]!);
      out.byte(44);
      writeId(out, tx, order[from + j]!);
      out.byte(44);
      const ms = created[j]!;
      if (ms % 1000 !== 0 || !(ms >= MIN_FOUR_DIGIT_YEAR_MS && ms <= MAX_FOUR_DIGIT_YEAR_MS)) out.text(dates.format(ms));
      else out.isoSecond(ms);
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
  const out = new CsvBytes(BYTE_CHUNK + (1 << 16));
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
  const out = new CsvBytes(BYTE_CHUNK + (1 << 16));
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
