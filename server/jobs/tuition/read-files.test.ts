/**
 * Partner files read side by side (a worker thread per later group of files, merged in file order)
 * give exactly what reading them one after another gives: the same lines, problems in the same order
 * (duplicates across groups included), the same layouts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { ExpenseLineReader } from '../../../src/tuition';
import { defaultThreads, fileGroups, readInOrder, readTuitionFilesInto } from './read-files';
import { readTuitionFileInto } from './inputs';

const BP = ['Invoice Ref', 'Employer', 'Employee Email', 'Charge Type', 'Charge Amount', 'Currency', 'Service Date'];
const LW = ['Reference', 'Company', 'Learner', 'Expense Type', 'Amount', 'Currency', 'Date'];

let dir: string;
const files: string[] = [];

/** File k: a partner layout (or none), rows with good and bad values, references repeated across files. */
function rows(k: number): string[][] {
  let s = k + 1;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const bp = k % 2 === 0;
  const out = [k === 4 ? ['Ref', 'Who', 'What'] : bp ? BP : LW];
  for (let i = 0; i < 200; i++) {
    out.push([
      pick([`R${k}-${i}`, `R${k}-${i}`, `R${i % 7}`, '']),
      pick(['Northwind Traders', 'northwind traders', 'Contoso', 'Café Müller']),
      pick(['alice@x.com', 'ALICE@x.com', 'bob', 'Zoë']),
      bp ? pick(['Tuition', 'Tutoring', 'Books & materials', 'Lunch']) : pick(['TUITION', 'MATERIALS', 'CREDIT_TUITION', 'Snacks']),
      pick(['120.50', '75', '-5.00', '0', 'x']),
      pick(['USD', 'EUR', 'US']),
      bp ? pick(['11/05/2024', '11/30/2024', '10/31/2024']) : pick(['2024-11-05', '2024-12-01', '2024-11-30']),
    ]);
  }
  return out;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'closedesk-read-files-'));
  for (let k = 0; k < 7; k++) {
    const file = path.join(dir, `partner-${k}.${k === 5 ? 'xlsx' : 'csv'}`);
    if (k === 5) {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('Expenses');
      for (const r of rows(k)) ws.addRow(r);
      await wb.xlsx.writeFile(file);
    } else fs.writeFileSync(file, rows(k).map((r) => r.join(',')).join('\r\n') + '\r\n');
    files.push(file);
  }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('files in groups of about equal bytes, in order, none empty', () => {
  expect(fileGroups([10, 10, 10, 10], 2)).toEqual([[0, 1], [2, 3]]);
  expect(fileGroups([100, 1, 1, 1], 2)).toEqual([[0], [1, 2, 3]]);
  expect(fileGroups([1, 1, 100], 3)).toEqual([[0, 1], [2]]);
  expect(fileGroups([5], 4)).toEqual([[0]]);
});

test('by default a group per core left idle by the load but one, at most four, never more than the files', () => {
  expect(defaultThreads(20, 2, 0)).toBe(1);
  expect(defaultThreads(20, 4, 0.3)).toBe(3);
  expect(defaultThreads(20, 4, 1.6)).toBe(1);
  expect(defaultThreads(20, 2, 9)).toBe(1);
  expect(defaultThreads(20, 16, 0)).toBe(4);
  expect(defaultThreads(3, 8, 1)).toBe(3);
  expect(defaultThreads(1, 8, 0)).toBe(1);
});

test('read on worker threads equals read one after another', async () => {
  const read = async (threads: number) => {
    const reader = new ExpenseLineReader({ month: '2024-11' });
    const fileProblems = await readTuitionFilesInto(reader, files, { threads });
    const { columns, ...result } = reader.result();
    return { fileProblems, ...result, count: columns!.count };
  };
  const one = await read(1);
  expect(one.count).toBeGreaterThan(100);
  const codes = new Set(one.problems.map((p) => p.code));
  for (const code of ['duplicate-reference', 'unknown-layout', 'bad-amount', 'outside-month', 'unknown-expense-type']) expect([code, codes.has(code)]).toEqual([code, true]);
  // a reference first given in an earlier group of files than its duplicate
  expect(one.problems.some((p) => p.code === 'duplicate-reference' && p.message.includes('partner-0.csv') && p.source === 'partner-6.csv')).toBe(true);
  for (const threads of [2, 3]) expect({ threads, ...(await read(threads)) }).toEqual({ threads, ...one });
});

test('files read through one buffer reused from file to file give what each file read on its own gives', async () => {
  // largest first: every later file is read over the bytes of a larger one
  const bySize = [...files].sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
  expect(new Set(bySize.map((f) => fs.statSync(f).size)).size).toBeGreaterThan(3);
  const reused = new ExpenseLineReader({ month: '2024-11' });
  const reusedFileProblems = await readInOrder(reused, bySize);
  const own = new ExpenseLineReader({ month: '2024-11' });
  const ownFileProblems = [];
  for (const f of bySize) ownFileProblems.push(...(await readTuitionFileInto(own, path.basename(f), fs.readFileSync(f))));
  const { columns, ...ownResult } = own.result();
  expect(columns!.count).toBeGreaterThan(100);
  const { columns: _, ...reusedResult } = reused.result();
  expect({ fileProblems: reusedFileProblems, ...reusedResult }).toEqual({ fileProblems: ownFileProblems, ...ownResult });
});
