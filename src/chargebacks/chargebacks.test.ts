import { parseCsv, tableFromValues } from '../kernel';
import { buildChargebackFiles, chargebackFileName, checkReasonCode, readChargebacks, tableFromJson } from './index';

const HEADER = 'CASE_ID,NETWORK,REASON_CODE,AMOUNT,CURRENCY,TRANSACTION_DATE,ARN,MERCHANT_ID,DUE_DATE,STATUS';
const ARN = '74567890123456789012345';
const good = [
  `CB-1,VISA,13.1,125.50,USD,2026-10-01,${ARN},M001,2026-11-20,OPEN`,
  `CB-2,Mastercard,4837,80.00,USD,2026-10-02,${ARN.replace('5', '6')},M001,2026-11-21,OPEN`,
  `CB-3,AMEX,C08,10,EUR,2026-10-03,123456789012345,M001,2026-11-22,`,
  `CB-4,discover,AP,"1,000.01",USD,2026-10-04,${ARN.replace('5', '7')},M001,2026-11-23,OPEN`,
  `CB-5,VISA,10.4,0.99,USD,2026-10-05,${ARN.replace('4', '3')},M001,2026-11-24,OPEN`,
];
const csv = (lines: string[]) => parseCsv([HEADER, ...lines].join('\r\n'), { name: 'cb.csv' }).table;
const opts = { batch: 'B7', date: '2026-11-21' };

describe('reason codes per network family', () => {
  it.each([
    ['VISA', '10.1'], ['VISA', 13.9], ['VISA', '12.6.1'], ['MASTERCARD', '4853'], ['AMEX', 'a01'], ['AMEX', 'FR2'], ['DISCOVER', 'NF'], ['DISCOVER', 'UA02'],
  ] as const)('%s %s is accepted', (n, c) => expect(checkReasonCode(n, c).ok).toBe(true));
  it.each([
    ['VISA', '14.1'], ['VISA', '13.10'], ['VISA', '12.6.3'], ['VISA', '4837'], ['MASTERCARD', '13.1'], ['MASTERCARD', '4937'], ['AMEX', 'AP'],
    ['DISCOVER', '4837'], ['DISCOVER', 'C08'],
  ] as const)('%s %s is refused', (n, c) => expect(checkReasonCode(n, c).ok).toBe(false));
  it('a well-shaped code not in the list is accepted but marked unknown', () => {
    expect(checkReasonCode('MASTERCARD', '4899')).toEqual({ ok: true, code: '4899', known: false });
  });
});

