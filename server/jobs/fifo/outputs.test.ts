/**
 * "TC_Data with redemptions" from a CSV copies the input's records by the offsets the reader kept;
 * it must say what the kernel writer says for every row of the parsed input (the workbook path), on
 * random files with quotes, doubled quotes, quoted line breaks, formulas, negative numbers, CRLF and
 * LF, blank lines and a BOM — read in small chunks and copied through a small window, so records
 * cross every boundary.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allocateFifo } from '../../../src/fifo/allocate';
import { parseCsv } from '../../../src/kernel/csv';
import { readFifoCsv } from './read-csv';
import { writeCsvWithRedemptions, writeTableWithRedemptions } from './outputs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fifo-outputs-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function randomCsv(seed: number, rows: number, delimiter: string): string {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const d = delimiter;
  const lines = [['TRANS_ID', 'TCTYPE', 'CREATEDAT', 'EXPIREDAT', 'CUSTOMERID', 'ORDERID', 'AMOUNT', 'REASON'].join(d)];
  for (let i = 0; i < rows; i++) {
    const type = pick(['earned', 'spent', 'expired']);
    const cents = 1 + Math.floor(rand() * 5000);
    const amount = (type === 'earned' ? '' : '-') + (cents / 100).toFixed(2);
    lines.push(
      [
        pick([String(100 + i), `"${100 + i}"`]),
        type,
        `2024-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 10)} ${pick(['00', '12'])}:00:00`,
        pick(['', '2025-01-01']),
        String(1 + Math.floor(rand() * 9)),
        pick(['', `O-${i}`, '=1+1', '-x']),
        pick([amount, `"${amount}"`]),
        pick(['reward', `"a${d} b"`, '"say ""hi"""', '"two\nlines"', '=HYPERLINK("x")', '@home', '+1', '', 'müde']),
      ].join(d),
    );
    if (rand() < 0.05) lines.push(pick(['', '   ']));
  }
  return '\uFEFF' + lines.join(pick(['\n', '\r\n'])) + '\r\n';
}

/** The cells of a CSV file as the kernel reads them. */
function cells(file: string): string[][] {
  const { table } = parseCsv(fs.readFileSync(file, 'utf8'), { name: path.basename(file) });
  return [table.header, ...(table.rows as string[][])];
}

describe('writeCsvWithRedemptions copies records as the kernel writer would write them', () => {
  test.each([
    [1, ','],
    [2, ','],
    [3, ';'],
  ])('random file, seed %i, delimiter %s', async (seed, delimiter) => {
    const text = randomCsv(seed, 1500, delimiter);
    const input = path.join(dir, `in-${seed}.csv`);
    fs.writeFileSync(input, text);
    const read = await readFifoCsv(input, { chunkBytes: 997 });
    expect(read.sourceRows).toBeGreaterThan(1400);
    expect(read.spans.count).toBe(read.sourceRows);
    if (delimiter === ',') {
      const verbatim = read.spans.verbatim.subarray(0, read.spans.count);
      expect(verbatim.includes(1)).toBe(true); // both ways are exercised
      expect(verbatim.includes(0)).toBe(true);
    }
    const result = allocateFifo(read.transactions);
    expect(result.allocations.count).toBeGreaterThan(100);

    const copied = path.join(dir, `copied-${seed}.csv`);
    writeCsvWithRedemptions(input, copied, result, read, { windowBytes: 1 << 12 });
    const { table } = parseCsv(text.replace(/^\uFEFF/, ''), { name: 'in.csv' });
    const written = path.join(dir, `written-${seed}.csv`);
    writeTableWithRedemptions({ ...table, header: table.header.map((h) => h.trim()) }, written, result);
    expect(cells(copied)).toEqual(cells(written));
    expect(fs.readFileSync(copied, 'utf8')).toMatch(/'=HYPERLINK/); // neutralised, not copied as it was
  });
});
