import ExcelJS from 'exceljs';
import type { SheetSpec } from '../../src/workbook/sheet-spec';
import { readXlsxCharts } from '../../test/xlsx-charts';
import { formatCell, PreviewWorkbook, type PreviewChange } from './preview-workbook';

const je: SheetSpec = {
  name: '20321 JE',
  columns: [
    { header: 'LEDGER', type: 'id' },
    { header: 'DEBIT', type: 'money' },
    { header: 'DATE', type: 'date' },
    { header: 'SHARE', type: 'percent' },
    { header: 'DESCRIPTION', type: 'text' },
  ],
  rows: [
    ['00012345678901234', 123456789, '2024-01-31', 0.25, 'Vendor funding'],
    ['00012345678901235', -5, '2024-02-29', 1, ''],
  ],
  freezeHeader: true,
  chart: { type: 'column', title: 'Debits', categoryColumn: 'LEDGER', valueColumns: ['DEBIT'] },
};

test('an empty preview workbook takes a sheet, reads it back like Office.js would, and tells listeners', async () => {
  const wb = PreviewWorkbook.empty();
  expect(await wb.listSheets()).toEqual(['Sheet1']);
  const changes: PreviewChange[] = [];
  const stop = wb.onChange((c) => changes.push(c));
  await wb.writeSheet(je);
  expect(await wb.listSheets()).toEqual(['Sheet1', '20321 JE']);
  expect(wb.activeSheet).toBe('20321 JE');
  const t = await wb.readSheet('20321 je');
  expect(t.header).toEqual(['LEDGER', 'DEBIT', 'DATE', 'SHARE', 'DESCRIPTION']);
  expect(t.rows).toEqual([
    ['00012345678901234', 1234567.89, 45322, 0.25, 'Vendor funding'],
    ['00012345678901235', -0.05, 45351, 1, ''],
  ]);
  await wb.selectCell('20321 JE', 3, 2);
  expect(wb.selection).toEqual({ sheet: '20321 JE', row: 3, column: 2 });
  stop();
  wb.setActiveSheet('sheet1');
  expect(wb.activeSheet).toBe('Sheet1');
  expect(changes).toEqual([
    { type: 'sheet-written', sheet: '20321 JE' },
    { type: 'selection', sheet: '20321 JE', row: 3, column: 2 },
  ]);
  expect(wb.chartFor('20321 JE')).toEqual(je.chart);
});

test('sheetToGrid gives the first rows with display text in the sheet formats', async () => {
  const wb = PreviewWorkbook.empty();
  await wb.writeSheet(je);
  const grid = wb.sheetToGrid('20321 JE', 2);
  expect(grid.columns).toEqual(['A', 'B', 'C', 'D', 'E']);
  expect(grid.totalRows).toBe(3);
  expect(grid.truncated).toBe(true);
  expect(grid.rows.map((r) => r.rowNumber)).toEqual([1, 2]);
  expect(grid.rows[1]!.text).toEqual(['00012345678901234', '1,234,567.89', '2024-01-31', '25.00%', 'Vendor funding']);
  expect(grid.rows[1]!.values[0]).toBe('00012345678901234');
  expect(wb.sheetToGrid('Sheet1')).toEqual({ sheet: 'Sheet1', columns: [], rows: [], totalRows: 0, truncated: false });
  expect(() => wb.sheetToGrid('Nope')).toThrow('There is no sheet named "Nope"');
});

