import { mkdtempSync, rmSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import type { Cell } from '../../src/kernel/table';
import type { SheetSpec } from '../../src/workbook/sheet-spec';
import type { WriteProgress } from '../../src/workbook/port';
import { ExcelFileWorkbook, readWorkbookTables, writeWorkbookFile } from './excel-file';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'closedesk-xlsx-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const gldi: SheetSpec = {
  name: 'GLDI',
  preamble: [
    ['Ledger', '00123'],
    ['Accounting Date', new Date(Date.UTC(2024, 0, 31))],
  ],
  columns: [
    { header: 'ZOHO_ID', type: 'id' },
    { header: 'ACCT', type: 'id' },
    { header: 'DEBIT', type: 'money' },
    { header: 'DATE', type: 'date' },
    { header: 'CREATED', type: 'datetime' },
    { header: 'NOTE', type: 'text' },
    { header: 'OK', type: 'boolean' },
    { header: 'RATE', type: 'percent', width: 9 },
  ],
  rows: [
    ['46000000012345678', '00042', 123456, '2024-01-31', '2024-01-31T12:30:00Z', '=SUM(A1)', true, 0.25],
    ['46000000012345679', '01300', -5, '2024-02-29', null, '', false, null],
  ],
  freezeHeader: true,
  chart: { type: 'line', title: 'Debits', categoryColumn: 'DATE', valueColumns: ['DEBIT'] },
};

