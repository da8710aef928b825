/**
 * TC_Data from a CSV file, streamed into columnar transactions (10M rows never exist as text or
 * as row objects).
 *
 * Fast path: a row whose needed fields are in the plain forms a generated export has — TRANS_ID and
 * CUSTOMERID as plain numbers (≤ 15 digits), TCTYPE in lower case, CREATEDAT/EXPIREDAT as
 * `YYYY-MM-DD[( |T)HH:MM:SS[Z]]`, AMOUNT as `-123.45`, sign agreeing with the type — is read straight
 * from the bytes. Every other row goes through the kernel's typed readers (src/fifo FifoReader),
 * which also write every problem; so the fast path only ever accepts values the kernel reads the
 * same way (./read-csv.test.ts proves it on random rows).
 *
 * Public API
 * - `readFifoCsv(file, { refs?, fast? })` → { transactions, problems, header, sourceRows, delimiter }.
 * - `fastDateMs`, `fastCents`, `fastId`: the byte readers (exported for the equivalence test).
 */
import path from 'node:path';
import { FifoReader, TC_DATA_SCHEMA, type ReferenceSets } from '../../../src/fifo/read';
import { EARNED, EXPIRED, SPENT, type FifoTransactions } from '../../../src/fifo/transactions';
import { findColumns } from '../../../src/kernel/table';
import type { Problem } from '../../../src/kernel/problems';
import { streamCsvFields, type CsvRecordView } from './csv-stream';

export interface FifoCsvInput {
  transactions: FifoTransactions;
  problems: Problem[];
  header: string[];
  /** Data records read (blank lines skipped). */
  sourceRows: number;
  delimiter: string;
}

const D0 = 48;
const SMALL_CUSTOMERS = 1 << 21;

function digitAt(buf: Buffer, i: number): number {
  const c = buf[i]! - D0;
  return c >= 0 && c <= 9 ? c : -1;
}

