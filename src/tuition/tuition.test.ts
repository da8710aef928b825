import { parseCsv, type Table } from '../kernel';
import { buildInvoiceTable, buildTuitionInvoices, ExpenseColumns, invoiceCsvForCustomer, invoiceDocument, invoicesCsv, invoiceTableCsv, readExpenseLines, tuitionSheets } from '.';
import { tuitionZohoDocument } from './zoho';

const bp = (rows: string[][]): Table =>
  parseCsv(['Invoice Ref,Employer,Employee Email,Charge Type,Charge Amount,Currency,Service Date', ...rows.map((r) => r.join(','))].join('\r\n'), { name: 'bp.csv' }).table;

const lw = (rows: (string | number | Date)[][]): Table => ({
  name: 'lw.xlsx Expenses',
  header: ['Reference', 'Company', 'Learner', 'Expense Type', 'Amount', 'Currency', 'Date'],
  rows,
  firstRowNumber: 2,
});

describe('reading partner files', () => {
  test('both default layouts read to the normal form', () => {
    const r = readExpenseLines(
      [bp([['BP-1', 'Northwind Traders', 'alice@x.com', 'Books & materials', '120.50', 'USD', '11/05/2024']]), lw([['LW1', 'Northwind  traders', 'bob', 'TUTORING', 75.1, 'USD', new Date(Date.UTC(2024, 10, 30))]])],
      { month: '2024-11' },
    );
    expect(r.problems).toEqual([]);
    expect(r.layouts).toEqual([{ source: 'bp.csv', partner: 'BrightPath' }, { source: 'lw.xlsx Expenses', partner: 'LearnWell' }]);
    expect(r.lines).toEqual([
      expect.objectContaining({ partner: 'BrightPath', customer: 'Northwind Traders', user: 'alice@x.com', expenseType: 'MATERIALS', cents: 12050, currency: 'USD', date: '2024-11-05', reference: 'BP-1', row: 2 }),
      expect.objectContaining({ partner: 'LearnWell', customer: 'Northwind traders', user: 'bob', expenseType: 'TUTORING', cents: 7510, date: '2024-11-30', reference: 'LW1' }),
    ]);
  });

  test('an unknown layout names the missing columns of the closest profile', () => {
    const t: Table = { name: 'odd.csv', header: ['Invoice Ref', 'Employer', 'Employee Email', 'Amount Due', 'Currency', 'Service Date'], rows: [['1', 'A', 'u', '1', 'USD', '2024-11-01']] };
    const r = readExpenseLines([t]);
    expect(r.lines).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({ code: 'unknown-layout', severity: 'blocking', source: 'odd.csv', column: 'Charge Type, Charge Amount' });
    expect(r.problems[0]!.message).toContain("BrightPath's layout, which also needs the columns Charge Type, Charge Amount");
  });

  test('every bad row is reported and the good ones go on', () => {
    const r = readExpenseLines(
      [
        bp([
          ['BP-1', 'Contoso', 'a@x', 'Tuition', '100.00', 'USD', '11/01/2024'],
          ['BP-2', 'Contoso', 'a@x', 'Lunch', '10.00', 'USD', '11/01/2024'],
          ['BP-3', 'Contoso', 'a@x', 'Tuition', '-50.00', 'USD', '11/02/2024'],
          ['BP-4', 'Contoso', 'a@x', 'Tuition refund', '-50.00', 'USD', '11/02/2024'],
          ['BP-5', 'Contoso', 'a@x', 'Tuition', '20.00', 'USD', '10/31/2024'],
          ['BP-1', 'Contoso', 'b@x', 'Tutoring', '30.00', 'USD', '11/03/2024'],
          ['BP-7', 'Contoso', 'b@x', 'Tutoring', '3O.00', 'USD', '11/03/2024'],
          ['BP-8', '', 'b@x', 'Tutoring', '30.00', 'USD', '11/03/2024'],
          ['BP-9', 'Contoso', 'b@x', 'Tutoring', '30.00', 'US', '11/03/2024'],
        ]),
      ],
      { month: '2024-11' },
    );
    expect(r.problems.map((p) => [p.code, p.row, p.column])).toEqual([
      ['unknown-expense-type', 3, 'Charge Type'],
      ['negative-not-credit', 4, 'Charge Amount'],
      ['outside-month', 6, 'Service Date'],
      ['duplicate-reference', 7, 'Invoice Ref'],
      ['bad-amount', 8, 'Charge Amount'],
      ['blank', 9, 'Employer'],
      ['bad-currency', 10, 'Currency'],
    ]);
    expect(r.problems.every((p) => p.severity === 'blocking')).toBe(true);
    expect(r.problems[0]!.message).toContain('"Lunch" is not an expense type BrightPath uses');
    expect(r.problems[3]!.message).toContain('already given on bp.csv row 2');
    expect(r.lines.map((l) => [l.reference, l.cents, l.credit])).toEqual([
      ['BP-1', 10000, false],
      ['BP-4', -5000, true],
    ]);
  });

  test('a duplicate reference across two files of the same partner is found; other partners may reuse it', () => {
    const r = readExpenseLines([
      bp([['X1', 'A', 'u', 'Tuition', '1.00', 'USD', '11/01/2024']]),
      { ...bp([['X1', 'A', 'u', 'Tuition', '1.00', 'USD', '11/01/2024']]), name: 'bp2.csv' },
      lw([['X1', 'A', 'u', 'TUITION', 1, 'USD', '2024-11-01']]),
    ]);
    expect(r.problems.map((p) => [p.code, p.source])).toEqual([['duplicate-reference', 'bp2.csv']]);
    expect(r.lines).toHaveLength(2);
  });

  test('a 17-digit reference stays exact; one written in scientific notation is refused', () => {
    const r = readExpenseLines([lw([['12345678901234567', 'A', 'u', 'TUITION', 1, 'USD', '2024-11-01'], [1.2e21, 'A', 'u', 'TUITION', 1, 'USD', '2024-11-01']])]);
    expect(r.lines[0]!.reference).toBe('12345678901234567');
    expect(r.problems.map((p) => p.code)).toEqual(['bad-reference']);
  });
});

