import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCsv } from '../../../src/kernel/csv';
import { readFifoWorkbook } from '../../../src/fifo/read';
import type { FifoTransactions } from '../../../src/fifo/transactions';
import { streamCsvFields, streamCsvRecords } from './csv-stream';
import { fastCents, fastDateMs, fastId, readFifoCsv } from './read-csv';
import { parseAmount } from '../../../src/kernel/money';
import { readDateTime } from '../../../src/kernel/dates';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fifo-csv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

describe('streamCsvFields / streamCsvRecords', () => {
  const text = '\uFEFFa,b,c\r\n1,"x, y",3\r\n\r\n"multi\nline","say ""hi""",\r\n4,5,6';
  test.each([1, 2, 3, 5, 7, 64])('quotes, doubled quotes, quoted newlines, CRLF, BOM, blank line; chunk size %i', async (hwm) => {
    const f = file(`s${hwm}.csv`, text);
    const records: string[][] = [];
    const raw: string[] = [];
    const n = await streamCsvFields(
      f,
      (v) => {
        records.push(v.texts());
        raw.push(v.buf.toString('utf8', v.recordStart, v.recordEnd));
      },
      { highWaterMark: hwm },
    );
    expect(n).toBe(4);
    expect(records).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', '3'],
      ['multi\nline', 'say "hi"', ''],
      ['4', '5', '6'],
    ]);
    expect(raw[1]).toBe('1,"x, y",3');
    expect(raw[2]).toBe('"multi\nline","say ""hi""",');
  });

  test('the same records as the kernel parser; semicolon delimiter detected', async () => {
    const t = 'A;B\n1;"2;3"\n';
    const batches: string[][][] = [];
    await streamCsvRecords(file('semi.csv', t), (b) => batches.push(b));
    expect(batches.flat()).toEqual([['A', 'B'], ['1', '2;3']]);
    const k = parseCsv(t, { name: 'x' }).table;
    expect([k.header, ...k.rows]).toEqual(batches.flat());
  });
});

describe('fast readers agree with the kernel on what they accept', () => {
  let s = 7;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;

  test('dates', () => {
    const samples = ['2024-02-29', '2023-02-29', '2024-13-01', '2024-00-10', '1999-12-31 23:59:59', '2024-01-01T00:00:00Z', '2024-01-01T24:00:00', '2024-01-01 10:60:00', '0999-01-01', '2024-1-01', '2024-01-01 10:00'];
    for (let i = 0; i < 3000; i++) {
      const y = 1990 + Math.floor(rand() * 60);
      const m = Math.floor(rand() * 14);
      const d = Math.floor(rand() * 33);
      samples.push(`${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}${pick(['', ' ', 'T'])}${pick(['', '12:34:56', '23:59:60', '00:00:00'])}${pick(['', 'Z'])}`);
    }
    let accepted = 0;
    for (const t of samples) {
      const b = Buffer.from(t);
      const fast = fastDateMs(b, 0, b.length);
      if (fast !== fast) continue;
      accepted++;
      const k = readDateTime(t);
      expect([t, k.ok && k.epochMs]).toEqual([t, fast]);
    }
    expect(accepted).toBeGreaterThan(500);
  });

  test('amounts and ids', () => {
    for (let i = 0; i < 5000; i++) {
      const t = pick(['', '-']) + String(Math.floor(rand() * 10 ** Math.floor(rand() * 15))) + pick(['', '.', '.5', '.05', '.123', '.00', 'e3', ',5']);
      const b = Buffer.from(t);
      const c = fastCents(b, 0, b.length);
      if (c === c) {
        const k = parseAmount(t);
        expect([t, k.ok && k.cents]).toEqual([t, c]);
        expect(Object.is(c, -0)).toBe(false);
      }
      const id = fastId(b, 0, b.length);
      if (id >= 0) expect(String(id)).toBe(t);
    }
  });
});

function columns(tx: FifoTransactions) {
  const ids: string[] = [];
  for (let i = 0; i < tx.count; i++) ids.push(Number.isNaN(tx.idNum[i]!) ? tx.idText.get(i)! : String(tx.idNum[i]));
  return {
    ids,
    customers: Array.from(tx.customerOf, (c) => tx.customers[c]),
    type: Array.from(tx.type),
    created: Array.from(tx.createdMs),
    expires: Array.from(tx.expiresMs, (x) => (Number.isNaN(x) ? null : x)),
    amount: Array.from(tx.amount),
    rows: Array.from(tx.rowNumber),
    source: Array.from(tx.sourceIndex),
    active: Array.from(tx.active),
  };
}

