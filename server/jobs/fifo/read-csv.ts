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
 * While reading, each data record's place in the file is kept (`RecordSpans`) with whether the kernel
 * writer would write it as it is, so "TC_Data with redemptions" copies the input's bytes instead of
 * splitting the file a second time.
 *
 * Public API
 * - `readFifoCsv(file, { refs?, fast? })` → { transactions, problems, header, sourceRows, delimiter, spans }.
 * - `RecordSpans`: file offset and length of every data record, and `verbatim` (1: copy the bytes as they are).
 * - `fastDateMs`, `fastCents`, `fastId`: the byte readers (exported for the equivalence test).
 */
import fs from 'node:fs';
import path from 'node:path';
import { FifoReader, TC_DATA_SCHEMA, type ReferenceSets } from '../../../src/fifo/read';
import { EARNED, EXPIRED, SPENT, type FifoTransactions } from '../../../src/fifo/transactions';
import { findColumns } from '../../../src/kernel/table';
import { AMOUNT_INTEGER, AMOUNT_POINT, plainAmount, plainAmountAt } from '../../../src/kernel/money';
import type { Problem } from '../../../src/kernel/problems';
import { streamCsvFields, type CsvRecordView } from './csv-stream';

export interface FifoCsvInput {
  transactions: FifoTransactions;
  problems: Problem[];
  header: string[];
  /** Data records read (blank lines skipped). */
  sourceRows: number;
  delimiter: string;
  /** Where each data record is in the file (index = source row index). */
  spans: RecordSpans;
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

/** The file offset and byte length of each data record, and whether its bytes can be copied as they are. */
export class RecordSpans {
  count = 0;
  start: Uint32Array | Float64Array;
  length: Int32Array;
  /** 1 when the record is comma-separated and nothing in it needs neutralising (see the kernel's CSV writer). */
  verbatim: Uint8Array;
  constructor(
    capacity: number,
    private readonly wide: boolean,
  ) {
    this.start = wide ? new Float64Array(capacity) : new Uint32Array(capacity);
    this.length = new Int32Array(capacity);
    this.verbatim = new Uint8Array(capacity);
  }

  add(v: CsvRecordView, commas: boolean): void {
    if (this.count === this.length.length) this.grow();
    const i = this.count++;
    this.start[i] = v.base + v.recordStart;
    this.length[i] = v.recordEnd - v.recordStart;
    let ok = commas;
    if (ok) {
      const buf = v.buf;
      const st = v.start;
      const en = v.end;
      for (let f = 0; f < v.count; f++) {
        if (DANGER[buf[st[f]!]!] && st[f]! < en[f]! && !fieldIsSafe(buf, st[f]!, en[f]!)) {
          ok = false;
          break;
        }
      }
    }
    this.verbatim[i] = ok ? 1 : 0;
  }

  private grow(): void {
    const n = this.length.length * 2;
    const start = this.wide ? new Float64Array(n) : new Uint32Array(n);
    start.set(this.start);
    const length = new Int32Array(n);
    length.set(this.length);
    const verbatim = new Uint8Array(n);
    verbatim.set(this.verbatim);
    [this.start, this.length, this.verbatim] = [start, length, verbatim];
  }
}

/** Data records the file probably holds, from the length of its first lines (sizes the columns once instead of growing them). */
function estimateRecords(file: string, size: number): number {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.allocUnsafe(Math.min(size, 1 << 16));
    const n = fs.readSync(fd, head, 0, head.length, 0);
    let lines = 0;
    for (let i = 0; i < n; i++) if (head[i] === 10) lines++;
    if (lines < 2 || n === size) return Math.max(16, lines + 1);
    return Math.ceil((size / n) * lines * 1.05) + 1024;
  } finally {
    fs.closeSync(fd);
  }
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
/** Byte → digit value, 128 for anything else (an OR of digits stays below 16, any non-digit makes it ≥ 128). */
const DIGIT = new Uint8Array(256).fill(128);
for (let d = 0; d < 10; d++) DIGIT[48 + d] = d;
/** Days since 1970-01-01 of the first of each month of years 1000–9999, filled as met. */
const MONTH_START = new Float64Array(9000 * 12).fill(NaN);

/** Epoch ms of `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SS` (optionally `Z`); NaN otherwise. */
export function fastDateMs(buf: Buffer, s: number, e: number): number {
  const n = e - s;
  if ((n !== 10 && n !== 19 && n !== 20) || buf[s + 4] !== 45 || buf[s + 7] !== 45) return NaN;
  const y0 = DIGIT[buf[s]!]!;
  const y1 = DIGIT[buf[s + 1]!]!;
  const y2 = DIGIT[buf[s + 2]!]!;
  const y3 = DIGIT[buf[s + 3]!]!;
  const m0 = DIGIT[buf[s + 5]!]!;
  const m1 = DIGIT[buf[s + 6]!]!;
  const d0 = DIGIT[buf[s + 8]!]!;
  const d1 = DIGIT[buf[s + 9]!]!;
  if ((y0 | y1 | y2 | y3 | m0 | m1 | d0 | d1) >= 128) return NaN;
  const y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const m = m0 * 10 + m1;
  const d = d0 * 10 + d1;
  if (y < 1000 || m < 1 || m > 12 || d < 1) return NaN;
  if (d > DAYS[m - 1]! && !(m === 2 && d === 29 && ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0))) return NaN;
  const k = (y - 1000) * 12 + m - 1;
  let first = MONTH_START[k]!;
  if (first !== first) first = MONTH_START[k] = daysFromCivil(y, m, 1);
  const dayMs = (first + d - 1) * 86_400_000;
  if (n === 10) return dayMs;
  const sep = buf[s + 10];
  if ((sep !== 32 && sep !== 84) || buf[s + 13] !== 58 || buf[s + 16] !== 58 || (n === 20 && buf[s + 19] !== 90)) return NaN;
  const h0 = DIGIT[buf[s + 11]!]!;
  const h1 = DIGIT[buf[s + 12]!]!;
  const i0 = DIGIT[buf[s + 14]!]!;
  const i1 = DIGIT[buf[s + 15]!]!;
  const s0 = DIGIT[buf[s + 17]!]!;
  const s1 = DIGIT[buf[s + 18]!]!;
  if ((h0 | h1 | i0 | i1 | s0 | s1) >= 128) return NaN;
  const h = h0 * 10 + h1;
  const mi = i0 * 10 + i1;
  const se = s0 * 10 + s1;
  if (h > 23 || mi > 59 || se > 59) return NaN;
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
  const form = plainAmountAt(buf, s, e);
  return form === AMOUNT_INTEGER || form === AMOUNT_POINT ? plainAmount.cents : NaN;
}