describe('buildChargebackFiles', () => {
  it('builds one CSV per network present with the default name pattern and exact amounts', () => {
    const b = buildChargebackFiles(csv(good), opts);
    expect(b.problems.filter((p) => p.severity === 'blocking')).toEqual([]);
    expect(b.blocked).toBe(false);
    expect(b.files.map((f) => f.fileName)).toEqual([
      'VISA_M001_20261121_B7.csv', 'MASTERCARD_M001_20261121_B7.csv', 'AMEX_M001_20261121_B7.csv', 'DISCOVER_M001_20261121_B7.csv',
    ]);
    const visa = b.files[0]!;
    expect(visa.records.map((r) => r.caseId)).toEqual(['CB-1', 'CB-5']);
    expect(visa.totals).toEqual([{ currency: 'USD', cents: 12649 }]);
    expect(visa.csv).toBe(
      `${HEADER}\r\nCB-1,VISA,13.1,125.50,USD,2026-10-01,${ARN},M001,2026-11-20,OPEN\r\n` +
        `CB-5,VISA,10.4,0.99,USD,2026-10-05,${ARN.replace('4', '3')},M001,2026-11-24,OPEN\r\n`,
    );
    expect(b.files[3]!.csv).toContain('CB-4,DISCOVER,AP,1000.01,USD');
    expect(b.files[2]!.records[0]!.status).toBe('OPEN');
    expect(visa.sheet.rows[0]![6]).toBe(ARN);
  });

  it('follows a configured pattern and a merchant label', () => {
    const b = buildChargebackFiles(csv(good.slice(0, 1)), { ...opts, pattern: 'cb-{date}-{network}-{merchant}-{count}.txt', merchant: 'ACME Shop' });
    expect(b.files.map((f) => f.fileName)).toEqual(['cb-2026-11-21-VISA-ACME-Shop-1.txt']);
    expect(chargebackFileName('{network}/{batch}.csv', { network: 'VISA', merchant: 'm', date: '2026-01-01', batch: '../x', count: 1 })).toBe('VISA-x.csv');
  });

  it('reports every bad row with its row, column and value, and keeps the good rows', () => {
    const b = buildChargebackFiles(
      csv([
        good[0]!,
        `CB-6,JCB,13.1,5.00,USD,2026-10-01,${ARN},M001,2026-11-20,OPEN`,
        `CB-7,VISA,4837,5.00,USD,2026-10-01,${ARN},M001,2026-11-20,OPEN`,
        `CB-8,VISA,13.1,-5.00,USD,2026-10-01,${ARN},M001,2026-11-20,OPEN`,
        `CB-9,VISA,13.1,5.00,USD,2026-10-01,7.45679E+22,M001,2026-11-20,OPEN`,
        `CB-10,VISA,13.1,5.00,USS,2026-10-01,${ARN},M001,2026-11-20,OPEN`,
        `CB-11,VISA,13.1,5.00,USD,2026-10-05,${ARN},M001,2026-10-05,OPEN`,
        `CB-12,VISA,13.1,5.00,USD,2026-02-30,${ARN},M001,2026-11-20,OPEN`,
        `CB-1,VISA,13.1,5.00,USD,2026-10-01,${ARN},M001,2026-11-20,OPEN`,
      ]),
      opts,
    );
    const codes = b.problems.filter((p) => p.severity === 'blocking').map((p) => [p.row, p.column, p.code]);
    expect(codes).toEqual([
      [3, 'NETWORK', 'unknown-network'],
      [4, 'REASON_CODE', 'bad-reason-code'],
      [5, 'AMOUNT', 'amount-not-positive'],
      [6, 'ARN', 'bad-arn'],
      [7, 'CURRENCY', 'bad-currency'],
      [8, 'DUE_DATE', 'due-before-transaction'],
      [9, 'TRANSACTION_DATE', 'bad-date'],
      [10, 'CASE_ID', 'duplicate-case'],
    ]);
    const arn = b.problems.find((p) => p.code === 'bad-arn')!;
    expect(arn.value).toBe('7.45679E+22');
    expect(arn.message).toMatch(/scientific notation/);
    expect(b.blocked).toBe(true);
    expect(b.files.map((f) => f.records.map((r) => r.caseId))).toEqual([['CB-1']]);
  });

  it('an ARN that arrives as a number from Excel has lost digits and is a problem', () => {
    const t = tableFromValues('Chargebacks', [HEADER.split(','), ['CB-1', 'VISA', 13.1, 12.5, 'USD', 46296, 7.456789012345679e22, 'M1', 46346, 'OPEN']]);
    const r = readChargebacks(t);
    expect(r.records).toEqual([]);
    expect(r.problems).toMatchObject([{ row: 2, column: 'ARN', code: 'bad-arn' }]);
  });

  it('reads Excel serial dates and numeric reason codes from a sheet', () => {
    const t = tableFromValues('Chargebacks', [HEADER.split(','), ['CB-1', 'VISA', 13.1, 12.5, 'USD', 46296, ARN, 1001, 46346, 'OPEN']]);
    expect(readChargebacks(t).records).toEqual([
      expect.objectContaining({ reasonCode: '13.1', amountCents: 1250, transactionDate: '2026-10-01', dueDate: '2026-11-20', merchantId: '1001' }),
    ]);
  });

  it('more than 4 networks is blocking and names them', () => {
    const b = buildChargebackFiles(csv([...good, `CB-9,JCB,13.1,5.00,USD,2026-10-01,${ARN},M001,2026-11-20,OPEN`]), opts);
    const p = b.problems.find((x) => x.code === 'too-many-networks')!;
    expect(p.severity).toBe('blocking');
    expect(p.message).toContain('5 networks (VISA, MASTERCARD, AMEX, DISCOVER, JCB)');
  });

  it('an empty batch is blocking', () => {
    const b = buildChargebackFiles(csv([]), opts);
    expect(b.problems).toMatchObject([{ severity: 'blocking', code: 'empty-batch' }]);
    expect(b.files).toEqual([]);
  });

  it('a missing column is reported once, by name', () => {
    const t = parseCsv('CASE_ID,NETWORK\r\nCB-1,VISA\r\n', { name: 'x.csv' }).table;
    const b = buildChargebackFiles(t, opts);
    expect(b.problems.filter((p) => p.code === 'missing-column').map((p) => p.column)).toEqual([
      'REASON_CODE', 'AMOUNT', 'CURRENCY', 'TRANSACTION_DATE', 'ARN', 'MERCHANT_ID', 'DUE_DATE',
    ]);
  });

  it('free text that looks like a formula is neutralised in the CSV', () => {
    const b = buildChargebackFiles(csv([`CB-1,VISA,13.1,5.00,USD,2026-10-01,${ARN},M001,2026-11-20,=HYPERLINK(1)`]), opts);
    expect(b.files[0]!.csv).toContain(",'=HYPERLINK(1)");
  });
});

describe('tableFromJson', () => {
  it('reads a JSON array; a numeric ARN beyond 2^53 is reported', () => {
    const text = `[{"case_id":"CB-1","network":"VISA","reason_code":"13.1","amount":"12.50","currency":"USD","transaction_date":"2026-10-01","arn":"${ARN}","merchant_id":"M1","due_date":"2026-11-20"},
                   {"case_id":"CB-2","network":"AMEX","reason_code":"C08","amount":3,"currency":"USD","transaction_date":"2026-10-01","arn":${ARN},"merchant_id":"M1","due_date":"2026-11-20"}]`;
    const { table, problems } = tableFromJson('cb.json', JSON.parse(text));
    expect(problems).toEqual([]);
    const b = buildChargebackFiles(table, opts);
    expect(b.records.map((r) => r.caseId)).toEqual(['CB-1']);
    expect(b.problems).toMatchObject([{ row: 3, column: 'arn', code: 'bad-arn' }]);
  });
  it('refuses something that is not an array', () => {
    expect(tableFromJson('cb.json', { a: 1 }).problems).toMatchObject([{ code: 'not-an-array' }]);
  });
});