describe('readFifoCsv', () => {
  test('fast path, kernel path and the workbook reader give the same transactions and problems', async () => {
    let s = 11;
    const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
    const lines = ['TRANS_ID,TYPE,CREATEDAT,EXPIREDAT,CUSTOMERID,ORDERID,AMOUNT,REASON'];
    for (let i = 0; i < 600; i++) {
      const type = pick(['earned', 'spent', 'expired', 'EARNED', 'gift']);
      const sign = type.toLowerCase() === 'earned' ? '' : '-';
      lines.push(
        [
          pick([String(1000 + i), String(1000 + i), `00${i}`, `${1000 + i}.0`, 'A' + i, String(1000 + (i % 50))]),
          type,
          pick(['2024-01-02', '2024-01-02 10:00:00', '02.01.2024', '45293', '2024-02-30', '']),
          pick(['', '2025-01-01', 'soon']),
          pick(['7', '8', '007', 'C9', '']),
          '',
          pick([`${sign}1.25`, `${sign}3`, `${sign}1,234.50`, `${sign}0.005`, '2.00', '-2.00', `${sign}.5`]),
          pick(['', '"a, b"', '=cmd']),
        ].join(','),
      );
    }
    const text = lines.join('\n') + '\n';
    const f = file('mixed.csv', text);
    const fast = await readFifoCsv(f);
    const slow = await readFifoCsv(f, { fast: false });
    const table = parseCsv(text, { name: 'mixed.csv' }).table;
    const wb = readFifoWorkbook([{ ...table, name: 'TC_Data' }]);
    expect(fast.transactions.count).toBeGreaterThan(100);
    expect(columns(fast.transactions)).toEqual(columns(slow.transactions));
    expect(fast.problems).toEqual(slow.problems);
    expect(columns(fast.transactions)).toEqual(columns(wb.transactions));
    expect(fast.problems.map((p) => [p.row, p.column, p.code])).toEqual(wb.problems.map((p) => [p.row, p.column, p.code]));
    expect(fast.sourceRows).toBe(600);
  });

  test('empty file and missing column stop with one blocking problem', async () => {
    const empty = await readFifoCsv(file('empty.csv', ''));
    expect(empty.problems).toEqual([expect.objectContaining({ code: 'empty-sheet', severity: 'blocking' })]);
    const missing = await readFifoCsv(file('missing.csv', 'TRANS_ID,CREATEDAT,CUSTOMERID,AMOUNT\n1,2024-01-01,5,1.00\n'));
    expect(missing.problems).toEqual([expect.objectContaining({ code: 'missing-column', column: 'TCTYPE' })]);
    expect(missing.transactions.count).toBe(0);
  });
});

test('customers: the fast path meets again, never interns twice, an id the kernel path interned first (and the other way round)', async () => {
  let s = 5;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  const lines = ['TRANS_ID,TCTYPE,CREATEDAT,CUSTOMERID,AMOUNT'];
  for (let i = 0; i < 3000; i++) {
    const customer = rand() < 0.5 ? String(Math.floor(rand() * 60)) : String(3_000_000 + Math.floor(rand() * 60)); // small numbers and ones past the table
    // a kernel-path row (TCTYPE in capitals, or a comma in the amount) interns its customer as text
    const slow = rand() < 0.3;
    lines.push([String(100 + i), slow && rand() < 0.5 ? 'EARNED' : 'earned', '2024-01-02', customer, slow ? '1,000.25' : '1.25'].join(','));
  }
  const f = file('customers.csv', lines.join('\n') + '\n');
  const fast = (await readFifoCsv(f)).transactions;
  const slow = (await readFifoCsv(f, { fast: false })).transactions;
  expect(fast.customers).toEqual(slow.customers);
  expect(new Set(fast.customers).size).toBe(fast.customers.length);
  expect(Array.from(fast.customerOf)).toEqual(Array.from(slow.customerOf));
});