/** A plain positive integer id of at most 15 digits without a leading zero ("0" itself allowed); -1 otherwise. */
export function fastId(buf: Buffer, s: number, e: number): number {
  const n = e - s;
  if (n < 1 || n > 15) return -1;
  if (n > 1 && buf[s] === D0) return -1;
  return digits(buf, s, n);
}

/** fastId of an id as text (String(n) gives it back). */
function plainId(id: string): number {
  return id.length <= 15 && /^(0|[1-9][0-9]*)$/.test(id) ? Number(id) : -1;
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
  options: { refs?: ReferenceSets; capacity?: number; fast?: boolean; chunkBytes?: number } = {},
): Promise<FifoCsvInput> {
  const source = path.basename(file);
  const refs = options.refs ?? {};
  const size = fs.statSync(file).size;
  const capacity = options.capacity ?? estimateRecords(file, size);
  const reader = new FifoReader(source, refs, capacity);
  const spans = new RecordSpans(capacity, size >= 2 ** 32);
  let commas = true;
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
  // The fast path finds customers by number here, never by text in the builder: a plain-number id the
  // kernel path interned (as text) is entered here too, so that it is met again, not interned twice.
  const customerIds = builder.customerIds;
  const known = (n: number, c: number) => {
    if (n < SMALL_CUSTOMERS) customerBySmallNumber[n] = c + 1;
    else customerByNumber.set(n, c);
  };
  const slow = (v: CsvRecordView, index: number) => {
    const before = customerIds.length;
    reader.addTable({ name: source, header, rows: [v.texts()], firstRowNumber: 2 + index }, index);
    for (let c = before; c < customerIds.length; c++) {
      const n = plainId(customerIds[c]!);
      if (n >= 0) known(n, c);
    }
  };

  await streamCsvFields(file, (v) => {
    if (records === 0) {
      records = 1;
      header = v.texts().map((h) => h.trim());
      delimiter = String.fromCharCode(v.delimiter);
      commas = delimiter === ',';
      reader.addTable({ name: source, header, rows: [] }); // checks the columns once
      const refsList = Object.entries(TC_DATA_SCHEMA).map(([name, f]) => ({ name, aliases: 'aliases' in f ? f.aliases : undefined }));
      const at = findColumns({ name: source, header }, refsList).index;
      [cId, cType, cCreated, cExpires, cCustomer, cAmount] = [at.TRANS_ID!, at.TCTYPE!, at.CREATEDAT!, at.EXPIREDAT!, at.CUSTOMERID!, at.AMOUNT!];
      need = Math.max(cId, cType, cCreated, cCustomer, cAmount) + 1;
      return;
    }
    const index = records - 1;
    records++;
    spans.add(v, commas);
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
      c = builder.newCustomer(String(customer));
      known(customer, c);
    }
    builder.addCheckedNumericId(id, type, created, expires, c, cents, index + 2, index);
    fastRows++;
  }, { highWaterMark: options.chunkBytes });
  reader.noteRows(fastRows);
  if (records === 0) reader.addTable({ name: source, header: [], rows: [] });
  const done = reader.finish();
  return { transactions: done.transactions, problems: done.problems, header, sourceRows: Math.max(0, records - 1), delimiter, spans };
}
