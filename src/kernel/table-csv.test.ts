import { findColumns, readRows, tableFromValues, columnLetter } from './table';
import { parseCsv, toCsv, neutraliseText } from './csv';
import { hasBlocking } from './problems';

describe('tables', () => {
  const t = tableFromValues('TC_Data', [
    ['Trans_ID', 'TYPE', 'AMOUNT', 'CREATEDAT'],
    ['1', 'earned', 14.23, 45000],
    [46000000001234567, 'Spent', '-1.234', 'not a date'],
    ['', '', '', ''],
  ]);
  it('finds columns by name or alias, case-insensitively', () => {
    const r = findColumns(t, [{ name: 'TRANS_ID' }, { name: 'TCTYPE', aliases: ['TYPE'] }, { name: 'REASON' }]);
    expect(r.index).toEqual({ TRANS_ID: 0, TCTYPE: 1, REASON: -1 });
  });
  it('names a missing required column and the aliases tried', () => {
    const r = findColumns(t, [{ name: 'CUSTOMERID', aliases: ['CUSTOMER_ID'], required: true }]);
    expect(r.problems[0]).toMatchObject({ severity: 'blocking', column: 'CUSTOMERID' });
    expect(r.problems[0]!.message).toContain('CUSTOMERID, CUSTOMER_ID');
  });
  it('reads typed rows and collects one problem per bad cell', () => {
    const r = readRows(t, {
      TRANS_ID: { type: 'id', required: true },
      TCTYPE: { type: 'enum', aliases: ['TYPE'], values: ['earned', 'spent', 'expired'], required: true },
      AMOUNT: { type: 'amount', required: true },
      CREATEDAT: { type: 'datetime', required: true },
    });
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]!.values).toEqual({
      TRANS_ID: '1',
      TCTYPE: 'earned',
      AMOUNT: 1423,
      CREATEDAT: { iso: '2023-03-15T00:00:00Z', epochMs: Date.UTC(2023, 2, 15) },
    });
    expect(r.rows[0]!.rowNumber).toBe(2);
    const bad = r.problems.map((p) => `${p.row}:${p.column}`);
    expect(bad).toEqual(['3:Trans_ID', '3:AMOUNT', '3:CREATEDAT']);
    expect(hasBlocking(r.problems)).toBe(true);
  });
  it('letters columns as Excel does', () => {
    expect([0, 25, 26, 701, 702].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'ZZ', 'AAA']);
  });
});

describe('csv', () => {
  it('writes RFC 4180 with quoting, neutralising formulas but not numbers', () => {
    const out = toCsv(['A', 'B', 'C'], [['=HYPERLINK("x")', -12.5, 'a,b'], ['-12.50', '@SUM(A1)', 'line\nbreak'], ['+1', '\tx', null]], {
      lineEnding: '\n',
    });
    // A tab inside a cell is quoted too, whatever the delimiter (the cell is also neutralised).
    expect(out).toBe('A,B,C\n"\'=HYPERLINK(""x"")",-12.5,"a,b"\n-12.50,\'@SUM(A1),"line\nbreak"\n\'+1,"\'\tx",\n');
    expect(neutraliseText('-cmd')).toBe("'-cmd");
  });
  it('quotes a cell holding any common delimiter, a quote or a line break, in every layout', () => {
    const cells = ['x,=1+1', 'a;b', 'tab\there', 'say "hi"', 'two\r\nlines', 'plain', 'p|q'];
    for (const delimiter of [',', ';', '\t', '|']) {
      const line = toCsv(['H'], [cells], { delimiter, lineEnding: '\n' }).slice(2, -1);
      const expected = ['"x,=1+1"', '"a;b"', '"tab\there"', '"say ""hi"""', '"two\r\nlines"', 'plain', delimiter === '|' ? '"p|q"' : 'p|q'];
      expect([delimiter, line]).toEqual([delimiter, expected.join(delimiter)]);
      expect(parseCsv(`H\n${line}\n`, { name: 'x.csv', delimiter }).table.rows[0]).toEqual(cells);
    }
    // A ;-file opened as comma-separated keeps "x,=1+1" inside one cell instead of splitting off =1+1.
    const semicolonLine = toCsv(['H'], [['x,=1+1', 'y']], { delimiter: ';', lineEnding: '\n' }).slice(2, -1);
    expect(semicolonLine).toBe('"x,=1+1";y');
    expect(parseCsv(`H\n${semicolonLine}\n`, { name: 'semi.csv', delimiter: ',' }).table.rows[0]![0]).not.toBe('=1+1');
  });
  it('adds a BOM and CRLF when asked', () => {
    expect(toCsv(['A'], [['1']], { bom: true })).toBe('\uFEFFA\r\n1\r\n');
  });
  it('parses CSV keeping every cell as text and reports uneven rows', () => {
    const r = parseCsv('\uFEFFID;AMOUNT\r\n0012;1,50\r\n\r\n7;2;extra\r\n', { name: 'x.csv' });
    expect(r.table.header).toEqual(['ID', 'AMOUNT']);
    expect(r.table.rows).toEqual([['0012', '1,50'], ['7', '2', 'extra']]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ severity: 'warning', row: 3 });
  });
  it('reports an empty file', () => {
    expect(parseCsv('', { name: 'empty.csv' }).problems[0]!.code).toBe('empty-file');
  });
});