describe('invoices', () => {
  const read = readExpenseLines(
    [
      bp([
        ['BP-1', 'Contoso', 'b@x', 'Tuition', '100.10', 'USD', '11/01/2024'],
        ['BP-2', 'Contoso', 'a@x', 'Tutoring', '0.20', 'USD', '11/01/2024'],
        ['BP-3', 'Contoso', 'b@x', 'Tuition', '0.20', 'USD', '11/02/2024'],
        ['BP-4', 'Contoso', 'b@x', 'Tuition refund', '10.00', 'USD', '11/02/2024'],
        ['BP-5', 'contoso', 'a@x', 'Tuition', '5.00', 'EUR', '11/03/2024'],
        ['BP-6', 'Fabrikam', 'z@x', 'Books', '7.00', 'USD', '11/03/2024'],
      ]),
    ],
    { month: '2024-11' },
  );

  test('one invoice per customer and currency; lines per user and expense type; exact totals', () => {
    expect(read.problems).toEqual([]);
    const inv = buildTuitionInvoices(read.lines, '2024-11');
    expect(inv.map((i) => [i.number, i.currency, i.totalCents])).toEqual([
      ['TU-2024-11-CONTOSO-EUR', 'EUR', 500],
      ['TU-2024-11-CONTOSO-USD', 'USD', 9050],
      ['TU-2024-11-FABRIKAM-USD', 'USD', 700],
    ]);
    expect(inv[1]!.lines).toEqual([
      { user: 'a@x', expenseType: 'TUTORING', cents: 20, items: 1, references: ['BrightPath:BP-2'] },
      { user: 'b@x', expenseType: 'TUITION', cents: 9030, items: 3, references: ['BrightPath:BP-1', 'BrightPath:BP-3', 'BrightPath:BP-4'] },
    ]);
  });

  test('invoices.csv, the customer layout, the document and the sheets', () => {
    const inv = buildTuitionInvoices(read.lines, '2024-11');
    expect(invoicesCsv(inv).split('\r\n').slice(0, 3)).toEqual(['Customer,Month,User,Expense Type,Amount,Currency', 'contoso,2024-11,a@x,TUITION,5.00,EUR', 'Contoso,2024-11,a@x,TUTORING,0.20,USD']);
    const csv = invoiceCsvForCustomer(inv[1]!, { columns: [{ header: 'Employee', field: 'user' }, { header: 'Kind', field: 'expenseType' }, { header: 'Net', field: 'amount' }], delimiter: ';', lineEnding: '\n', expenseWords: { TUITION: 'Course fees' } });
    expect(csv).toBe('Employee;Kind;Net\na@x;TUTORING;0.20\nb@x;Course fees;90.30\n');
    expect(invoiceDocument(inv[1]!)).toMatchObject({ number: 'TU-2024-11-CONTOSO-USD', totalCents: 9050, lines: [{ cents: 20 }, { cents: 9030 }] });
    const sheets = tuitionSheets(inv);
    expect(sheets.map((s) => [s.name, s.rows.length])).toEqual([['Tuition Invoices', 3], ['Tuition Lines', 4]]);
    expect(sheets[0]!.rows[1]).toEqual(['TU-2024-11-CONTOSO-USD', 'Contoso', '2024-11', 'USD', 2, 90.5]);
  });

  test('invoices.csv written from the invoice table: amounts of any currency, a delimiter an amount holds, formulas neutralised', () => {
    const lines = read.lines.map((l, k) => ({ ...l, currency: ['USD', 'JPY', 'KWD', 'EUR'][k % 4]!, user: k === 1 ? '=cmd|x' : k === 2 ? 'Zoë; "Z"' : l.user, cents: k === 3 ? -l.cents : l.cents }));
    const invoices = buildTuitionInvoices(lines, '2024-11');
    const table = buildInvoiceTable(ExpenseColumns.fromLines(lines), '2024-11');
    for (const o of [{}, { delimiter: '.' }, { delimiter: '-', lineEnding: '\n', bom: true }, { delimiter: '\t' }] as const) {
      const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
      const text = [...invoiceTableCsv(table, o, 8)].map((piece) => utf8.decode(piece, { stream: true })).join('') + utf8.decode();
      expect(text).toBe(invoicesCsv(invoices, o));
    }
  });
});

