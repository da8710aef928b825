import { chartData } from '../../src/workbook/chart-data';
import type { SheetSpec } from '../../src/workbook/sheet-spec';
import { barLabelWidth, chartHeight, MAX_CATEGORIES, paneChart } from './sheet-chart-model';

const outstanding: SheetSpec = {
  name: 'FIFO Analytics',
  preamble: [['FIFO matching', 'standard'], []],
  columns: [
    { header: 'DATE', type: 'text' },
    { header: 'OUTSTANDING', type: 'money' },
  ],
  rows: [
    ['2024-06-01', 1607],
    ['2024-06-15', null],
    ['2024-07-01', 1407],
  ],
  chart: { type: 'line', title: 'Outstanding reward cash', categoryColumn: 'DATE', valueColumns: ['OUTSTANDING'] },
};

test('a line over text dates gets a time axis in UTC; blank cells are left out', () => {
  const chart = paneChart(chartData(outstanding)!);
  expect(chart).toEqual({
    kind: 'line',
    title: 'Outstanding reward cash',
    dates: true,
    labels: ['2024-06-01', '2024-06-15', '2024-07-01'],
    lines: [
      {
        legend: 'OUTSTANDING',
        data: [
          { x: new Date(Date.UTC(2024, 5, 1)), y: 16.07, xAxisCalloutData: '2024-06-01' },
          { x: new Date(Date.UTC(2024, 6, 1)), y: 14.07, xAxisCalloutData: '2024-07-01' },
        ],
      },
    ],
  });
});

test('months and date-typed columns are dates too; other categories go by position', () => {
  const months = paneChart(chartData({ ...outstanding, rows: [['2024-06', 1], ['2024-07', 2]] })!);
  expect(months.kind === 'line' && months.lines[0]!.data.map((p) => p.x)).toEqual([new Date(Date.UTC(2024, 5, 1)), new Date(Date.UTC(2024, 6, 1))]);
  const typed = paneChart(chartData({ ...outstanding, columns: [{ header: 'DATE', type: 'date' }, outstanding.columns[1]!], rows: [['2024-06-30', 1]] })!);
  expect(typed.kind === 'line' && typed.lines[0]!.data[0]!.x).toEqual(new Date(Date.UTC(2024, 5, 30)));
  const named = paneChart(chartData({ ...outstanding, chart: { ...outstanding.chart!, type: 'area' }, rows: [['Q1', 1], ['Q2', 2]] })!);
  expect(named).toMatchObject({ kind: 'area', dates: false, labels: ['Q1', 'Q2'] });
  expect(named.kind === 'area' && named.lines[0]!.data.map((p) => p.x)).toEqual([0, 1]);
});

const vendors = (n: number, type: 'bar' | 'column' | 'pie', valueColumns = ['FUNDING_AMOUNT']): SheetSpec => ({
  name: 'Funding by vendor',
  columns: [
    { header: 'VENDOR_NAME', type: 'text' },
    { header: 'FUNDING_AMOUNT', type: 'money' },
    { header: 'TRANSACTIONS', type: 'integer' },
  ],
  rows: Array.from({ length: n }, (_, i) => [`Vendor ${i + 1}`, (n - i) * 100, i]),
  chart: { type, title: 'Funding by vendor', categoryColumn: 'VENDOR_NAME', valueColumns },
});

test('horizontal bars keep the sheet order, at most MAX_CATEGORIES, and grow the plot', () => {
  const few = paneChart(chartData(vendors(3, 'bar'))!);
  expect(few).toEqual({
    kind: 'bar',
    title: 'Funding by vendor',
    omitted: 0,
    // Drawn from the bottom up: the sheet's first row ends on top.
    bars: [
      { x: 1, y: 'Vendor 3', legend: 'Vendor 3' },
      { x: 2, y: 'Vendor 2', legend: 'Vendor 2' },
      { x: 3, y: 'Vendor 1', legend: 'Vendor 1' },
    ],
  });
  expect(barLabelWidth(few)).toBe(24 + 6 * 'Vendor 1'.length);
  expect(barLabelWidth(paneChart(chartData({ ...vendors(1, 'bar'), rows: [['A vendor with a very long name GmbH', 1, 1]] })!))).toBe(24 + 6 * 17);
  const many = paneChart(chartData(vendors(MAX_CATEGORIES + 5, 'bar'))!);
  expect(many.kind === 'bar' && many.bars.map((b) => b.y)).toEqual(Array.from({ length: MAX_CATEGORIES }, (_, i) => `Vendor ${MAX_CATEGORIES - i}`));
  expect(many).toMatchObject({ omitted: 5 });
  expect(chartHeight(many)).toBeGreaterThan(chartHeight(few));
});

test('columns, grouped columns for several series, and pie slices of the first series', () => {
  expect(paneChart(chartData(vendors(2, 'column'))!)).toEqual({
    kind: 'column',
    title: 'Funding by vendor',
    omitted: 0,
    bars: [
      { x: 'Vendor 1', y: 2, legend: 'FUNDING_AMOUNT' },
      { x: 'Vendor 2', y: 1, legend: 'FUNDING_AMOUNT' },
    ],
  });
  const grouped = paneChart(chartData(vendors(2, 'bar', ['FUNDING_AMOUNT', 'TRANSACTIONS']))!);
  expect(grouped).toMatchObject({ kind: 'grouped', groups: [{ name: 'Vendor 1', series: [{ key: 'FUNDING_AMOUNT', data: 2 }, { key: 'TRANSACTIONS', data: 0 }] }, { name: 'Vendor 2' }] });
  const pie = paneChart(chartData(vendors(3, 'pie', ['TRANSACTIONS', 'FUNDING_AMOUNT']))!);
  // Vendor 1 has 0 transactions: no slice.
  expect(pie).toEqual({ kind: 'pie', title: 'Funding by vendor', omitted: 0, slices: [{ legend: 'Vendor 2', data: 1 }, { legend: 'Vendor 3', data: 2 }] });
});