describe('ExcelFileWorkbook and readWorkbookTables', () => {
  test('round trip through a real .xlsx: values, text ids, formats, frozen header, widths', async () => {
    const wb = new ExcelFileWorkbook();
    await wb.writeSheet({ name: 'First', columns: [{ header: 'A', type: 'integer' }], rows: [[1]] });
    await wb.writeSheet(gldi);
    expect(wb.charts().map((c) => c.sheet)).toEqual(['GLDI']);
    const path = join(dir, 'round.xlsx');
    await wb.save(path);

    const [t] = await readWorkbookTables(path, { sheets: ['gldi'] });
    expect(t!.name).toBe('GLDI');
    expect(t!.firstRowNumber).toBe(2);
    expect(t!.header).toEqual(['Ledger', '00123', '', '', '', '', '', '']);
    expect(t!.rows[0]![1]).toEqual(new Date(Date.UTC(2024, 0, 31)));
    expect(t!.rows[1]).toEqual(['ZOHO_ID', 'ACCT', 'DEBIT', 'DATE', 'CREATED', 'NOTE', 'OK', 'RATE']);
    expect(t!.rows[2]).toEqual([
      '46000000012345678',
      '00042',
      1234.56,
      new Date(Date.UTC(2024, 0, 31)),
      new Date(Date.UTC(2024, 0, 31, 12, 30)),
      '=SUM(A1)',
      true,
      0.25,
    ]);
    expect(t!.rows[3]).toEqual(['46000000012345679', '01300', -0.05, new Date(Date.UTC(2024, 1, 29)), '', '', false, '']);

    // The file itself, as Excel will see it.
    const raw = new ExcelJS.Workbook();
    await raw.xlsx.readFile(path);
    const ws = raw.getWorksheet('GLDI')!;
    expect(ws.getCell('A4').type).toBe(ExcelJS.ValueType.String);
    expect(ws.getCell('A4').numFmt).toBe('@');
    expect(ws.getCell('C4').numFmt).toBe('#,##0.00');
    expect(ws.getCell('D4').numFmt).toBe('yyyy-mm-dd');
    expect(ws.getCell('E4').numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(ws.getCell('B1').numFmt).toBe('@');
    expect(ws.getCell('C3').numFmt).toBe('@'); // header cell, not the money format
    expect(ws.getColumn(1).width).toBe(20);
    expect(ws.getColumn(8).width).toBe(9);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
    expect(raw.worksheets.map((w) => w.name)).toEqual(['First', 'GLDI']);
  });

  test('dates as serials on request, every sheet when none named, a missing sheet named in a sentence', async () => {
    const wb = new ExcelFileWorkbook();
    await wb.writeSheet(gldi);
    const buffer = await wb.toBuffer();
    const all = await readWorkbookTables(buffer, { dates: 'serial' });
    expect(all.map((t) => t.name)).toEqual(['GLDI']);
    expect(all[0]!.rows[2]![3]).toBe(45322);
    expect(all[0]!.rows[2]![4]).toBeCloseTo(45322 + 12.5 / 24, 9);
    await expect(readWorkbookTables(buffer, { sheets: ['TC_Data'] })).rejects.toThrow('The workbook has no sheet named "TC_Data"; its sheets are "GLDI".');
  });

  test('replacing a sheet keeps its tab position and drops its old cells', async () => {
    const wb = new ExcelFileWorkbook();
    for (const name of ['A', 'B', 'C']) await wb.writeSheet({ name, columns: [{ header: name, type: 'text' }], rows: [['x'], ['y']] });
    await wb.writeSheet({ name: 'b', columns: [{ header: 'NEW', type: 'text' }], rows: [] });
    const reopened = await ExcelFileWorkbook.open(await wb.toBuffer());
    expect(await reopened.listSheets()).toEqual(['A', 'b', 'C']);
    expect(await reopened.readSheet('B')).toEqual({ name: 'b', header: ['NEW'], rows: [], firstRowNumber: 2 });
  });

  test('cells Excel users make: numbers stored as text, rich text, hyperlinks, formulas, errors', async () => {
    const raw = new ExcelJS.Workbook();
    const ws = raw.addWorksheet('Mixed');
    ws.addRow(['ID', 'NAME', 'LINK', 'TOTAL', 'BAD']);
    ws.getCell('A2').value = '12345678901234567';
    ws.getCell('B2').value = { richText: [{ text: 'Acme ' }, { font: { bold: true }, text: 'GmbH' }] };
    ws.getCell('C2').value = { text: 'portal', hyperlink: 'https://example.test' };
    ws.getCell('D2').value = { formula: '1+2', result: 3 };
    ws.getCell('E2').value = { error: '#N/A' };
    ws.getCell('A3').value = 12345;
    const path = join(dir, 'mixed.xlsx');
    await raw.xlsx.writeFile(path);
    const [t] = await readWorkbookTables(path);
    expect(t!.rows).toEqual([
      ['12345678901234567', 'Acme GmbH', 'portal', 3, '#N/A'],
      [12345, '', '', '', ''],
    ]);
  });

  test('a bad sheet name is refused', async () => {
    await expect(new ExcelFileWorkbook().writeSheet({ ...gldi, name: 'x'.repeat(32) })).rejects.toThrow('cannot be a sheet name');
  });
});

describe('writeWorkbookFile (streaming)', () => {
  function payments(n: number): SheetSpec {
    const rows = [];
    for (let i = 0; i < n; i++) rows.push([String(46000000000000000n + BigInt(i)), String(i).padStart(6, '0'), i * 101 - 5000, '2024-03-01']);
    return {
      name: 'Payments',
      columns: [
        { header: 'ZOHO_ID', type: 'id' },
        { header: 'REF', type: 'id' },
        { header: 'AMOUNT', type: 'money' },
        { header: 'DATE', type: 'date' },
      ],
      rows,
      freezeHeader: true,
    };
  }

  test('100k rows stream out and read back exactly, with progress', async () => {
    const path = join(dir, 'big.xlsx');
    const progress: WriteProgress[] = [];
    const written = await writeWorkbookFile(path, [gldi, payments(100_000)], { onProgress: (p) => progress.push(p) });
    expect(written).toEqual({ path, sheets: [{ name: 'GLDI', rows: 2 }, { name: 'Payments', rows: 100_000 }], charts: ['GLDI'] });
    expect(progress.filter((p) => p.sheet === 'Payments').length).toBeGreaterThan(5);
    expect(progress[progress.length - 1]).toEqual({ sheet: 'Payments', rowsWritten: 100_000, rowsTotal: 100_000 });

    // One read (100k rows take seconds): the port's tables and, from the same workbook, the raw cells.
    const file = await ExcelFileWorkbook.open(path, { dates: 'serial' });
    expect(await file.listSheets()).toEqual(['GLDI', 'Payments']);
    const g = await file.readSheet('GLDI');
    const p = await file.readSheet('Payments');
    expect(g.rows[2]![0]).toBe('46000000012345678');
    expect(p.header).toEqual(['ZOHO_ID', 'REF', 'AMOUNT', 'DATE']);
    expect(p.rows).toHaveLength(100_000);
    for (const i of [0, 1, 4_999, 5_000, 54_321, 99_999]) {
      expect(p.rows[i]).toEqual([String(46000000000000000n + BigInt(i)), String(i).padStart(6, '0'), (i * 101 - 5000) / 100, 45352]);
    }
    const ws = file.workbook.getWorksheet('Payments')!;
    expect(ws.getCell('A100001').numFmt).toBe('@');
    expect(ws.getCell('A100001').type).toBe(ExcelJS.ValueType.String);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getColumn(1).width).toBe(20);
  });

  test('cancelling leaves no file behind', async () => {
    const path = join(dir, 'cancelled.xlsx');
    const controller = new AbortController();
    const write = writeWorkbookFile(path, [payments(50_000)], {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.rowsWritten >= 10_000) controller.abort();
      },
    });
    await expect(write).rejects.toMatchObject({ name: 'AbortError' });
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('cancelled'))).toEqual([]);
  });

  test('two sheets with one name are refused before writing', async () => {
    const path = join(dir, 'dup.xlsx');
    await expect(writeWorkbookFile(path, [gldi, { ...gldi, name: 'gldi' }])).rejects.toThrow('Two sheets are named "gldi"');
    expect(existsSync(path)).toBe(false);
  });
});