describe('tuition invoice as a Zoho document', () => {
  const base = { number: 'TU-2024-11-ACME-USD', version: 2, month: '2024-11', currency: 'USD', hash: 'ab'.repeat(32), approvedBy: 'ap@acme.test' };
  const lines = [
    { user: 'alice@acme.test', expenseType: 'TUITION' as const, cents: 120010, items: 1, references: ['p:1'] },
    { user: 'bob@acme.test', expenseType: 'MATERIALS' as const, cents: 6000, items: 2, references: ['p:2', 'p:3'] },
  ];
  it('numbers it <number>-v<version>, one line per user and type, exact decimals, in cents', () => {
    const r = tuitionZohoDocument({ ...base, document: { lines, totalCents: 126010 } }, { customer: 'Acme', contactId: '460000000000000001', contactName: 'Acme', currency: 'USD', itemId: 'I1' });
    expect(r.ok).toBe(true);
    const doc = r.ok ? r.document : undefined;
    expect(doc).toMatchObject({ kind: 'invoice', idempotencyKey: 'tuition:TU-2024-11-ACME-USD-v2', lookup: { invoice_number: 'TU-2024-11-ACME-USD-v2' }, cents: { total: 126010 }, query: { ignore_auto_number_generation: true } });
    expect((doc!.body as { line_items: unknown[] }).line_items).toEqual([
      { item_id: 'I1', name: 'Tuition', description: 'alice@acme.test (1 item)', rate: 1200.1, quantity: 1 },
      { item_id: 'I1', name: 'Books and materials', description: 'bob@acme.test (2 items)', rate: 60, quantity: 1 },
    ]);
  });
  it('refuses a credit line, a customer without a Zoho item and another currency than the Zoho customer’s', () => {
    const credit = tuitionZohoDocument({ ...base, document: { lines: [...lines, { ...lines[0]!, cents: -500 }], totalCents: 125510 } }, { customer: 'Acme', contactId: 'c', contactName: 'Acme', itemId: 'I1' });
    expect(credit).toMatchObject({ ok: false });
    expect(!credit.ok && credit.reason).toContain('credit line');
    const noItem = tuitionZohoDocument({ ...base, document: { lines, totalCents: 126010 } }, { customer: 'Acme', contactId: 'c', contactName: 'Acme', itemId: '' });
    expect(!noItem.ok && noItem.reason).toContain('name no Zoho item');
    const eur = tuitionZohoDocument({ ...base, document: { lines, totalCents: 126010 } }, { customer: 'Acme', contactId: 'c', contactName: 'Acme', currency: 'EUR', itemId: 'I1' });
    expect(!eur.ok && eur.reason).toMatch(/is in USD but the Zoho customer Acme bills in EUR/);
  });
});
