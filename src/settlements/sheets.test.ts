import { problemKinds } from '../kernel/problems';
import type { SheetSpec } from '../workbook/sheet-spec';
import { postingAttention, type PostedItem } from './sheets';

const invoices: SheetSpec = {
  name: 'Invoices',
  columns: [{ header: 'INVOICE_NUMBER', type: 'text' }, { header: 'ITEM', type: 'text' }, { header: 'KEY', type: 'text' }],
  rows: [
    ['AMZN1', 'SKU-A', 's1:invoice:AMZN1'],
    ['AMZN1', 'SKU-B', 's1:invoice:AMZN1'],
    ['AMZN2', 'SKU-A', 's1:invoice:AMZN2'],
    ['AMZN3', 'SKU-C', 's1:invoice:AMZN3'],
  ],
};
const payments: SheetSpec = {
  name: 'Payments',
  preamble: [['Settlement s1'], []],
  columns: [{ header: 'KEY', type: 'text' }, { header: 'AMOUNT', type: 'money' }],
  rows: [['s1:payment:AMZN1', 1000], ['s1:payment:AMZN2', 2000]],
};
const item = (over: Partial<PostedItem> & Pick<PostedItem, 'idempotencyKey'>): PostedItem => ({ kind: 'invoice', state: 'done', status: 'Posted: 4600000000000001', code: null, ...over });

describe('postingAttention', () => {
  it('places each failed or unsure document at the STATUS cell of its first row, and nothing else', () => {
    const { problems, headers } = postingAttention(
      [invoices, payments],
      [
        item({ idempotencyKey: 's1:invoice:AMZN1' }),
        item({ idempotencyKey: 's1:invoice:AMZN2', state: 'failed', status: 'Zoho 1001: Invoice number already exists.', code: 1001 }),
        item({ idempotencyKey: 's1:invoice:AMZN3', state: 'failed', status: 'Zoho 1001: Invoice number already exists.', code: 1001, closed: true }),
        item({ idempotencyKey: 's1:payment:AMZN2', kind: 'payment', state: 'needs_review', status: 'Needs review: Zoho did not confirm this payment.' }),
        item({ idempotencyKey: 's1:payment:AMZN1', kind: 'payment', state: 'pending', status: 'Waiting' }),
      ],
    );
    // (the headers once STATUS is written, which place the problems' column)
    expect(headers).toEqual({ Invoices: ['INVOICE_NUMBER', 'ITEM', 'KEY', 'STATUS'], Payments: ['KEY', 'AMOUNT', 'STATUS'] });
    expect(problems).toEqual([
      { severity: 'blocking', source: 'Invoices', row: 4, column: 'STATUS', value: 's1:invoice:AMZN2', message: 'Zoho 1001: Invoice number already exists.', code: 'zoho-error-1001' },
      // the second data row under a preamble of two rows and the header
      { severity: 'warning', source: 'Payments', row: 5, column: 'STATUS', value: 's1:payment:AMZN2', message: 'Needs review: Zoho did not confirm this payment.', code: 'to-check-in-zoho', kind: 'To check in Zoho: sent without Zoho confirming them' },
    ]);
    // the first row of a document whose lines share its key
    expect(postingAttention([invoices], [item({ idempotencyKey: 's1:invoice:AMZN1', state: 'failed', status: 'x', code: null })]).problems[0]!.row).toBe(2);
    // a failure Zoho's code does not describe (a code kept from an earlier answer) has no code of its own
    expect(postingAttention([invoices], [item({ idempotencyKey: 's1:invoice:AMZN1', state: 'failed', status: 'Not in Zoho when looked up at 2026-12-05 10:00 UTC: not posted.', code: 1002 })]).problems[0]!.code).toBeUndefined();
  });

  it('puts a document no sheet holds any more on its kind’s sheet without a row, and says so', () => {
    const [p] = postingAttention([invoices], [item({ idempotencyKey: 's0:payment:OLD', kind: 'payment', state: 'failed', status: 'Zoho 1002: No such invoice.', code: 1002 })]).problems;
    expect(p).toEqual({ severity: 'blocking', source: 'Payments', value: 's0:payment:OLD', message: 'Zoho 1002: No such invoice. (its row is no longer in the sheet)', code: 'zoho-error-1002' });
  });

  it('groups them by what happened, failures first', () => {
    const items = [
      ...['A', 'B', 'C'].map((x) => item({ idempotencyKey: `s1:payment:${x}`, kind: 'payment', state: 'needs_review', status: 'Needs review: Zoho did not confirm this payment.' })),
      ...['AMZN1', 'AMZN2'].map((x) => item({ idempotencyKey: `s1:invoice:${x}`, state: 'failed', status: `Zoho 1001: Invoice ${x} already exists.`, code: 1001 })),
      item({ idempotencyKey: 's1:invoice:AMZN3', state: 'failed', status: 'Zoho 4: Invalid value passed for customer_id.', code: 4 }),
      item({ idempotencyKey: 's1:invoice:AMZN4', state: 'failed', status: 'Not in Zoho when looked up at 2026-12-05 10:00 UTC: not posted.', code: 1001 }),
      item({ idempotencyKey: 's1:invoice:AMZN5', state: 'failed', status: 'Not in Zoho when looked up at 2026-12-05 10:02 UTC: not posted.', code: 1001 }),
    ];
    const kinds = problemKinds(postingAttention([invoices, payments], items).problems);
    expect(kinds.map((k) => [k.severity, k.title, k.indexes.length])).toEqual([
      ['blocking', 'Zoho error 1001', 2],
      ['blocking', 'Not in Zoho when looked up at …: not posted. (its row is no longer in the sheet)', 2],
      ['blocking', 'Zoho …: Invalid value passed for customer_id.', 1],
      ['warning', 'To check in Zoho: sent without Zoho confirming them', 3],
    ]);
  });
});
