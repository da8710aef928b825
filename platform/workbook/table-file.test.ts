import ExcelJS from 'exceljs';
import { isWorkbookName, readTableFile } from './table-file';

async function workbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('Disputes').addRows([['CASE_ID', 'AMOUNT'], ['CB-1', 12.5]]);
  wb.addWorksheet('Notes').addRows([['NOTE'], ['checked']]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('one reader from bytes to tables', () => {
  test('a workbook: every sheet named <file> <sheet>, or the sheet asked for, or its own name', async () => {
    const bytes = await workbook();
    const all = await readTableFile('cb.xlsx', bytes);
    expect(all.problems).toEqual([]);
    expect(all.tables.map((t) => [t.name, t.header, t.rows])).toEqual([
      ['cb.xlsx Disputes', ['CASE_ID', 'AMOUNT'], [['CB-1', 12.5]]],
      ['cb.xlsx Notes', ['NOTE'], [['checked']]],
    ]);
    expect((await readTableFile('cb.xlsx', bytes, { sheet: 'notes' })).tables.map((t) => t.name)).toEqual(['cb.xlsx Notes']);
    expect((await readTableFile('cb.xlsx', bytes, { sheetNames: 'sheet' })).tables.map((t) => t.name)).toEqual(['Disputes', 'Notes']);
    expect((await readTableFile('cb.xlsx', bytes, { sheet: 'Nope' })).problems).toMatchObject([
      { source: 'cb.xlsx', code: 'no-such-sheet', message: 'cb.xlsx has no sheet named "Nope"; its sheets are "Disputes", "Notes".' },
    ]);
  });

  test('bytes that are not a workbook: one sentence, no library message', async () => {
    const r = await readTableFile('report (final).xlsx', Buffer.from('settlement-id\tamount\n1\t2\n'));
    expect(r.tables).toEqual([]);
    expect(r.problems).toEqual([
      {
        severity: 'blocking',
        source: 'report (final).xlsx',
        value: '',
        message: 'report (final).xlsx could not be opened: it is not an Excel workbook (.xlsx), or it is damaged. Save it as .xlsx in Excel and try again.',
        code: 'bad-workbook',
      },
    ]);
  });

  test('JSON records and CSV text', async () => {
    const json = await readTableFile('cb.json', Buffer.from('[{"CASE_ID":"CB-1","AMOUNT":"1.00"},{"CASE_ID":"CB-2","NOTE":"x"}]'), { records: 'chargeback records' });
    expect(json.tables[0]).toMatchObject({ name: 'cb.json', header: ['CASE_ID', 'AMOUNT', 'NOTE'], rows: [['CB-1', '1.00', ''], ['CB-2', '', 'x']] });
    expect((await readTableFile('cb.json', Buffer.from('{"a":1}'), { records: 'chargeback records' })).problems).toMatchObject([{ code: 'not-an-array', message: 'cb.json must hold a JSON array of chargeback records.' }]);
    expect((await readTableFile('cb.json', Buffer.from('[{'))).problems).toMatchObject([{ code: 'bad-json' }]);
    const text = await readTableFile('lines.txt', Buffer.from('A|B\r\n1|2\r\n'), { delimiter: '|' });
    expect(text.tables[0]).toMatchObject({ name: 'lines.txt', header: ['A', 'B'], rows: [['1', '2']] });
    expect([isWorkbookName('x.XLSM'), isWorkbookName('x.csv')]).toEqual([true, false]);
  });
});
