import type { SheetSpec } from '../../src/workbook/sheet-spec';
import type { WriteProgress } from '../../src/workbook/port';
import { createFakeWorkbook, fakeExcelRun, FakeOfficeError, sheetValues, type FakeWorkbookState } from './fake-excel';
import { charsToPoints, OfficeWorkbook } from './office-workbook';

/** Runs one batch directly against the fake, typed loosely: these tests probe the fake itself. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function direct<T>(state: FakeWorkbookState, batch: (ctx: any) => Promise<T>): Promise<T> {
  return fakeExcelRun(state)(batch as never);
}

const ids: SheetSpec = {
  name: 'Payments',
  preamble: [['Run', 'R-00042']],
  columns: [
    { header: 'PAYMENT_ID', type: 'id' },
    { header: 'ACCOUNT', type: 'id' },
    { header: 'NOTE', type: 'text' },
    { header: 'AMOUNT', type: 'money' },
    { header: 'DATE', type: 'date' },
    { header: 'SHARE', type: 'percent' },
  ],
  rows: [
    ['460000000012345678', '00123', '007', 123456, '2024-01-31', 0.5],
    ['460000000012345679', '04410', 'plain text', -5, '2024-02-29', 0.125],
  ],
  freezeHeader: true,
  chart: { type: 'column', title: 'Amounts', categoryColumn: 'PAYMENT_ID', valueColumns: ['AMOUNT', 'SHARE'] },
};

function bigSpec(n: number): SheetSpec {
  const rows = [];
  for (let i = 0; i < n; i++)
    rows.push([String(46000000001234567n + BigInt(i)), `Customer ${i % 1000}`, (i * 7919) % 10_000_000, '2024-03-15']);
  return {
    name: 'Big',
    columns: [
      { header: 'TRANS_ID', type: 'id' },
      { header: 'CUSTOMER', type: 'text' },
      { header: 'AMOUNT', type: 'money' },
      { header: 'CREATEDAT', type: 'date' },
    ],
    rows,
  };
}

describe('OfficeWorkbook on the fake Excel', () => {
  test('write then read round trip: header row, row numbers, money as decimals, dates as serials', async () => {
    const state = createFakeWorkbook({ Sheet1: [['x']] });
    const wb = new OfficeWorkbook(fakeExcelRun(state));
    await wb.writeSheet(ids);
    expect(await wb.listSheets()).toEqual(['Sheet1', 'Payments']);
    const t = await wb.readSheet('Payments');
    // The used range starts at the preamble: row 1 is taken as the header by readSheet's contract.
    expect(t.firstRowNumber).toBe(2);
    expect(t.header).toEqual(['Run', 'R-00042', '', '', '', '']);
    expect(t.rows[0]).toEqual(['PAYMENT_ID', 'ACCOUNT', 'NOTE', 'AMOUNT', 'DATE', 'SHARE']);
    expect(t.rows[1]).toEqual(['460000000012345678', '00123', '007', 1234.56, 45322, 0.5]);
    expect(t.rows[2]).toEqual(['460000000012345679', '04410', 'plain text', -0.05, 45351, 0.125]);
    expect(state.unsyncedActions).toBe(0);
  });

  test('ids and leading zeros stay text because formats go before values; the fake would coerce them otherwise', async () => {
    const state = createFakeWorkbook({ Sheet1: [] });
    await new OfficeWorkbook(fakeExcelRun(state)).writeSheet(ids);
    const v = sheetValues(state, 'Payments');
    expect(v[2]!.slice(0, 3)).toEqual(['460000000012345678', '00123', '007']);
    expect(typeof v[2]![3]).toBe('number');
    const sheet = state.sheets.find((s) => s.name === 'Payments')!;
    expect(sheet.formats[2]!.slice(0, 6)).toEqual(['@', '@', '@', '#,##0.00', 'yyyy-mm-dd', '0.00%']);

    // The same strings written without the '@' format first become numbers, as in Excel.
    await direct(state, async (ctx) => {
      const r = ctx.workbook.worksheets.getItem('Sheet1').getRangeByIndexes(0, 0, 1, 2);
      r.values = [['460000000012345678', '00123']];
      await ctx.sync();
    });
    expect(sheetValues(state, 'Sheet1')[0]).toEqual([460000000012346000, 123]);
  });

  test('freeze header, column widths and a chart with one series per value column', async () => {
    const state = createFakeWorkbook({ Sheet1: [] });
    await new OfficeWorkbook(fakeExcelRun(state)).writeSheet(ids);
    const sheet = state.sheets.find((s) => s.name === 'Payments')!;
    expect(sheet.frozenRows).toBe(2);
    expect(sheet.columnWidths[0]).toBe(charsToPoints(20));
    expect(sheet.charts).toHaveLength(1);
    const chart = sheet.charts[0]!;
    expect(chart.type).toBe('ColumnClustered');
    expect(chart.title).toBe('Amounts');
    expect(chart.series.map((s) => s.name)).toEqual(['AMOUNT', 'SHARE']);
    expect(chart.series[0]!.values).toEqual({ sheet: 'Payments', row: 2, column: 3, rows: 2, columns: 1 });
    expect(chart.series[1]!.values).toEqual({ sheet: 'Payments', row: 2, column: 5, rows: 2, columns: 1 });
    expect(chart.series[1]!.xValues).toEqual({ sheet: 'Payments', row: 2, column: 0, rows: 2, columns: 1 });
    // Beside the table (6 columns, one left free), level with the header row, 8 × 18 cells; added in the
    // last request, after every data chunk; two series, so a legend.
    expect(chart.position).toEqual({ sheet: 'Payments', row: 1, column: 7, rows: 1, columns: 1 });
    expect(chart.positionEnd).toEqual({ sheet: 'Payments', row: 18, column: 14, rows: 1, columns: 1 });
    expect(chart.addedAtSync).toBe(state.syncs);
    expect(chart.legendVisible).toBe(true);
    expect(chart.categoryAxis).toEqual({ reversePlotOrder: false, position: 'Automatic' });
    expect(state.unsyncedActions).toBe(0);
  });

  test('every chart type: its Excel type, one series over the data rows, bars listed top-down, a legend for slices', async () => {
    const expected = { line: 'Line', column: 'ColumnClustered', bar: 'BarClustered', pie: 'Pie', area: 'Area' } as const;
    const state = createFakeWorkbook({ Sheet1: [] });
    const wb = new OfficeWorkbook(fakeExcelRun(state));
    for (const type of Object.keys(expected) as (keyof typeof expected)[])
      await wb.writeSheet({ ...ids, name: `C ${type}`, chart: { type, title: `By ${type}`, categoryColumn: 'DATE', valueColumns: ['AMOUNT'] } });
    const charts = state.sheets.filter((s) => s.name.startsWith('C ')).map((s) => s.charts);
    expect(charts.map((c) => c.length)).toEqual([1, 1, 1, 1, 1]);
    expect(charts.map((c) => [c[0]!.type, c[0]!.title, c[0]!.legendVisible, c[0]!.categoryAxis.reversePlotOrder, c[0]!.categoryAxis.position])).toEqual([
      ['Line', 'By line', false, false, 'Automatic'],
      ['ColumnClustered', 'By column', false, false, 'Automatic'],
      ['BarClustered', 'By bar', false, true, 'Maximum'],
      ['Pie', 'By pie', true, false, 'Automatic'],
      ['Area', 'By area', false, false, 'Automatic'],
    ]);
    for (const [i, c] of charts.entries()) {
      const sheet = `C ${Object.keys(expected)[i]}`;
      expect(c[0]!.series).toEqual([
        { name: 'AMOUNT', values: { sheet, row: 2, column: 3, rows: 2, columns: 1 }, xValues: { sheet, row: 2, column: 4, rows: 2, columns: 1 } },
      ]);
    }
  });

  test('a sheet without data rows gets no chart (a chart over no cells is an error in Excel)', async () => {
    const state = createFakeWorkbook({ Sheet1: [] });
    await new OfficeWorkbook(fakeExcelRun(state)).writeSheet({ ...ids, rows: [] });
    expect(state.sheets.find((s) => s.name === 'Payments')!.charts).toEqual([]);
  });

  test('the fake refuses chart types and positions Excel refuses', async () => {
    const state = createFakeWorkbook({ Sheet1: [['x', 1]], Other: [] });
    await expect(
      direct(state, async (ctx) => {
        const sheet = ctx.workbook.worksheets.getItem('Sheet1');
        sheet.charts.add('LinesAndBars', sheet.getRangeByIndexes(0, 1, 1, 1), 'Columns');
        await ctx.sync();
      }),
    ).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(
      direct(state, async (ctx) => {
        const sheet = ctx.workbook.worksheets.getItem('Sheet1');
        const chart = sheet.charts.add('Line', sheet.getRangeByIndexes(0, 1, 1, 1), 'Columns');
        chart.setPosition(ctx.workbook.worksheets.getItem('Other').getRangeByIndexes(0, 0, 1, 1));
        await ctx.sync();
      }),
    ).rejects.toMatchObject({ code: 'InvalidArgument' });
    await expect(
      direct(state, async (ctx) => {
        const chart = ctx.workbook.worksheets.getItem('Sheet1').charts.add('Line', ctx.workbook.worksheets.getItem('Sheet1').getRangeByIndexes(0, 1, 1, 1));
        return chart.legend.visible;
      }),
    ).rejects.toMatchObject({ code: 'PropertyNotLoaded' });
  });

  test('an existing sheet is replaced in place: old cells, formats, charts and freeze are gone', async () => {
    const state = createFakeWorkbook({ First: [['a']], Payments: [], Last: [] });
    const wb = new OfficeWorkbook(fakeExcelRun(state));
    await wb.writeSheet(ids);
    await wb.writeSheet({
      name: 'Payments',
      columns: [{ header: 'ONLY', type: 'integer' }],
      rows: [[1], [2]],
    });
    expect(await wb.listSheets()).toEqual(['First', 'Payments', 'Last']);
    expect(sheetValues(state, 'Payments')).toEqual([['ONLY'], [1], [2]]);
    const sheet = state.sheets.find((s) => s.name === 'Payments')!;
    expect(sheet.charts).toHaveLength(0);
    expect(sheet.frozenRows).toBe(0);
    expect(sheet.formats[3]?.[3]).toBeUndefined();
  });

  test('a 200k-row sheet goes in several syncs, each under 4 MB, and reads back intact', async () => {
    const state = createFakeWorkbook({ Sheet1: [] });
    const wb = new OfficeWorkbook(fakeExcelRun(state));
    const spec = bigSpec(200_000);
    const progress: WriteProgress[] = [];
    await wb.writeSheet(spec, { onProgress: (p) => progress.push(p) });
    const writeSyncs = state.requestBytes.slice(1); // the first sync only looked the sheet up
    expect(writeSyncs.length).toBeGreaterThanOrEqual(4);
    for (const b of state.requestBytes) expect(b).toBeLessThan(4_000_000);
    expect(Math.max(...writeSyncs)).toBeGreaterThan(2_000_000); // chunks are filled, not tiny
    expect(progress.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.rowsWritten).toBeGreaterThan(progress[i - 1]!.rowsWritten);
    expect(progress[progress.length - 1]).toEqual({ sheet: 'Big', rowsWritten: 200_000, rowsTotal: 200_000 });

    const syncsBefore = state.syncs;
    const t = await wb.readSheet('Big');
    expect(state.syncs - syncsBefore).toBeGreaterThan(2); // read in blocks too
    for (const b of state.responseBytes) expect(b).toBeLessThan(5_000_000);
    expect(t.rows).toHaveLength(200_000);
    expect(t.rows[0]).toEqual(['46000000001234567', 'Customer 0', 0, 45366]);
    expect(t.rows[199_999]).toEqual(['46000000001434566', 'Customer 999', ((199_999 * 7919) % 10_000_000) / 100, 45366]);
  });

  test('one request of the same sheet would be refused by the payload limit', async () => {
    const state = createFakeWorkbook({ Sheet1: [] }, { maxRequestBytes: 500_000 });
    const wb = new OfficeWorkbook(fakeExcelRun(state), { maxRequestBytes: 5_000_000 });
    await expect(wb.writeSheet(bigSpec(20_000))).rejects.toMatchObject({ code: 'RequestPayloadSizeLimitExceeded' });
    expect(sheetValues(state, 'Sheet1')).toEqual([]);
  });

  test('cancelling stops between chunks and leaves the rows already written', async () => {
    const state = createFakeWorkbook({ Sheet1: [] });
    const wb = new OfficeWorkbook(fakeExcelRun(state), { maxRequestBytes: 200_000 });
    const controller = new AbortController();
    const progress: WriteProgress[] = [];
    const write = wb.writeSheet(bigSpec(20_000), {
      signal: controller.signal,
      onProgress: (p) => {
        progress.push(p);
        if (progress.length === 2) controller.abort();
      },
    });
    await expect(write).rejects.toMatchObject({ name: 'AbortError' });
    expect(progress).toHaveLength(2);
    const written = sheetValues(state, 'Big');
    expect(written.length - 1).toBe(progress[1]!.rowsWritten); // header + the two chunks' rows, nothing more
    expect(written.length - 1).toBeLessThan(20_000);
  });

  test('an already-aborted signal writes nothing', async () => {
    const state = createFakeWorkbook({ Sheet1: [] });
    const controller = new AbortController();
    controller.abort();
    await expect(new OfficeWorkbook(fakeExcelRun(state)).writeSheet(ids, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(state.syncs).toBe(0);
  });

  test('readSheet starts at the first used row and keeps columns aligned with the sheet', async () => {
    const state = createFakeWorkbook({
      Data: [[], [], ['', 'ID', 'AMOUNT'], ['', '0042', 12.5], ['', '0043', 7]],
    });
    const t = await new OfficeWorkbook(fakeExcelRun(state)).readSheet('Data');
    expect(t).toEqual({ name: 'Data', header: ['', 'ID', 'AMOUNT'], rows: [['', '0042', 12.5], ['', '0043', 7]], firstRowNumber: 4 });
  });

  test('an empty sheet reads as an empty table; an unknown sheet is an error with a sentence', async () => {
    const state = createFakeWorkbook({ Empty: [] });
    const wb = new OfficeWorkbook(fakeExcelRun(state));
    expect(await wb.readSheet('Empty')).toEqual({ name: 'Empty', header: [], rows: [], firstRowNumber: 2 });
    await expect(wb.readSheet('Nope')).rejects.toThrow('There is no sheet named "Nope" in this workbook.');
  });

  test('selectCell activates the sheet and selects the 1-based cell', async () => {
    const state = createFakeWorkbook({ A: [], B: [] });
    await new OfficeWorkbook(fakeExcelRun(state)).selectCell('B', 7, 3);
    expect(state.activeSheet).toBe('B');
    expect(state.selection).toEqual({ sheet: 'B', row: 7, column: 3 });
  });

  test('a bad sheet name or chart column is refused before anything is written', async () => {
    const state = createFakeWorkbook({ Sheet1: [] });
    const wb = new OfficeWorkbook(fakeExcelRun(state));
    await expect(wb.writeSheet({ ...ids, name: 'a/b' })).rejects.toThrow('cannot be a sheet name');
    await expect(wb.writeSheet({ ...ids, chart: { ...ids.chart!, valueColumns: ['NOPE'] } })).rejects.toThrow('NOPE');
    expect(state.syncs).toBe(0);
  });
});

describe('the fake enforces Office rules', () => {
  test('reading a property without load, or after load but before sync, throws PropertyNotLoaded', async () => {
    const state = createFakeWorkbook({ S: [['a', 1]] });
    await direct(state, async (ctx) => {
      const r = ctx.workbook.worksheets.getItem('S').getRangeByIndexes(0, 0, 1, 2);
      expect(() => r.values).toThrow(FakeOfficeError);
      expect(() => r.values).toThrow(/not available/);
      r.load('values');
      let err: unknown;
      try {
        void r.values;
      } catch (e) {
        err = e;
      }
      expect((err as FakeOfficeError).code).toBe('PropertyNotLoaded');
      await ctx.sync();
      expect(r.values).toEqual([['a', 1]]);
      expect(() => r.rowCount).toThrow(/rowCount/); // only what was loaded
      const sheets = ctx.workbook.worksheets;
      expect(() => sheets.items).toThrow(/items/);
      const s = sheets.getItemOrNullObject('S');
      expect(() => s.isNullObject).toThrow(/isNullObject/);
      await ctx.sync();
      expect(s.isNullObject).toBe(false);
    });
  });

  test('writes are invisible before sync; a load queued before a write sees the old value', async () => {
    const state = createFakeWorkbook({ S: [['old']] });
    await direct(state, async (ctx) => {
      const r = ctx.workbook.worksheets.getItem('S').getRangeByIndexes(0, 0, 1, 1);
      r.load('values');
      r.values = [['new']];
      expect(sheetValues(state, 'S')).toEqual([['old']]);
      await ctx.sync();
      expect(r.values).toEqual([['old']]);
      expect(sheetValues(state, 'S')).toEqual([['new']]);
    });
  });

  test('a request over 5 MB is refused whole', async () => {
    const state = createFakeWorkbook({ S: [] });
    const big = Array.from({ length: 60_000 }, (_, i) => ['x'.repeat(80), i]);
    await expect(
      direct(state, async (ctx) => {
        const sheet = ctx.workbook.worksheets.getItem('S');
        sheet.getRangeByIndexes(0, 0, 1, 1).values = [['small']];
        sheet.getRangeByIndexes(1, 0, big.length, 2).values = big;
        await ctx.sync();
      }),
    ).rejects.toMatchObject({ code: 'RequestPayloadSizeLimitExceeded' });
    expect(state.requestBytes[0]).toBeGreaterThan(5_000_000);
    expect(sheetValues(state, 'S')).toEqual([]); // not even the small write
  });

  test('a values array that does not match the range is refused at sync', async () => {
    const state = createFakeWorkbook({ S: [] });
    await expect(
      direct(state, async (ctx) => {
        ctx.workbook.worksheets.getItem('S').getRangeByIndexes(0, 0, 2, 2).values = [['a', 'b']];
        await ctx.sync();
      }),
    ).rejects.toMatchObject({ code: 'InvalidArgument' });
  });

  test('work left unsynced at the end of a batch is counted, not silently applied', async () => {
    const state = createFakeWorkbook({ S: [] });
    await direct(state, async (ctx) => {
      ctx.workbook.worksheets.getItem('S').getRangeByIndexes(0, 0, 1, 1).values = [['lost']];
    });
    expect(state.unsyncedActions).toBe(2);
    expect(sheetValues(state, 'S')).toEqual([]);
  });
});
