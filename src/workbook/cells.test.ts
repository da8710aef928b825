import { isoToExcelSerial } from '../kernel/dates';
import {
  cellValue,
  columnWidthChars,
  defaultNumberFormat,
  estimateRowBytes,
  planChunks,
  sheetCells,
  sheetRows,
} from './cells';
import type { SheetSpec } from './sheet-spec';

const spec: SheetSpec = {
  name: 'GLDI',
  preamble: [
    ['Ledger', '00123'],
    ['Accounting Date', new Date(Date.UTC(2024, 0, 31))],
  ],
  columns: [
    { header: 'TRANS_ID', type: 'id' },
    { header: 'ACCT', type: 'id' },
    { header: 'AMOUNT', type: 'money' },
    { header: 'AMOUNT_JPY', type: 'money', currency: 'JPY' },
    { header: 'DATE', type: 'date' },
    { header: 'CREATED', type: 'datetime' },
    { header: 'NOTE', type: 'text' },
    { header: 'RATE', type: 'percent' },
    { header: 'OK', type: 'boolean' },
    { header: 'COUNT', type: 'integer', numberFormat: '#,##0' },
  ],
  rows: [
    ['12345678901234567', '00042', -123456, 1500, '2024-01-31', '2024-01-31T12:00:00Z', '=HYPERLINK("x")', 0.25, true, 3],
    [42, '', null, 0, '', null, 7, null, 'false', null],
  ],
};

describe('sheetCells', () => {
  const cells = sheetCells(spec);

  test('lays out preamble, header and data rows, padded to one width', () => {
    expect(cells.width).toBe(10);
    expect(cells.headerRow).toBe(3);
    expect(cells.firstDataIndex).toBe(3);
    expect(cells.dataRows).toBe(2);
    expect(cells.values).toHaveLength(5);
    for (const r of cells.values) expect(r).toHaveLength(10);
    for (const r of cells.numberFormats) expect(r).toHaveLength(10);
    expect(cells.values[2]).toEqual(spec.columns.map((c) => c.header));
    expect(cells.numberFormats[2]!.every((f) => f === '@')).toBe(true);
  });

  test('preamble text stays text and preamble dates become serials with a date format', () => {
    expect(cells.values[0]!.slice(0, 3)).toEqual(['Ledger', '00123', '']);
    expect(cells.numberFormats[0]!.slice(0, 2)).toEqual(['@', '@']);
    expect(cells.values[1]![1]).toBe(isoToExcelSerial('2024-01-31'));
    expect(cells.numberFormats[1]![1]).toBe('yyyy-mm-dd');
  });

  test('converts each column type to what Excel stores', () => {
    const row = cells.values[3]!;
    expect(row[0]).toBe('12345678901234567'); // 17-digit id stays text
    expect(row[1]).toBe('00042'); // leading zeros kept
    expect(row[2]).toBe(-1234.56);
    expect(row[3]).toBe(1500); // JPY has no minor unit
    expect(row[4]).toBe(45322); // 2024-01-31 in the 1900 system
    expect(row[5]).toBe(45322.5);
    expect(row[6]).toBe('=HYPERLINK("x")'); // text column: the '@' format keeps it text
    expect(row[7]).toBe(0.25);
    expect(row[8]).toBe(true);
    expect(row[9]).toBe(3);
    const row2 = cells.values[4]!;
    expect(row2.slice(0, 4)).toEqual(['42', '', '', 0]);
    expect(row2[6]).toBe('7');
    expect(row2[8]).toBe(false);
    expect(row2.includes(null)).toBe(false); // null means "leave unchanged" to Office.js
  });

  test('number formats per column type, explicit format wins', () => {
    expect(cells.numberFormats[3]).toEqual([
      '@',
      '@',
      '#,##0.00',
      '#,##0',
      'yyyy-mm-dd',
      'yyyy-mm-dd hh:mm:ss',
      '@',
      '0.00%',
      'General',
      '#,##0',
    ]);
    expect(defaultNumberFormat('money', 'KWD')).toBe('#,##0.000');
  });

  test('a money cell that is not cents and an unreadable date are kept, not lost', () => {
    expect(cellValue('see note', { header: 'A', type: 'money' })).toBe('see note');
    expect(cellValue('soon', { header: 'D', type: 'date' })).toBe('soon');
    expect(cellValue(new Date(Date.UTC(2024, 1, 29)), { header: 'D', type: 'date' })).toBe(isoToExcelSerial('2024-02-29'));
  });

  test('sheetRows yields the same rows as sheetCells', () => {
    expect([...sheetRows(spec)].map((r) => r.values)).toEqual(cells.values);
  });

  test('column widths: spec width or a per-type default at least as wide as the header', () => {
    expect(columnWidthChars({ header: 'X', type: 'id', width: 7 })).toBe(7);
    expect(columnWidthChars({ header: 'X', type: 'id' })).toBe(20);
    expect(columnWidthChars({ header: 'A_VERY_LONG_HEADER_NAME', type: 'integer' })).toBe(25);
  });
});

describe('estimateRowBytes and planChunks', () => {
  test('estimateRowBytes counts UTF-8 bytes of the JSON', () => {
    expect(estimateRowBytes(['a', 1], ['@', 'General'])).toBe(JSON.stringify(['a', 1]).length + JSON.stringify(['@', 'General']).length + 2);
    expect(estimateRowBytes(['é€😀'], ['@'])).toBe(2 + 2 + 3 + 4 + 2 + JSON.stringify(['@']).length + 2);
  });

  function bigSpec(n: number): SheetSpec {
    const rows = [];
    for (let i = 0; i < n; i++) rows.push([String(10000000000000000n + BigInt(i)), 'customer ' + (i % 977), i * 37, '2024-03-01']);
    return {
      name: 'Big',
      columns: [
        { header: 'ID', type: 'id' },
        { header: 'NAME', type: 'text' },
        { header: 'AMOUNT', type: 'money' },
        { header: 'DATE', type: 'date' },
      ],
      rows,
    };
  }

  test('chunks cover every row once, in order, each under the limit', () => {
    const s = bigSpec(20_000);
    const cells = sheetCells(s);
    const max = 200_000;
    const chunks = planChunks(cells, max);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks[0]!.start).toBe(0);
    expect(chunks[chunks.length - 1]!.end).toBe(cells.values.length);
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      if (i > 0) expect(c.start).toBe(chunks[i - 1]!.end);
      // Measure independently: the real JSON Office.js would send for this chunk.
      const payload = JSON.stringify({ values: cells.values.slice(c.start, c.end), numberFormat: cells.numberFormats.slice(c.start, c.end) });
      expect(payload.length).toBeLessThan(max);
    }
    expect(planChunks(s, max)).toEqual(chunks);
  });

  test('a small sheet is one chunk; a row larger than the limit gets its own chunk', () => {
    expect(planChunks(bigSpec(10))).toHaveLength(1);
    const wide: SheetSpec = { name: 'W', columns: [{ header: 'T', type: 'text' }], rows: [['a'], ['x'.repeat(5000)], ['b']] };
    const chunks = planChunks(wide, 3000);
    expect(chunks.map((c) => [c.start, c.end])).toEqual([
      [0, 2],
      [2, 3],
      [3, 4],
    ]);
  });
});
