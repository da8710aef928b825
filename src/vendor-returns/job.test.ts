import { tableFromValues, type Cell, type Table } from '../kernel/table';
import { ledgerFilePart, runVendorReturns, spurshHeldBackSentence, spurshText, VendorReturnsRun, vretChoices, vretConfig, vretFileNames, vretRunId, VretPeriodSurvey, latestVretPeriod, classifyVretInputs, vretInputKind } from './index';

const TX = ['LEDGER', 'PERIOD', 'CO', 'LOC', 'CC', 'ACCT', 'PROD', 'CHAN', 'PROJ', 'TRANSACTION_AMOUNT', 'VENDOR_NAME', 'TRANSACTION_NUM', 'CATEGORY'];
const tx = (ledger: string, period: Cell, amount: Cell, num: string, chan = '1015'): Cell[] => [ledger, period, '010', '0001', '0000', '99999', '1810', chan, '0000', amount, 'Acme GmbH', num, 'CM'];
const table = (name: string, header: string[], rows: Cell[][]): Table => tableFromValues(name, [header, ...rows]);
const cm = () =>
  table('CM', TX, [
    tx('Amazon.eu', '2024-10', '10.00', 'O1'),
    tx('Amazon.eu', 'NOV-24', '20.00', 'N1'),
    tx('Amazon.eu', '2024-12', '30.00', 'D1', '1020'), // France's channel: not DE's
    tx('Amazon.com, Inc.', '2025-01', '40.00', 'U1', '0001'), // another ledger
  ]);
const rvr = () => table('RVR', ['RETURN_ID', 'COUNTRY_CODE', 'TOT_BASE_REFUND_AMT'], [['N1', 'DE', '5.00']]);
const request = { ledger: 'Amazon.eu', geo: 'DE', runId: '20241201T090000-abc123' };

describe('runVendorReturns: the run every host makes', () => {
  test('no period asked: the latest period of the rows of the run (its ledger and channel); names, run id and SPURSH from src', () => {
    // 2024-12 is France's channel and 2025-01 another ledger: Amazon.eu/DE's latest is November.
    const latest = runVendorReturns([cm(), rvr(), table('Notes', ['X'], [['y']])], request);
    expect([latest.period, latest.periodFromData, latest.noRows]).toEqual(['2024-11', true, null]);
    const wrong = runVendorReturns([cm(), rvr()], { ...request, period: '2026-11' });
    expect(wrong.noRows).toBe('No transactions in 2026-11 for Amazon.eu, DE; the inputs hold 2024-10 to 2024-11.');
    expect(wrong.problems.find((p) => p.code === 'no-transactions')).toMatchObject({ severity: 'warning', source: 'VRET', value: '2026-11' });
    expect([wrong.spurshHeldBack, spurshText(wrong)]).toEqual(['SPURSH is held back: the run selected no transaction.', null]);
    const nov = runVendorReturns([cm(), rvr()], { ...request, period: '2024-11' });
    expect([nov.period, nov.periodFromData, nov.noRows]).toEqual(['2024-11', false, null]);
    expect(nov.files).toEqual({ workbook: 'VRET_Amazon.eu_20241201T090000-abc123.xlsx', spursh: 'SPURSH_Amazon.eu_20241201T090000-abc123.csv' });
    expect(nov.spurshHeldBack).toBeNull();
    expect(spurshText(nov)).toBe('LEDGER,PERIOD,VENDOR_NAME,TRANSACTION_NUM,CURRENCY,TRANSACTION_AMOUNT,RVR_AMOUNT,FUNDING_AMOUNT\r\nAmazon.eu,2024-11,Acme GmbH,N1,EUR,20.00,5.00,15.00\r\n');
    expect(nov.problems).toEqual([]);
    expect(nov.workbookSheets).toEqual(nov.sheets);
    expect(nov.sheets[0]!.preamble![1]![6]).toBe('VRET Amazon.eu DE 2024-11 20241201T090000-abc123');
  });

  test('SPURSH is held back while a blocking problem remains', () => {
    const bad = table('ADJ', TX, [tx('Amazon.eu', '2024-11', 'twelve', 'B1')]);
    const out = runVendorReturns([cm(), bad], { ...request, period: '2024-11' });
    expect(out.spurshHeldBack).toBe('SPURSH is held back while a blocking problem remains.');
    expect(spurshText(out)).toBeNull();
    expect(out.workbookSheets.map((s) => s.name).slice(-1)).toEqual(['Problems']);
    expect(spurshHeldBackSentence(3)).toBe('SPURSH is held back while 3 blocking problems remain.');
  });

  test('inputs that hold no row of the ledger: the run asks for a period', () => {
    for (const out of [runVendorReturns([table('CM', TX, [])], request), runVendorReturns([cm()], { ...request, ledger: 'Amazon.co.uk Ltd.', geo: 'UK' })]) {
      expect(out.problems.filter((p) => p.severity === 'blocking').map((p) => p.code)).toEqual(['no-period']);
      expect(out.sheets).toEqual([]);
    }
  });

  test('a streaming host: the survey over chunks gives the period, the run takes the chunks', () => {
    const survey = new VretPeriodSurvey();
    const chunks = [table('THR_1.txt', TX, [tx('Amazon.eu', '202411', '1.00', 'T1')]), table('THR_1.txt', TX, [tx('Amazon.eu', 'Dec-2024', '2.00', 'T2'), tx('Amazon.eu', 'garbage', '3.00', 'T3')])];
    for (const c of chunks) survey.addTable(c);
    survey.addPeriod('2024-09');
    expect(survey.latest()).toBe('2024-12');
    expect(latestVretPeriod([table('x', ['NOTHING'], [['1']])])).toBeNull();
    const run = new VendorReturnsRun(request, vretConfig(), { latestPeriod: survey.latest() });
    for (const c of chunks) run.addTransactions(c);
    const out = run.finish();
    expect([out.period, out.result.transactions.map((t) => t.transactionNum)]).toEqual(['2024-12', ['T2']]);
  });

  test('run ids, file-name parts, input kinds and the choices offered', () => {
    expect(vretRunId(new Date(Date.UTC(2024, 11, 1, 9, 5, 7)), 'ABC12')).toBe('20241201T090507-0abc12');
    expect(ledgerFilePart('Amazon.com, Inc.')).toBe('Amazon.com_Inc');
    expect(vretFileNames(' ', 'R1')).toEqual({ workbook: 'VRET_LEDGER_R1.xlsx', spursh: 'SPURSH_LEDGER_R1.csv' });
    expect([vretInputKind('THR_2024-11.txt'), vretInputKind('rvr.csv'), vretInputKind('RVR Report'), vretInputKind('VRET L2C')]).toEqual(['transactions', 'rvr', null, 'l2c']);
    expect(classifyVretInputs([cm(), rvr(), table('GLDI', ['A'], [])]).used).toEqual(['CM', 'RVR']);
    expect(vretChoices(vretConfig())).toEqual({ ledgers: ['Amazon.com, Inc.', 'Amazon.eu', 'Amazon.co.uk Ltd.'], geos: ['DE', 'ES', 'FR', 'IT', 'NL', 'PL', 'SE', 'UK', 'US'] });
  });
});
