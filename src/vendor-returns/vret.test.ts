import { tableFromValues, type Cell, type Table } from '../kernel/table';
import { journalBalances } from '../journal/journal';
import { VretRunBuilder } from './run';
import { buildVretRun, creditAccountFor, defaultVretConfig, normalisePeriod, rvrAmount, spurshCsv, splitForExcel, VRET_SHEET_NAMES, type VretRun } from './index';

const TX_HEADER = ['LEDGER', 'PERIOD', 'CO', 'LOC', 'CC', 'ACCT', 'PROD', 'CHAN', 'PROJ', 'TRANSACTION_AMOUNT', 'VENDOR_NAME', 'TRANSACTION_NUM', 'CATEGORY'];
const RVR_HEADER = ['RETURN_ID', 'COUNTRY_CODE', 'RVR_STATUS', 'CURRENT_STATE', 'TOT_BASE_REFUND_AMT', 'RVR_DATE', 'VENDOR_NAME'];

const tx = (ledger: string, period: string, prod: string, chan: string, amount: Cell, num: Cell, vendor = 'Acme GmbH'): Cell[] => [
  ledger, period, '010', '0001', '0000', '99999', prod, chan, '0000', amount, vendor, num, 'CM',
];
const table = (name: string, header: string[], rows: Cell[][]): Table => tableFromValues(name, [header, ...rows]);

const cm = () =>
  table('cm.csv', TX_HEADER, [
    tx('Amazon.eu', '2024-11', '1810', '1015', '100.00', 'R1'),
    tx('Amazon.eu', '2024-11', '3000', '1015', '50.00', 'R2'),
    tx('Amazon.eu', '2024-11', '1810', '1020', '999.00', 'FR1'), // France's channel: not DE
    tx('Amazon.eu', '2024-10', '1810', '1015', '999.00', 'OCT1'), // another period
    tx('Amazon.eu', 'NOV-24', '2530', '1015', 20, 'R3'), // Oracle period name, numeric amount
  ]);
const rvr = () =>
  table('rvr.csv', RVR_HEADER, [
    ['R1', 'DE', 'CLOSED', 'REFUNDED', '30.00', '2024-11-03', 'Acme GmbH'],
    ['R2', 'DE', 'CLOSED', 'REFUNDED', '80.00', '2024-11-04', 'Acme GmbH'],
    ['R9', 'DE', 'OPEN', 'PENDING', '5.00', '2024-11-05', 'Nobody'],
    ['R7', 'FR', 'CLOSED', 'REFUNDED', '10.00', '2024-11-05', 'Other'],
  ]);
const options = { ledger: 'Amazon.eu', geo: 'DE', period: '2024-11', runId: 'RUN1' };

function sheet(run: VretRun, name: string) {
  const s = run.sheets.find((x) => x.name === name);
  if (!s) throw new Error(`no sheet ${name}`);
  return s;
}
const codes = (run: VretRun) => run.problems.map((p) => p.code);