function digits(buf: Buffer, s: number, n: number): number {
  let v = 0;
  for (let i = s; i < s + n; i++) {
    const d = digitAt(buf, i);
    if (d < 0) return -1;
    v = v * 10 + d;
  }
  return v;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Epoch ms of `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SS` (optionally `Z`); NaN otherwise. */
export function fastDateMs(buf: Buffer, s: number, e: number): number {
  const n = e - s;
  if (n !== 10 && n !== 19 && n !== 20) return NaN;
  if (buf[s + 4] !== 45 || buf[s + 7] !== 45) return NaN;
  const y = digits(buf, s, 4);
  const m = digits(buf, s + 5, 2);
  const d = digits(buf, s + 8, 2);
  if (y < 1000 || m < 1 || m > 12 || d < 1) return NaN;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (d > (m === 2 && leap ? 29 : DAYS[m - 1]!)) return NaN;
  const dayMs = daysFromCivil(y, m, d) * 86_400_000;
  if (n === 10) return dayMs;
  const sep = buf[s + 10];
  if ((sep !== 32 && sep !== 84) || buf[s + 13] !== 58 || buf[s + 16] !== 58) return NaN;
  if (n === 20 && buf[s + 19] !== 90) return NaN;
  const h = digits(buf, s + 11, 2);
  const mi = digits(buf, s + 14, 2);
  const se = digits(buf, s + 17, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) return NaN;
  return dayMs + h * 3_600_000 + mi * 60_000 + se * 1000;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm; Date.UTC is slower). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Cents of `-?\d{1,13}(\.\d{1,2})?`; NaN otherwise. */
export function fastCents(buf: Buffer, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (buf[i] === 45) {
    neg = true;
    i++;
  }
  let whole = 0;
  let nd = 0;
  while (i < e) {
    const d = digitAt(buf, i);
    if (d < 0) break;
    whole = whole * 10 + d;
    nd++;
    i++;
  }
  if (nd === 0 || nd > 13) return NaN;
  let frac = 0;
  if (i < e) {
    if (buf[i] !== 46) return NaN;
    const fd = e - i - 1;
    if (fd < 1 || fd > 2) return NaN;
    const a = digitAt(buf, i + 1);
    const b = fd === 2 ? digitAt(buf, i + 2) : 0;
    if (a < 0 || b < 0) return NaN;
    frac = a * 10 + b;
  }
  const cents = whole * 100 + frac;
  return neg && cents !== 0 ? -cents : cents;
}

/** A plain positive integer id of at most 15 digits without a leading zero ("0" itself allowed); -1 otherwise. */
export function fastId(buf: Buffer, s: number, e: number): number {
  const n = e - s;
  if (n < 1 || n > 15) return -1;
  if (n > 1 && buf[s] === D0) return -1;
  return digits(buf, s, n);
}

function typeCode(buf: Buffer, s: number, e: number): number {
  const n = e - s;
  if (n === 6 && buf[s] === 101 && buf[s + 1] === 97 && buf[s + 2] === 114 && buf[s + 3] === 110 && buf[s + 4] === 101 && buf[s + 5] === 100) return EARNED;
  if (n === 5 && buf[s] === 115 && buf[s + 1] === 112 && buf[s + 2] === 101 && buf[s + 3] === 110 && buf[s + 4] === 116) return SPENT;
  if (n === 7 && buf[s] === 101 && buf[s + 1] === 120 && buf[s + 2] === 112 && buf[s + 3] === 105 && buf[s + 4] === 114 && buf[s + 5] === 101 && buf[s + 6] === 100) return EXPIRED;
  return -1;
}

export async function readFifoCsv(
  file: string,
  options: { refs?: ReferenceSets; capacity?: number; fast?: boolean; onChunk?: (bytes: Buffer) => void } = {},
): Promise<FifoCsvInput> {
  const source = path.basename(file);
  const refs = options.refs ?? {};
  const reader = new FifoReader(source, refs, options.capacity ?? 1 << 20);
  const builder = reader.builder;
  // Reference checks (Customers, Sales) live in the kernel path only.
  const fast = options.fast !== false && !refs.customers && !refs.orders;
  let header: string[] = [];
  let delimiter = ',';
  let cId = -1;
  let cType = -1;
  let cCreated = -1;
  let cExpires = -1;
  let cCustomer = -1;
  let cAmount = -1;
  let need = 0;
  let records = 0;
  const customerByNumber = new Map<number, number>();
  const customerBySmallNumber = new Int32Array(SMALL_CUSTOMERS); // customer index + 1, 0 for none yet

  let fastRows = 0;
  const slow = (v: CsvRecordView, index: number) => {
    reader.addTable({ name: source, header, rows: [v.texts()], firstRowNumber: 2 + index }, index);
  };

  await streamCsvFields(file, (v) => {
    if (records === 0) {
      records = 1;
      header = v.texts().map((h) => h.trim());
      delimiter = String.fromCharCode(v.delimiter);
      reader.addTable({ name: source, header, rows: [] }); // checks the columns once
      const refsList = Object.entries(TC_DATA_SCHEMA).map(([name, f]) => ({ name, aliases: 'aliases' in f ? f.aliases : undefined }));
      const at = findColumns({ name: source, header }, refsList).index;
      [cId, cType, cCreated, cExpires, cCustomer, cAmount] = [at.TRANS_ID!, at.TCTYPE!, at.CREATEDAT!, at.EXPIREDAT!, at.CUSTOMERID!, at.AMOUNT!];
      need = Math.max(cId, cType, cCreated, cCustomer, cAmount) + 1;
      return;
    }
    const index = records - 1;
    records++;
    if (reader.stopped) return;
    if (!fast || v.count < need) return slow(v, index);
    const buf = v.buf;
    const st = v.start;
    const en = v.end;
    const id = fastId(buf, st[cId]!, en[cId]!);
    const type = typeCode(buf, st[cType]!, en[cType]!);
    const created = fastDateMs(buf, st[cCreated]!, en[cCreated]!);
    const customer = fastId(buf, st[cCustomer]!, en[cCustomer]!);
    const cents = fastCents(buf, st[cAmount]!, en[cAmount]!);
    let expires = NaN;
    if (cExpires >= 0 && cExpires < v.count && en[cExpires]! > st[cExpires]!) {
      expires = fastDateMs(buf, st[cExpires]!, en[cExpires]!);
      if (expires !== expires) return slow(v, index);
    }
    if (id < 0 || type < 0 || created !== created || customer < 0 || cents !== cents || (type === EARNED ? cents < 0 : cents > 0)) return slow(v, index);
    // Customer numbers below 2^21 index a table (a Map lookup per row is a second on 10M rows).
    let c = customer < SMALL_CUSTOMERS ? customerBySmallNumber[customer]! - 1 : (customerByNumber.get(customer) ?? -1);
    if (c < 0) {
      c = builder.customer(String(customer));
      if (customer < SMALL_CUSTOMERS) customerBySmallNumber[customer] = c + 1;
      else customerByNumber.set(customer, c);
    }
    builder.addCheckedNumericId(id, type, created, expires, c, cents, index + 2, index);
    fastRows++;
  }, { onChunk: options.onChunk });
  reader.noteRows(fastRows);
  if (records === 0) reader.addTable({ name: source, header: [], rows: [] });
  const done = reader.finish();
  return { transactions: done.transactions, problems: done.problems, header, sourceRows: Math.max(0, records - 1), delimiter };
}