describe('writeWorkbookFile byte rows', () => {
  /** A deterministic random sheet: every column type, odd text, blanks, rows exceljs must write itself. */
  function randomSheet(name: string, rowCount: number, seed: number): SheetSpec {
    let s = seed >>> 0;
    const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 4294967296);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const texts = ['Vendor 001 GmbH', 'a & b', '<tag>', 'say "hi"', "O'Brien", 'Müller', '€ 5', '😀', 'tab\there', 'line\nbreak', 'bell\u0007', 'del\u007f', 'x\ud800y', '=SUM(A1)', ' padded ', '0042'];
    const cents = () => pick([0, 5, -5, 10, 100, 12345, -12345, 99999999, 123456789012, 999_999_999_999_999, -999_999_999_999_999, 1_000_000_000_000_000, Math.floor((rand() - 0.5) * 1e9)]);
    const rows: Cell[][] = [];
    for (let i = 0; i < rowCount; i++) {
      const blank = (v: Cell): Cell => (rand() < 0.08 ? pick([null, '']) : v);
      if (rand() < 0.01) {
        rows.push([null, '', null, '', null, '', null, '', null, '', null, '']);
        continue;
      }
      rows.push([
        blank(pick(texts)),
        blank(rand() < 0.9 ? `ID${Math.floor(rand() * 1e9)}` : pick([12345, 46000000012345678, 1.5])),
        blank(rand() < 0.95 ? cents() : pick(['n/a', 1.25])),
        blank(rand() < 0.9 ? Math.floor(rand() * 1e6) : pick([-7, 0.1 + 0.2, 1e21, 2 ** 53 + 2, -0])),
        blank(rand() < 0.5 ? pick([0.25, 1 / 3, -0.5]) : pick(texts)),
        blank(`2024-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 10)}`),
        blank(rand() < 0.98 ? '2024-01-31T12:30:00Z' : new Date(Date.UTC(2024, 0, 31, 8))),
        blank(pick([true, false, 'true', 'FALSE', 'maybe'])),
        blank(cents()),
        blank(rand() < 0.99 ? pick(texts) : new Date(Date.UTC(2023, 5, 1))),
        blank(rand() * 1000),
        blank(pick(texts)),
      ]);
    }
    return {
      name,
      columns: [
        { header: 'TEXT', type: 'text' },
        { header: 'ID', type: 'id' },
        { header: 'EUR', type: 'money', currency: 'EUR' },
        { header: 'COUNT', type: 'integer' },
        { header: 'RATE', type: 'percent' },
        { header: 'DATE', type: 'date' },
        { header: 'AT', type: 'datetime' },
        { header: 'OK', type: 'boolean' },
        { header: 'JPY', type: 'money', currency: 'JPY' },
        { header: 'NOTE', type: 'text', width: 40 },
        { header: 'VALUE', type: 'number' },
        { header: 'CODE', type: 'id' },
      ],
      rows,
      freezeHeader: true,
    };
  }

  /** Every part of the .xlsx but docProps/core.xml (it carries the time of writing), as text. */
  async function parts(file: string): Promise<Record<string, string>> {
    const zip = await JSZip.loadAsync(readFileSync(file));
    const out: Record<string, string> = {};
    for (const name of Object.keys(zip.files).sort()) if (name !== 'docProps/core.xml' && !zip.files[name]!.dir) out[name] = await zip.files[name]!.async('string');
    return out;
  }

  test('random sheets: the same file parts as exceljs writing every row itself', async () => {
    const funding: SheetSpec = {
      name: 'Funding',
      columns: [{ header: 'VENDOR', type: 'text' }, { header: 'AMOUNT', type: 'money', currency: 'EUR' }],
      rows: [['Vendor 1', 150000], ['Vendor & 2', 99]],
      freezeHeader: true,
      chart: { type: 'bar', title: 'Funding', categoryColumn: 'VENDOR', valueColumns: ['AMOUNT'] },
    };
    const specs = [gldi, randomSheet('Big', 30_000, 7), funding, randomSheet('Small', 300, 11), { name: 'Empty', columns: [{ header: 'X', type: 'text' as const }], rows: [] }];
    const fast = join(dir, 'bytes.xlsx');
    const simple = join(dir, 'exceljs.xlsx');
    await writeWorkbookFile(fast, specs);
    await writeWorkbookFile(simple, specs, { byteRows: false });
    const [a, b] = [await parts(fast), await parts(simple)];
    expect(Object.keys(a)).toEqual(Object.keys(b));
    for (const name of Object.keys(b)) if (a[name] !== b[name]) throw new Error(`${name} differs`);
    // the random sheet really holds the odd cases, and the byte rows were the ones writing it
    const big = a['xl/worksheets/sheet2.xml']!;
    expect(big.length).toBeGreaterThan(2 << 20);
    for (const bit of ['a &amp; b', '&lt;tag&gt;', 'say &quot;hi&quot;', 'O&apos;Brien', 'Müller', '😀', 'x\ufffdy', '<v>9999999999999.99</v>', '<v>1.5</v>', 't="b"']) expect(big).toContain(bit);
    // and the file opens: the rows read back (blank rows inside the table kept as blank rows)
    const [t] = await readWorkbookTables(fast, { sheets: ['Small'] });
    const small = specs[3]!.rows;
    let last = small.length - 1;
    while (small[last]!.every((v) => v === null || v === '')) last--;
    expect(t!.rows).toHaveLength(last + 1);
    expect(t!.rows[0]![0]).toBe(small[0]![0] ?? '');
  });
});
