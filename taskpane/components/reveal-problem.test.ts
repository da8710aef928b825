/**
 * A problem selects and scrolls to its cell in Excel: the sheet is activated and the cell selected
 * through Office.js (Excel scrolls a selected range into view), checked against the strict fake.
 */
import { blocking, warning } from '../../src/kernel/problems';
import { readFifoWorkbook } from '../../src/fifo';
import { OfficeWorkbook } from '../office/office-workbook';
import { createFakeWorkbook, fakeExcelRun } from '../office/fake-excel';
import { PreviewWorkbook } from '../preview/preview-workbook';
import { problemCell } from './reveal-problem';

const TC = [
  // Row 1 left empty: the table starts lower on the sheet, as exports pasted under a blank line do.
  [],
  ['TRANS_ID', 'TCTYPE', 'CREATEDAT', 'EXPIREDAT', 'CUSTOMERID', 'ORDERID', 'AMOUNT', 'REASON'],
  ['1', 'earned', '2024-01-01', '', 'C1', '', 10, ''],
  ['2', 'spent', '2024-01-02', '', 'C1', '', 'ten', ''],
];

test('a FIFO problem in Excel: the sheet is activated and its cell selected, the column found by header', async () => {
  const state = createFakeWorkbook({ Sheet1: [], TC_Data: TC });
  const wb = new OfficeWorkbook(fakeExcelRun(state));
  // The run reads the sheet as Excel has it: the header on row 2, so the bad amount is on row 4.
  const input = readFifoWorkbook([await wb.readSheet('TC_Data')]);
  const bad = input.problems.find((p) => p.column === 'AMOUNT')!;
  expect(bad).toMatchObject({ source: 'TC_Data', row: 4 });

  const cache = new Map<string, readonly string[]>();
  const found = await problemCell(bad, wb, { cache });
  expect(found).toEqual({ ok: true, cell: { sheet: 'TC_Data', row: 4, column: 7 } });
  if (!found.ok) return;
  await wb.selectCell(found.cell.sheet, found.cell.row, found.cell.column);
  expect(state.activeSheet).toBe('TC_Data');
  expect(state.selection).toEqual({ sheet: 'TC_Data', row: 4, column: 7 });
  expect(state.unsyncedActions).toBe(0);

  // The header is read once per sheet, not on every click.
  const reads = state.syncs;
  await problemCell({ ...bad, row: 3 }, wb, { cache });
  const listOnly = state.syncs - reads;
  await problemCell({ ...bad, row: 3 }, new OfficeWorkbook(fakeExcelRun(state)), {});
  expect(state.syncs - reads - listOnly).toBeGreaterThan(listOnly);
});

test('names the sheet as the workbook has it, uses headers the page gave, and a dataset row on its sheet', async () => {
  const wb = PreviewWorkbook.empty();
  await wb.writeSheet({ name: 'TC_Data with redemptions', columns: [{ header: 'TRANS_ID', type: 'text' }, { header: 'AMOUNT', type: 'text' }], rows: [['1', 'x']] });
  const p = blocking({ source: 'tc_data.csv', row: 2, column: 'amount', value: 'x', message: 'AMOUNT: "x" is not a number.' });
  expect(await problemCell(p, wb)).toEqual({ ok: false, message: 'tc_data.csv is a file, not a sheet of this workbook: load it on the Data page to see its cells.' });
  expect(await problemCell(p, wb, { sheetFor: (s) => (s === 'tc_data.csv' ? 'TC_Data with redemptions' : undefined) })).toEqual({
    ok: true,
    cell: { sheet: 'TC_Data with redemptions', row: 2, column: 2 },
  });
  const other = warning({ source: 'tc_data with REDEMPTIONS', row: 2, column: 'B', message: 'Odd.' });
  expect(await problemCell(other, wb, { headers: { 'tc_data with REDEMPTIONS': ['A', 'B'] } })).toEqual({ ok: true, cell: { sheet: 'TC_Data with redemptions', row: 2, column: 2 } });
  expect(await problemCell(warning({ source: 'Sales', message: 'The sheet is empty.' }), wb)).toEqual({ ok: false, message: 'The sheet Sales is not in this workbook, so its cell cannot be shown.' });
});