test('opens an .xlsx from an ArrayBuffer and downloads one that Excel tools read back', async () => {
  const source = new ExcelJS.Workbook();
  const ws = source.addWorksheet('TC_Data');
  ws.addRow(['TRANS_ID', 'AMOUNT', 'CREATEDAT']);
  ws.addRow(['12345678901234567', 12.5, new Date(Date.UTC(2024, 0, 2))]);
  ws.getCell('C2').numFmt = 'yyyy-mm-dd';
  const bytes = new Uint8Array(await source.xlsx.writeBuffer());
  const wb = await PreviewWorkbook.open(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  expect(await wb.listSheets()).toEqual(['TC_Data']);
  expect((await wb.readSheet('TC_Data')).rows).toEqual([['12345678901234567', 12.5, 45293]]);

  await wb.writeSheet(je);
  const out = await wb.toXlsxBuffer();
  expect(out).toBeInstanceOf(ArrayBuffer);
  const back = new ExcelJS.Workbook();
  await back.xlsx.load(out as never);
  expect(back.worksheets.map((w) => w.name)).toEqual(['TC_Data', '20321 JE']);
  expect(back.getWorksheet('20321 JE')!.getCell('A2').value).toBe('00012345678901234');
  expect(back.getWorksheet('20321 JE')!.getCell('A2').numFmt).toBe('@');
  // The download carries the sheet's chart as a native chart over the sheet's cells.
  const charts = await readXlsxCharts(out);
  expect(charts.map((c) => [c.sheet, c.kind, c.barDir, c.title])).toEqual([['20321 JE', 'barChart', 'col', 'Debits']]);
  expect(charts[0]!.series.map((s) => [s.categoryRef, s.valueRef, s.values])).toEqual([["'20321 JE'!$A$2:$A$3", "'20321 JE'!$B$2:$B$3", [1234567.89, -0.05]]]);
});

test('chartDataFor gives the pane what the chart shows; a cancelled write or a sheet rewritten without a chart has none', async () => {
  const wb = PreviewWorkbook.empty();
  await wb.writeSheet(je);
  const data = wb.chartDataFor('20321 je')!;
  expect(data.category.labels).toEqual(['00012345678901234', '00012345678901235']);
  expect(data.series).toEqual([{ name: 'DEBIT', column: 1, values: [1234567.89, -0.05], numberFormat: '#,##0.00' }]);
  await wb.writeSheet({ ...je, chart: undefined });
  expect(wb.chartFor('20321 JE')).toBeUndefined();
  const controller = new AbortController();
  const rows = Array.from({ length: 12_000 }, (_, i) => [String(i), i, '2024-01-31', 0, '']);
  await expect(wb.writeSheet({ ...je, rows }, { signal: controller.signal, onProgress: () => controller.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  expect(wb.chartDataFor('20321 JE')).toBeUndefined();
});

test('a cancelled write keeps the rows written so far and still redraws', async () => {
  const wb = PreviewWorkbook.empty();
  const rows = Array.from({ length: 30_000 }, (_, i) => [String(i).padStart(8, '0'), i]);
  const controller = new AbortController();
  const changes: PreviewChange[] = [];
  wb.onChange((c) => changes.push(c));
  const write = wb.writeSheet(
    { name: 'Big', columns: [{ header: 'ID', type: 'id' }, { header: 'AMOUNT', type: 'money' }], rows },
    { signal: controller.signal, onProgress: () => controller.abort() },
  );
  await expect(write).rejects.toMatchObject({ name: 'AbortError' });
  const t = await wb.readSheet('Big');
  expect(t.rows.length).toBe(5_000);
  expect(t.rows[4_999]).toEqual(['00004999', 49.99]);
  expect(changes).toEqual([{ type: 'sheet-written', sheet: 'Big' }]);
});

test('formatCell covers the formats CloseDesk writes', () => {
  expect(formatCell(-1234.5, '#,##0.00')).toBe('-1,234.50');
  expect(formatCell(-0.001, '#,##0.00')).toBe('0.00');
  expect(formatCell(1500, '#,##0')).toBe('1,500');
  expect(formatCell(0.125, '0.00%')).toBe('12.50%');
  expect(formatCell(45322.5, 'yyyy-mm-dd hh:mm:ss')).toBe('2024-01-31 12:00:00');
  expect(formatCell(45322, 'yyyy-mm-dd')).toBe('2024-01-31');
  expect(formatCell(12, '@')).toBe('12');
  expect(formatCell(true)).toBe('TRUE');
  expect(formatCell('')).toBe('');
  expect(formatCell(3.5, '0.0000E+00')).toBe('3.5');
});