describe('VRET run', () => {
  test('selects the geo channel and period, matches RVR, splits funding and balances', () => {
    const run = buildVretRun({ transactions: [cm()], rvr: [rvr()] }, options);
    expect(run.problems.filter((p) => p.severity === 'blocking')).toEqual([]);
    expect(run.sheets.map((s) => s.name)).toEqual(['GLDI', '20321 JE', '20321 Analysis', 'RVR Report', 'Funding by vendor']);
    const analysis = sheet(run, VRET_SHEET_NAMES.analysis);
    const h = analysis.columns.map((c) => c.header);
    const col = (r: Cell[], name: string) => r[h.indexOf(name)];
    expect(analysis.rows.map((r) => [col(r, 'TRANSACTION_NUM'), col(r, 'TRANSACTION_AMOUNT'), col(r, 'RVR_AMOUNT'), col(r, 'FUNDING_AMOUNT'), col(r, 'CREDIT_ACCOUNT')])).toEqual([
      ['R1', 10_000, 3_000, 7_000, '48550'],
      ['R2', 5_000, 5_000, 0, '52910'],
      ['R3', 2_000, 0, 2_000, '48550'],
    ]);
    expect(col(analysis.rows[0]!, 'CO')).toBe('010');
    expect(run.balances).toEqual([{ currency: 'EUR', debits: 17_000, credits: 17_000, difference: 0 }]);
    const je = sheet(run, VRET_SHEET_NAMES.je);
    const lines = je.rows.map((r) => `${r[5]}/${r[6]} ${r[9]}|${r[10]}`);
    expect(lines).toEqual(['13209/1810 10000|', '48550/1810 |7000', '20321/1810 |3000', '13209/3000 5000|', '20321/3000 |5000', '13209/2530 2000|', '48550/2530 |2000']);
    const gldi = sheet(run, 'GLDI');
    expect(gldi.preamble![1]!.slice(0, 8)).toEqual(['Amazon.eu', 'Vendor Returns', 'Vendor Returns', 'EUR', '2024-11-30', 'NOV-24', 'VRET Amazon.eu DE 2024-11 RUN1', 'VRET Amazon.eu DE 2024-11 EUR']);
    const report = sheet(run, VRET_SHEET_NAMES.rvr);
    expect(report.rows.map((r) => [r[0], r[7], r[10], r[11]])).toEqual([
      ['R1', 'Matched', 3_000, 0],
      ['R2', 'Matched', 5_000, 3_000],
      ['R9', 'Unmatched: no transaction', 0, 500],
    ]);
    expect(run.problems.find((p) => p.code === 'rvr-unmatched')).toMatchObject({ source: 'rvr.csv', row: 4, value: 'R9' });
    expect(codes(run)).toContain('rvr-other-country');
    // SPURSH: default columns, funding lines only, amounts as numbers
    expect(spurshCsv(run.spursh, run.config)).toBe(
      'LEDGER,PERIOD,VENDOR_NAME,TRANSACTION_NUM,CURRENCY,TRANSACTION_AMOUNT,RVR_AMOUNT,FUNDING_AMOUNT\r\n' +
        'Amazon.eu,2024-11,Acme GmbH,R1,EUR,100.00,30.00,70.00\r\n' +
        'Amazon.eu,2024-11,Acme GmbH,R3,EUR,20.00,0.00,20.00\r\n',
    );
  });

  test('funding by vendor: funding summed per vendor, largest first, with a bar chart over the vendor column', () => {
    const rows = table('cm.csv', TX_HEADER, [
      tx('Amazon.eu', '2024-11', '1810', '1015', '100.00', 'R1'), // 70.00 funding after the 30.00 refund
      tx('Amazon.eu', '2024-11', '3000', '1015', '50.00', 'R2'), // fully refunded: no funding, not listed
      tx('Amazon.eu', '2024-11', '2530', '1015', '20.00', 'R3', 'Zeta KG'),
      tx('Amazon.eu', '2024-11', '2530', '1015', '90.00', 'R4', 'Beta AG'),
      tx('Amazon.eu', '2024-11', '2530', '1015', '0.01', 'R5'),
    ]);
    const run = buildVretRun({ transactions: [rows], rvr: [rvr()] }, options);
    const funding = sheet(run, VRET_SHEET_NAMES.funding);
    expect(funding.columns.map((c) => [c.header, c.type])).toEqual([
      ['VENDOR_NAME', 'text'],
      ['FUNDING_AMOUNT', 'money'],
      ['TRANSACTIONS', 'integer'],
    ]);
    expect(funding.columns[1]!.currency).toBe('EUR');
    expect(funding.rows).toEqual([
      ['Beta AG', 9_000, 1],
      ['Acme GmbH', 7_001, 2],
      ['Zeta KG', 2_000, 1],
    ]);
    expect(funding.chart).toEqual({ type: 'bar', title: 'Funding by vendor', categoryColumn: 'VENDOR_NAME', valueColumns: ['FUNDING_AMOUNT'] });
    // The funding column adds up to the funding the journals credit.
    const analysis = sheet(run, VRET_SHEET_NAMES.analysis);
    const total = analysis.rows.reduce((n, r) => n + (r[analysis.columns.findIndex((c) => c.header === 'FUNDING_AMOUNT')] as number), 0);
    expect(funding.rows.reduce((n, r) => n + (r[1] as number), 0)).toBe(total);
  });

  test('EU geo combines the ledger with Amazon.eu rows of the channel; other geos use the ledger only', () => {
    const mappings = {
      l2c: table('l2c.csv', ['LEDGER', 'COUNTRY'], [['Amazon.de', 'DE'], ['Amazon.co.uk Ltd.', 'UK']]),
      ledgers: table('ledgers.csv', ['LEDGER', 'CURRENCY', 'COMPANY'], [['Amazon.de', 'EUR', '020'], ['Amazon.co.uk Ltd.', 'GBP', '030']]),
    };
    const rows = table('glap.csv', TX_HEADER, [
      tx('Amazon.de', '2024-11', '1810', '9999', '10.00', 'D1'),
      tx('Amazon.eu', '2024-11', '1810', '1015', '20.00', 'E1'),
      tx('Amazon.eu', '2024-11', '1810', '1035', '40.00', 'E2'),
      tx('Amazon.co.uk Ltd.', '2024-11', '1810', '2000', '80.00', 'U1'),
    ]);
    const de = buildVretRun({ ...mappings, transactions: [rows] }, { ledger: 'Amazon.de', geo: 'DE', period: '2024-11' });
    expect(de.journals.map((j) => [j.ledger, journalBalances(j)[0]!.debits])).toEqual([
      ['Amazon.de', 1_000],
      ['Amazon.eu', 2_000],
    ]);
    const uk = buildVretRun({ ...mappings, transactions: [rows] }, { ledger: 'Amazon.co.uk Ltd.', geo: 'UK', period: '2024-11' });
    expect(uk.journals.map((j) => [j.ledger, j.currency, journalBalances(j)[0]!.debits])).toEqual([['Amazon.co.uk Ltd.', 'GBP', 8_000]]);
  });

  test('options: ledger without l2c, unknown geo, malformed period are blocking and named', () => {
    const run = buildVretRun({ transactions: [cm()] }, { ledger: 'Amazon.xx', geo: 'ZZ', period: '2024-13' });
    expect(codes(run).sort()).toEqual(['bad-period', 'no-l2c', 'unknown-geo']);
    expect(run.problems.find((p) => p.code === 'no-l2c')!.message).toContain('Amazon.xx');
    expect(run.sheets).toEqual([]);
    expect(codes(buildVretRun({ transactions: [] }, { ...options, period: 'Nov 2024' }))).toEqual(['bad-period']);
  });

  test('bad rows are named and left out while the others go on', () => {
    const bad = table('cm.csv', TX_HEADER, [
      tx('Amazon.eu', '2024-11', '1810', '1015', 'twelve', 'B1'),
      tx('Amazon.eu', '2024-11', '1810', '1015', '10.00', 'R1'),
      tx('Amazon.eu', '2024-11', '1810', '1015', '5.00', 'R1'),
      tx('Amazon.eu', 'Nov 2024', '1810', '1015', '5.00', 'P1'),
      ['Amazon.eu', '2024-11', '010'], // too few fields
    ]);
    const run = buildVretRun({ transactions: [bad], rvr: [rvr()] }, options, {}, { checkFieldCount: true });
    const blockingProblems = run.problems.filter((p) => p.severity === 'blocking');
    expect(blockingProblems.map((p) => [p.code, p.row, p.column])).toEqual([
      ['bad-amount', 2, 'TRANSACTION_AMOUNT'],
      ['duplicate-transaction-num', 4, 'TRANSACTION_NUM'],
      ['bad-period', 5, 'PERIOD'],
      ['field-count', 6, undefined],
    ]);
    // R1 refund 30.00 is shared in order: 10.00 then 5.00, never more than the refund.
    const a = sheet(run, VRET_SHEET_NAMES.analysis);
    expect(a.rows.map((r) => r[21])).toEqual([1_000, 500]);
    expect(run.balances[0]!.difference).toBe(0);
  });

  test('columns are found whatever their letter case; segments keep leading zeros', () => {
    const lower = table('adj.csv', TX_HEADER.map((h) => h.toLowerCase()), [tx('amazon.EU', '2024-11', '0810', '1015', '1.00', '007')]);
    const mixed = table('rvr.csv', RVR_HEADER.map((h) => h[0] + h.slice(1).toLowerCase()), [['007', 'de', '', '', '0.40', '', '']]);
    const run = buildVretRun({ transactions: [lower], rvr: [mixed] }, options);
    expect(run.problems.filter((p) => p.severity === 'blocking')).toEqual([]);
    const a = sheet(run, VRET_SHEET_NAMES.analysis);
    expect(a.rows[0]!.slice(4, 11)).toEqual(['010', '0001', '0000', '99999', '0810', '1015', '0000']);
    expect(a.rows[0]![21]).toBe(40);
    const csv = spurshCsv(run.spursh, run.config);
    expect(csv).toContain(',007,EUR,1.00,0.40,0.60');
  });

  test('a missing column blocks that table only, once', () => {
    const noAmount = table('thr_1.txt', TX_HEADER.filter((h) => h !== 'TRANSACTION_AMOUNT'), [['Amazon.eu']]);
    const run = buildVretRun({ transactions: [noAmount, noAmount, cm()] }, options);
    expect(codes(run).filter((c) => c === 'missing-column')).toHaveLength(1);
    expect(run.balances[0]!.debits).toBe(17_000);
  });

  test('configurable accounts, product lines and SPURSH layout', () => {
    const run = buildVretRun({ transactions: [cm()], rvr: [rvr()] }, options, {
      accounts: { rvrOffset: '20999' },
      fundingProductLines: ['3000'],
      spurshColumns: [
        { header: 'Vendor', field: 'VENDOR_NAME' },
        { header: 'Funding', field: 'FUNDING_AMOUNT' },
        { header: 'Product', field: 'PROD' },
      ],
    });
    const accounts = new Set(sheet(run, VRET_SHEET_NAMES.je).rows.map((r) => r[5]));
    expect([...accounts].sort()).toEqual(['13209', '20999', '52910']);
    expect(spurshCsv(run.spursh, run.config).split('\r\n')[0]).toBe('Vendor,Funding,Product');
  });

  test('helpers for the custom functions and the Excel row limit', () => {
    expect(rvrAmount(10_000, 3_000)).toBe(3_000);
    expect(rvrAmount(10_000, 30_000)).toBe(10_000);
    expect(rvrAmount(10_000, 0)).toBe(0);
    expect(rvrAmount(10_000, -5)).toBe(0);
    const config = defaultVretConfig();
    expect(creditAccountFor('2010', config)).toBe('48550');
    expect(creditAccountFor('2011', config)).toBe('52910');
    expect(normalisePeriod('202411')).toBe('2024-11');
    expect(normalisePeriod('Nov-2024')).toBe('2024-11');
    expect(normalisePeriod('2024-13')).toBeNull();
    const parts = splitForExcel({ name: 'A', preamble: [['x']], columns: [{ header: 'n', type: 'integer' }], rows: [[1], [2], [3], [4], [5]] }, 4);
    expect(parts.map((p) => [p.name, p.rows.length])).toEqual([
      ['A', 2],
      ['A (2)', 2],
      ['A (3)', 1],
    ]);
  });
});

test('a run builder is built once, after its rows: adding or building again is refused', () => {
  const b = new VretRunBuilder(options, defaultVretConfig());
  b.addTransactions(cm());
  b.addRvr(rvr());
  const first = b.build();
  expect(first.transactions.length).toBeGreaterThan(0);
  expect(() => b.addTransactions(cm())).toThrow('addTransactions after build()');
  expect(() => b.addRvr(rvr())).toThrow('addRvr after build()');
  expect(() => b.build()).toThrow('build after build()');
  // the result given stays as it was: no warning repeated, no row added
  expect(first.problems.filter((p) => p.code === 'rvr-other-country')).toHaveLength(1);
});
