import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { chartData } from '../../src/workbook/chart-data';
import type { ChartSpec, SheetSpec } from '../../src/workbook/sheet-spec';
import { readXlsxCharts } from '../../test/xlsx-charts';
import { addChartsToXlsx, chartPartXml, sheetRangeFormula, withDrawingElement } from './chart-part';
import { ExcelFileWorkbook, readWorkbookTables, writeWorkbookFile } from './excel-file';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'closedesk-charts-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Like FIFO Analytics: a preamble above the table, text dates as categories, one money series. */
const outstanding: SheetSpec = {
  name: "Reps' Analytics",
  preamble: [['FIFO matching', 'standard'], ['Customers', 3], []],
  columns: [
    { header: 'DATE', type: 'text' },
    { header: 'OUTSTANDING', type: 'money' },
  ],
  rows: [
    ['2024-06-01', 1607],
    ['2024-06-15', 1907],
    ['2024-07-01', 1407],
  ],
  chart: { type: 'line', title: 'Outstanding <reward> cash', categoryColumn: 'DATE', valueColumns: ['OUTSTANDING'] },
};

/** Like funding by vendor: two series, a bar chart, no preamble. */
const byVendor: SheetSpec = {
  name: 'Funding by vendor',
  columns: [
    { header: 'VENDOR_NAME', type: 'text' },
    { header: 'FUNDING_AMOUNT', type: 'money' },
    { header: 'TRANSACTIONS', type: 'integer' },
  ],
  rows: [
    ['Acme & Sons', 125050, 3],
    ['Globex', 9900, 1],
  ],
  freezeHeader: true,
  chart: { type: 'bar', title: 'Funding by vendor', categoryColumn: 'VENDOR_NAME', valueColumns: ['FUNDING_AMOUNT', 'TRANSACTIONS'] },
};

const plain: SheetSpec = { name: 'Plain', columns: [{ header: 'N', type: 'integer' }], rows: [[1], [2]] };

function expectOutstandingChart(found: Awaited<ReturnType<typeof readXlsxCharts>>[number]) {
  expect(found).toMatchObject({ sheet: "Reps' Analytics", kind: 'lineChart', title: 'Outstanding <reward> cash', legend: false });
  expect(found.series).toEqual([
    {
      name: 'OUTSTANDING',
      nameRef: "'Reps'' Analytics'!$B$4",
      categoryRef: "'Reps'' Analytics'!$A$5:$A$7",
      valueRef: "'Reps'' Analytics'!$B$5:$B$7",
      categories: ['2024-06-01', '2024-06-15', '2024-07-01'],
      values: [16.07, 19.07, 14.07],
    },
  ]);
  // Beside the table (2 columns + one free column), level with the header row.
  expect(found.from).toEqual({ col: 3, row: 3 });
  expect(found.to).toEqual({ col: 11, row: 21 });
}

function expectVendorChart(found: Awaited<ReturnType<typeof readXlsxCharts>>[number]) {
  expect(found).toMatchObject({ sheet: 'Funding by vendor', kind: 'barChart', barDir: 'bar', title: 'Funding by vendor', legend: true });
  expect(found.series.map((s) => [s.name, s.nameRef, s.categoryRef, s.valueRef])).toEqual([
    ['FUNDING_AMOUNT', "'Funding by vendor'!$B$1", "'Funding by vendor'!$A$2:$A$3", "'Funding by vendor'!$B$2:$B$3"],
    ['TRANSACTIONS', "'Funding by vendor'!$C$1", "'Funding by vendor'!$A$2:$A$3", "'Funding by vendor'!$C$2:$C$3"],
  ]);
  expect(found.series[0]!.categories).toEqual(['Acme & Sons', 'Globex']);
  expect(found.series[0]!.values).toEqual([1250.5, 99]);
  expect(found.series[1]!.values).toEqual([3, 1]);
}

/** The chart's formulas point at cells that hold what the chart's cache says (exceljs reads the file). */
async function expectCellsBehindCharts(bytes: Uint8Array) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ExcelJS.Buffer);
  for (const chart of await readXlsxCharts(bytes)) {
    for (const s of chart.series) {
      const [sheet, range] = s.valueRef.split('!') as [string, string];
      const ws = wb.getWorksheet(sheet.slice(1, -1).replace(/''/g, "'"))!;
      const [first, last = first] = range.replace(/\$/g, '').split(':') as [string, string?];
      const col = first.replace(/\d+/g, '');
      const cells: (number | null)[] = [];
      for (let r = Number(first.replace(/\D+/g, '')); r <= Number(last!.replace(/\D+/g, '')); r++) cells.push(ws.getCell(`${col}${r}`).value as number);
      expect(cells).toEqual(s.values);
      expect(ws.getCell(s.nameRef.split('!')[1]!.replace(/\$/g, '')).value).toBe(s.name);
    }
  }
}

test('the streaming writer puts native charts into the file; exceljs still reads it', async () => {
  const path = join(dir, 'stream.xlsx');
  const written = await writeWorkbookFile(path, [plain, outstanding, byVendor]);
  expect(written.charts).toEqual(["Reps' Analytics", 'Funding by vendor']);
  const bytes = readFileSync(path);
  const charts = await readXlsxCharts(bytes);
  expect(charts).toHaveLength(2);
  expectOutstandingChart(charts[0]!);
  expectVendorChart(charts[1]!);
  await expectCellsBehindCharts(bytes);
  const tables = await readWorkbookTables(path);
  expect(tables.map((t) => t.name)).toEqual(['Plain', "Reps' Analytics", 'Funding by vendor']);
  expect(tables[2]!.rows).toEqual([
    ['Acme & Sons', 1250.5, 3],
    ['Globex', 99, 1],
  ]);
});

