import { blocking, parseCsv, tableFromValues } from '../kernel';
import { buildChargebackFiles, chargebackBatchView, chargebackSheets, defaultBatchLabel } from './index';

const HEADER = 'CASE_ID,NETWORK,REASON_CODE,AMOUNT,CURRENCY,TRANSACTION_DATE,ARN,MERCHANT_ID,DUE_DATE,STATUS';
const ARN = '74567890123456789012345';
const csv = (lines: string[]) => parseCsv([HEADER, ...lines].join('\r\n'), { name: 'cb.csv' }).table;
const records = csv([`CB-1,VISA,13.1,12.50,USD,2024-10-30,${ARN},M1,2024-12-01,OPEN`, `CB-2,AMEX,C08,3.00,USD,2024-11-28,${ARN},M1,2024-12-20,OPEN`]);

describe('the batch every host builds', () => {
  it('no date given: the latest transaction date of the records, never the clock; the label B + that date', () => {
    const b = buildChargebackFiles(records);
    expect([b.date, b.dateFromData, b.batch]).toEqual(['2024-11-28', true, 'B20241128']);
    expect(b.files.map((f) => f.fileName)).toEqual(['VISA_M1_20241128_B20241128.csv', 'AMEX_M1_20241128_B20241128.csv']);
    const given = buildChargebackFiles(records, { date: '2024-12-02', batch: ' ' });
    expect([given.date, given.dateFromData, given.batch]).toEqual(['2024-12-02', false, 'B20241202']);
    expect(defaultBatchLabel('2026-01-05')).toBe('B20260105');
  });

  it('problems found reading the input come first and block', () => {
    const read = blocking({ source: 'cb.xlsx', message: 'cb.xlsx could not be opened.', code: 'bad-workbook' });
    const b = buildChargebackFiles({ tables: [], problems: [read] });
    expect(b.problems.map((p) => p.code)).toEqual(['bad-workbook', 'empty-batch']);
    expect([b.blocked, b.date]).toEqual([true, '']);
    const ok = buildChargebackFiles({ tables: [records] });
    expect([ok.blocked, ok.problems]).toEqual([false, []]);
  });

  it('a bad date given is named; the view carries what the pane and the API show', () => {
    const b = buildChargebackFiles(records, { date: '28/11/2024', batch: 'X' });
    expect(b.problems).toMatchObject([{ code: 'bad-batch-date', message: 'The batch date "28/11/2024" must be YYYY-MM-DD.' }]);
    const view = chargebackBatchView(buildChargebackFiles(records));
    expect(view).toMatchObject({ blocked: false, records: 2, date: '2024-11-28', dateFromData: true, batchLabel: 'B20241128' });
    expect(view.files.map((f) => [f.network, f.records, f.totals])).toEqual([
      ['VISA', 1, [{ currency: 'USD', cents: 1250 }]],
      ['AMEX', 1, [{ currency: 'USD', cents: 300 }]],
    ]);
  });

  it('a workbook: the sheet named, else the sheets with a CASE_ID column, else one problem', () => {
    const cb = tableFromValues('cb.xlsx Disputes', [HEADER.split(','), ['CB-1']]);
    const notes = tableFromValues('cb.xlsx Notes', [['NOTE'], ['x']]);
    expect(chargebackSheets('cb.xlsx', [notes, cb]).tables.map((t) => t.name)).toEqual(['cb.xlsx Disputes']);
    expect(chargebackSheets('cb.xlsx', [notes], 'Notes').tables).toEqual([notes]);
    expect(chargebackSheets('cb.xlsx', [notes]).problems).toMatchObject([{ source: 'cb.xlsx', code: 'no-chargeback-sheet' }]);
  });
});
