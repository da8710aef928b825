import { mkdtempSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
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