test('the in-memory workbook saves and buffers the same charts; a rewritten sheet without one loses it', async () => {
  const wb = new ExcelFileWorkbook();
  await wb.writeSheet(plain);
  await wb.writeSheet(outstanding);
  await wb.writeSheet(byVendor);
  expect(wb.charts().map((c) => c.sheet)).toEqual(["Reps' Analytics", 'Funding by vendor']);
  const path = join(dir, 'memory.xlsx');
  await wb.save(path);
  const saved = await readXlsxCharts(readFileSync(path));
  expectOutstandingChart(saved[0]!);
  expectVendorChart(saved[1]!);
  await expectCellsBehindCharts(readFileSync(path));

  await wb.writeSheet({ ...outstanding, chart: undefined });
  const buffer = await wb.toBuffer();
  expect((await readXlsxCharts(buffer)).map((c) => c.sheet)).toEqual(['Funding by vendor']);
  expect((await ExcelFileWorkbook.open(buffer).then((w) => w.listSheets()))).toEqual(['Plain', "Reps' Analytics", 'Funding by vendor']);
});

test('every chart type gets its own chart element; a series with blanks keeps their places', async () => {
  const types: ChartSpec['type'][] = ['line', 'column', 'bar', 'pie', 'area'];
  const specs = types.map(
    (type): SheetSpec => ({
      name: `T ${type}`,
      columns: [
        { header: 'MONTH', type: 'date' },
        { header: 'AMOUNT', type: 'money' },
      ],
      rows: [
        ['2024-10-31', 100],
        ['2024-11-30', null],
        ['2024-12-31', -250],
      ],
      chart: { type, title: `A ${type}`, categoryColumn: 'MONTH', valueColumns: ['AMOUNT'] },
    }),
  );
  const path = join(dir, 'types.xlsx');
  await writeWorkbookFile(path, specs);
  const charts = await readXlsxCharts(readFileSync(path));
  expect(charts.map((c) => [c.sheet, c.kind, c.barDir ?? '', c.legend])).toEqual([
    ['T line', 'lineChart', '', false],
    ['T column', 'barChart', 'col', false],
    ['T bar', 'barChart', 'bar', false],
    ['T pie', 'pieChart', '', true],
    ['T area', 'areaChart', '', false],
  ]);
  for (const c of charts) {
    // Dates are serials in the sheet and in the cache; the blank amount is a gap, not a zero.
    expect(c.series[0]!.categories).toEqual(['45596', '45626', '45657']);
    expect(c.series[0]!.values).toEqual([1, null, -2.5]);
  }
  const xml = chartPartXml(chartData(specs[0]!)!);
  expect(xml).toContain('<c:formatCode>yyyy-mm-dd</c:formatCode>');
});

test('a chart naming a column the sheet lacks is refused before any file appears', async () => {
  const path = join(dir, 'refused.xlsx');
  const bad = { ...byVendor, chart: { ...byVendor.chart!, valueColumns: ['NOPE'] } };
  await expect(writeWorkbookFile(path, [bad])).rejects.toThrow('uses the column NOPE, which sheet Funding by vendor does not have');
  await expect(new ExcelFileWorkbook().writeSheet(bad)).rejects.toThrow('NOPE');
  expect(() => readFileSync(path)).toThrow();
});

test('a sheet that already has a drawing (a picture) gets the chart in that drawing', async () => {
  const raw = new ExcelJS.Workbook();
  const ws = raw.addWorksheet('Funding by vendor');
  ws.addRow(['VENDOR_NAME', 'FUNDING_AMOUNT', 'TRANSACTIONS']);
  ws.addRow(['Acme & Sons', 1250.5, 3]);
  ws.addRow(['Globex', 99, 1]);
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  ws.addImage(raw.addImage({ buffer: png as unknown as ExcelJS.Buffer, extension: 'png' }), 'H1:I2');
  const before = new Uint8Array(await raw.xlsx.writeBuffer());
  const after = await addChartsToXlsx(before, [chartData(byVendor)!]);
  const charts = await readXlsxCharts(after);
  expect(charts).toHaveLength(1);
  expectVendorChart(charts[0]!);
  const zip = await JSZip.loadAsync(after);
  const drawings = Object.keys(zip.files).filter((f) => /^xl\/drawings\/drawing\d+\.xml$/.test(f));
  expect(drawings).toHaveLength(1);
  const drawing = await zip.file(drawings[0]!)!.async('string');
  expect(drawing).toContain('<xdr:pic>');
  expect(drawing.match(/<xdr:cNvPr id="(\d+)"/g)!.length).toBe(2);
  const reopened = new ExcelJS.Workbook();
  await reopened.xlsx.load(Buffer.from(after) as unknown as ExcelJS.Buffer);
  expect(reopened.getWorksheet('Funding by vendor')!.getImages()).toHaveLength(1);
});

test('formulas quote every sheet name and the drawing goes before the parts the schema puts after it', () => {
  expect(sheetRangeFormula('Plain', 0, 1, 1)).toBe("'Plain'!$A$2");
  expect(sheetRangeFormula("It's", 27, 4, 3)).toBe("'It''s'!$AB$5:$AB$7");
  const sheet = '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lt;picture&gt;</t></is></c></row></sheetData><pageMargins/><legacyDrawing r:id="rId1"/><tableParts count="0"/></worksheet>';
  expect(withDrawingElement(sheet, 'rId2')).toBe(sheet.replace('<legacyDrawing', '<drawing r:id="rId2"/><legacyDrawing'));
  expect(withDrawingElement('<worksheet><sheetData/></worksheet>', 'rId1')).toBe('<worksheet><sheetData/><drawing r:id="rId1"/></worksheet>');
});
