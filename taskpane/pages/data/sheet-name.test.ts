import { datasetColumns, sheetNameForDataset } from './load-dataset';

describe('sheetNameForDataset', () => {
  it('drops the file extension', () => {
    expect(sheetNameForDataset('cm.csv', [])).toBe('cm');
    expect(sheetNameForDataset('THR_2026-10.txt', [])).toBe('THR_2026-10');
    expect(sheetNameForDataset('Orders.xlsx', [])).toBe('Orders');
  });

  it('names a workbook dataset after its sheet', () => {
    expect(sheetNameForDataset('demo.xlsx – TC_Data', [])).toBe('TC_Data');
    expect(sheetNameForDataset('vret/ledgers.xlsx - Ledgers', ['Ledgers'])).toBe('Ledgers (2)');
  });

  it('replaces the characters Excel refuses in sheet names', () => {
    expect(sheetNameForDataset('sql: gl/ap [q3]?*', [])).toBe('sql_ gl_ap _q3___');
    expect(sheetNameForDataset("'quoted'", [])).toBe('quoted');
  });

  it('keeps at most 31 characters', () => {
    const name = sheetNameForDataset('settlement-flat-file-2026-10-31-amazon-eu.csv', []);
    expect(name).toBe('settlement-flat-file-2026-10-31');
    expect(name).toHaveLength(31);
  });

  it('adds (2), (3)… when the name is taken, comparing as Excel does (case-insensitive)', () => {
    expect(sheetNameForDataset('cm.csv', ['CM'])).toBe('cm (2)');
    expect(sheetNameForDataset('cm.csv', ['cm', 'cm (2)'])).toBe('cm (3)');
  });

  it('stays within 31 characters with the suffix', () => {
    const long = 'a'.repeat(40);
    const first = sheetNameForDataset(long, []);
    const second = sheetNameForDataset(long, [first]);
    expect(second).toBe(`${'a'.repeat(27)} (2)`);
    expect(second.length).toBeLessThanOrEqual(31);
  });

  it('names an empty name Data', () => {
    expect(sheetNameForDataset('.csv', [])).toBe('Data');
  });
});

describe('datasetColumns', () => {
  it('keeps text columns text (ids with leading zeros) and numeric columns numbers', () => {
    const cols = datasetColumns(['ID', 'AMOUNT', 'OK', 'MIXED', 'EMPTY'], [
      ['00123', 10.5, true, 1, null],
      ['00124', 3, false, 'x', ''],
    ]);
    expect(cols.map((c) => c.type)).toEqual(['text', 'number', 'boolean', 'text', 'text']);
    expect(cols.map((c) => c.header)).toEqual(['ID', 'AMOUNT', 'OK', 'MIXED', 'EMPTY']);
  });
});
