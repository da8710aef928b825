import { sheetToCsv } from './csv';
import type { SheetSpec } from './sheet-spec';

const spec: SheetSpec = {
  name: 'SPURSH',
  preamble: [['Run', 'R-7']],
  columns: [
    { header: 'TRANSACTION_NUM', type: 'id' },
    { header: 'VENDOR_NAME', type: 'text' },
    { header: 'AMOUNT', type: 'money' },
    { header: 'AMOUNT_JPY', type: 'money', currency: 'JPY' },
    { header: 'DATE', type: 'date' },
    { header: 'AT', type: 'datetime' },
    { header: 'OK', type: 'boolean' },
  ],
  rows: [
    ['00012345678901234567', '=cmd()', -123400, 1500, '2024-01-31', '2024-01-31T12:00:00Z', true],
    [98765, 'Acme, Inc.', 5, null, 45322, null, false],
  ],
};

test('money as two decimals, ids as text, dates ISO, injection neutralised, RFC 4180 quoting', () => {
  expect(sheetToCsv(spec)).toBe(
    'TRANSACTION_NUM,VENDOR_NAME,AMOUNT,AMOUNT_JPY,DATE,AT,OK\r\n' +
      "00012345678901234567,'=cmd(),-1234.00,1500,2024-01-31,2024-01-31T12:00:00Z,TRUE\r\n" +
      '98765,"Acme, Inc.",0.05,,2024-01-31,,FALSE\r\n',
  );
});

test('line ending, BOM and preamble options', () => {
  const csv = sheetToCsv(spec, { lineEnding: '\n', bom: true, preamble: true });
  expect(csv.startsWith('\uFEFFRun,R-7\nTRANSACTION_NUM,')).toBe(true);
  expect(csv.endsWith('FALSE\n')).toBe(true);
  expect(csv.split('\uFEFF')).toHaveLength(2);
});

test('a ;-layout file quotes a cell holding a comma, so no reader splits "x,=1+1" into a formula cell', () => {
  const semi: SheetSpec = { name: 'S', columns: [{ header: 'NOTE', type: 'text' }, { header: 'AMOUNT', type: 'money' }], rows: [['x,=1+1', 150]] };
  expect(sheetToCsv(semi, { delimiter: ';', lineEnding: '\n' })).toBe('NOTE;AMOUNT\n"x,=1+1";1.50\n');
  expect(sheetToCsv({ ...semi, rows: [['a;b\tc', 1]] }, { delimiter: ',', lineEnding: '\n' })).toBe('NOTE,AMOUNT\n"a;b\tc",0.01\n');
});
