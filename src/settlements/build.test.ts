import { buildSettlementPosting } from './posting';
import { defaultSettlementConfig, mergeSettlementConfig, ruleMatcher, DEFAULT_RULES, zohoIdsFromLists, type SettlementConfig } from './mapping';
import { paymentNotSentSentence, resolvePaymentBody, type InvoiceDocument, type JournalDocument, type PaymentDocument } from './documents';
import { withPostingStatus, rowsText, SETTLEMENT_SHEETS } from './sheets';
import { order, v2File, TEST_CONFIG, type V2Line } from '../../test/fixtures/settlements/make';

const config = (over: Partial<SettlementConfig> = {}) => mergeSettlementConfig(mergeSettlementConfig(defaultSettlementConfig(), TEST_CONFIG), over);
const otherLines: V2Line[] = [
  { type: 'other-transaction', amountType: 'other-transaction', desc: 'Subscription Fee', cents: -3999 },
  { type: 'other-transaction', amountType: 'other-transaction', desc: 'Current Reserve Amount', cents: -5000 },
  { type: 'other-transaction', amountType: 'other-transaction', desc: 'Previous Reserve Amount Balance', cents: 4000 },
  { type: 'other-transaction', amountType: 'FBA Inventory Reimbursement', desc: 'WAREHOUSE_DAMAGE', cents: 1234 },
  { type: 'other-transaction', amountType: 'Cost of Advertising', desc: 'TransactionTotalAmount', cents: -2222 },
];
const A = '111-1234567-7654321';
const B = '112-7777777-0000002';
const lines = [
  ...order(A, 'SKU-A', 2500),
  { type: 'Order', order: A, amountType: 'ItemPrice', desc: 'Shipping', cents: 499, sku: 'SKU-A', qty: 1 },
  ...order(B, 'SKU-B', 1000),
  { type: 'Refund', order: B, amountType: 'ItemPrice', desc: 'Principal', cents: -1000, sku: 'SKU-B', qty: 1 },
  { type: 'Refund', order: B, amountType: 'ItemFees', desc: 'RefundCommission', cents: -30, sku: 'SKU-B', qty: 1 },
  ...otherLines,
];
const total = lines.reduce((a, l) => a + l.cents, 0);
const file = { name: 'us.txt', text: v2File(lines) };
const blockingCodes = (ps: { severity: string; code?: string }[]) => ps.filter((p) => p.severity === 'blocking').map((p) => p.code);

describe('per-order invoices, payment, journal', () => {
  const r = buildSettlementPosting([file], config(), { invoiceMode: 'per-order' });
  const invoices = r.documents.filter((d): d is InvoiceDocument => d.kind === 'invoice');
  const [payment] = r.documents.filter((d): d is PaymentDocument => d.kind === 'payment');
  const [journal] = r.documents.filter((d): d is JournalDocument => d.kind === 'journal');

  it('has no problems and orders documents invoices → payment → journal', () => {
    expect(r.problems).toEqual([]);
    expect(r.blocked).toBe(false);
    expect(r.documents.map((d) => d.kind)).toEqual(['invoice', 'invoice', 'payment', 'journal']);
  });

  it('numbers invoices AMZN + last 7 digits and carries the Zoho body with string ids', () => {
    expect(invoices.map((i) => i.body.invoice_number)).toEqual(['AMZN7654321', 'AMZN0000002']);
    const a = invoices[0]!;
    expect(a.idempotencyKey).toBe('1000001:invoice:AMZN7654321');
    expect(a.lookup).toEqual({ invoice_number: 'AMZN7654321' });
    expect(a.query).toEqual({ ignore_auto_number_generation: true });
    expect(a.body).toMatchObject({ customer_id: '73985000000000001', invoice_number: 'AMZN7654321', date: '2024-11-05', reference_number: A });
    expect(a.body.line_items).toEqual([
      { item_id: '73985000000430759', rate: 25, quantity: 1, description: `SKU-A — order ${A}` },
      { item_id: '300', rate: 2, quantity: 1, description: 'Tax' },
      { item_id: '301', rate: 4.99, quantity: 1, description: 'Shipping' },
    ]);
    expect(a.cents.total).toBe(2500 + 200 + 499);
    expect(a.sourceRows).toEqual([{ file: 'us.txt', rows: [3, 4, 8] }]);
  });

  it('pays every invoice in one payment per settlement, referenced by the settlement id', () => {
    expect(payment.idempotencyKey).toBe('1000001:payment:1000001');
    expect(payment.lookup).toEqual({ reference_number: '1000001' });
    expect(payment.dependsOn).toEqual(invoices.map((i) => i.idempotencyKey));
    expect(payment.body).toMatchObject({ customer_id: '73985000000000001', payment_mode: 'banktransfer', amount: 31.99 + 10.8, date: '2024-11-17', reference_number: '1000001', account_id: '111' });
    expect(payment.body.invoices).toEqual([
      { invoice_id: '', amount_applied: 31.99 },
      { invoice_id: '', amount_applied: 10.8 },
    ]);
    expect(payment.applies.map((a) => a.amountAppliedCents)).toEqual([3199, 1080]);
  });

  it('resolves the payment invoice ids from the worker id map, refusing while one is unknown', () => {
    const ids = new Map([[invoices[0]!.idempotencyKey, '73985000000500001']]);
    expect(resolvePaymentBody(payment, (k) => ids.get(k))).toEqual({ ok: false, missing: [invoices[1]!.idempotencyKey] });
    expect(paymentNotSentSentence(['k1'])).toBe('Not sent: its invoice k1 is not in Zoho (see their rows).');
    expect(paymentNotSentSentence(['k1', 'k2', 'k3'])).toBe('Not sent: its invoices k1, k2, k3 are not in Zoho (see their rows).');
    // a settlement's payment applies to dozens: a few named, the rest counted
    expect(paymentNotSentSentence(['k1', 'k2', 'k3', 'k4', 'k5'])).toBe('Not sent: its invoices k1, k2, k3 and 2 more are not in Zoho (see their rows).');
    ids.set(invoices[1]!.idempotencyKey, '73985000000500002');
    const ok = resolvePaymentBody(payment, (k) => ids.get(k));
    expect(ok.ok && ok.body.invoices.map((i) => i.invoice_id)).toEqual(['73985000000500001', '73985000000500002']);
    expect(payment.body.invoices[0]!.invoice_id).toBe(''); // the document itself is not changed
  });

  it('books the rest in one balanced journal with the bank deposit and the clearing line', () => {
    const cents = (l: { amount: number }) => Math.round(l.amount * 100);
    const debit = journal.body.line_items.filter((l) => l.debit_or_credit === 'debit').reduce((a, l) => a + cents(l), 0);
    const credit = journal.body.line_items.filter((l) => l.debit_or_credit === 'credit').reduce((a, l) => a + cents(l), 0);
    expect(debit).toBe(credit);
    expect(journal.cents.total).toBe(debit);
    const byAccount = Object.fromEntries(r.build.journals[0]!.lines.map((l) => [l.account, l.creditCents]));
    expect(byAccount).toEqual({
      'Amazon Selling Fees': -375 - 150 - 30 - 3999,
      'FBA Fees': -700,
      'Sales Tax Payable': -200 - 80,
      'Amazon Refunds': -1000,
      'Amazon Reserve': -1000,
      'Amazon Reimbursements': 1234,
      Advertising: -2222,
      Bank: -total,
      'Amazon Clearing': 3199 + 1080, // credited: the payment debited it by the sales
    });
    expect(journal.body).toMatchObject({ journal_date: '2024-11-17', reference_number: '1000001' });
    expect(journal.body.line_items.find((l) => l.account_id === '112')).toMatchObject({ debit_or_credit: total > 0 ? 'debit' : 'credit' });
  });

  it('reconciles: invoices + journal items = total-amount, clearing zero', () => {
    expect(r.reconciliation).toEqual([
      expect.objectContaining({ totalCents: total, detailCents: total, invoicedCents: 4279, paymentCents: 4279, appliedCents: 4279, journalItemsCents: total - 4279, unmappedCents: 0, clearingCents: 0, balanced: true }),
    ]);
  });

  it('writes the four sheets and the problems sheet, ids as text and a KEY per row', () => {
    expect(r.sheets.map((s) => s.name)).toEqual(['Invoices', 'Payments', 'Journals', 'Reconciliation', SETTLEMENT_SHEETS.problems]);
    const inv = r.sheets[0]!;
    expect(inv.columns.find((c) => c.header === 'ITEM_ID')!.type).toBe('id');
    expect(inv.rows[0]).toEqual(['1000001', 'AMZN7654321', A, '2024-11-05', 'Amazon.com', '73985000000000001', 'SKU-A', '73985000000430759', 1, 2500, 2500, 3199, 'USD', '3', '1000001:invoice:AMZN7654321']);
    const j = r.sheets[2]!;
    const debits = j.rows.reduce((a, row) => a + ((row[5] as number | null) ?? 0), 0);
    const credits = j.rows.reduce((a, row) => a + ((row[6] as number | null) ?? 0), 0);
    expect(debits).toBe(credits);
    const status = withPostingStatus(inv, new Map([['1000001:invoice:AMZN7654321', '73985000000500001']]));
    expect(status.columns.at(-1)!.header).toBe('STATUS');
    expect(status.rows.map((row) => row.at(-1))).toEqual(['73985000000500001', '73985000000500001', '73985000000500001', null, null]);
  });

  it('builds the same idempotency keys on a re-run', () => {
    const again = buildSettlementPosting([file], config(), { invoiceMode: 'per-order' });
    expect(again.documents.map((d) => d.idempotencyKey)).toEqual(r.documents.map((d) => d.idempotencyKey));
  });
});

describe('per-settlement invoices', () => {
  it('makes one summary invoice per settlement and currency, lines per SKU and charge', () => {
    const r = buildSettlementPosting([file, { name: 'de.txt', text: v2File(order('302-1111111-2222222', 'SKU-A', 1500, { market: 'Amazon.de' }), { id: '1000002', currency: 'EUR' }) }], config(), { invoiceMode: 'per-settlement' });
    expect(blockingCodes(r.problems)).toEqual([]);
    const inv = r.documents.filter((d): d is InvoiceDocument => d.kind === 'invoice');
    expect(inv.map((i) => [i.body.invoice_number, i.currency, i.cents.total])).toEqual([
      ['AMZS-1000001-USD', 'USD', 4279],
      ['AMZS-1000002-EUR', 'EUR', 1620],
    ]);
    expect(inv[0]!.body.line_items.map((l) => [l.item_id, l.rate, l.quantity])).toEqual([
      ['73985000000430759', 25, 1], ['300', 2.8, 1], ['301', 4.99, 1], ['73985000000430760', 10, 1],
    ]);
    expect(inv[0]!.body.reference_number).toBe('1000001');
    expect(r.reconciliation.every((x) => x.balanced)).toBe(true);
  });

  it('keeps quantity × rate exact, else quantity 1 at the line amount', () => {
    const l = (cents: number, qty: number): V2Line => ({ type: 'Order', order: A, amountType: 'ItemPrice', desc: 'Principal', cents, sku: 'SKU-A', qty });
    const r = buildSettlementPosting([{ name: 'q.txt', text: v2File([l(3000, 3)]) }], config());
    expect((r.documents[0] as InvoiceDocument).body.line_items[0]).toMatchObject({ rate: 10, quantity: 3 });
    const r2 = buildSettlementPosting([{ name: 'q.txt', text: v2File([l(1000, 3)]) }], config());
    expect((r2.documents[0] as InvoiceDocument).body.line_items[0]).toMatchObject({ rate: 10, quantity: 1 });
  });
});

describe('bad input', () => {
  it('blocks two orders on one AMZN number, naming both', () => {
    const r = buildSettlementPosting([{ name: 'c.txt', text: v2File([...order('111-0000001-1234567', 'SKU-A', 1000), ...order('222-9999999-1234567', 'SKU-A', 2000)]) }], config());
    const p = r.problems.find((x) => x.code === 'invoice-number-collision')!;
    expect(p.severity).toBe('blocking');
    expect(p.message).toContain('111-0000001-1234567');
    expect(p.message).toContain('222-9999999-1234567');
    expect(p.message).toContain('AMZN1234567');
    expect(buildSettlementPosting([{ name: 'c.txt', text: v2File([...order('111-0000001-1234567', 'SKU-A', 1000), ...order('222-9999999-1234567', 'SKU-A', 2000)]) }], config(), { invoiceMode: 'per-settlement' }).blocked).toBe(false);
  });

  it('blocks an unmapped SKU with its total and an unmapped fee type with its total, never dropping the amount', () => {
    const odd: V2Line = { type: 'other-transaction', amountType: 'other-transaction', desc: 'Brand New Fee', cents: -777 };
    const r = buildSettlementPosting([{ name: 'u.txt', text: v2File([...order(A, 'SKU-ZZ', 2000), odd, { ...odd, cents: -223 }]) }], config());
    const sku = r.problems.find((p) => p.code === 'unmapped-sku')!;
    expect(sku).toMatchObject({ severity: 'blocking', value: 'SKU-ZZ', row: 3 });
    expect(sku.message).toContain('20.00 USD on 1 row');
    const fee = r.problems.find((p) => p.code === 'unmapped-type')!;
    expect(fee).toMatchObject({ severity: 'blocking', row: 8, value: 'other-transaction / other-transaction / Brand New Fee' });
    expect(fee.message).toContain('-10.00 USD on 2 rows');
    expect(r.reconciliation[0]).toMatchObject({ unmappedCents: -1000, balanced: false, clearingCents: 1000 });
    expect(r.reconciliation[0]!.status).toContain('-10.00 not mapped');
  });

  it('does not invoice Non-Amazon (multi-channel) orders; their amounts go to the journal', () => {
    const mcf = order('S01-1234567-7654321', 'SKU-A', 1000, { market: 'Non-Amazon' });
    const r = buildSettlementPosting([{ name: 'm.txt', text: v2File(mcf) }], config());
    expect(r.documents.map((d) => d.kind)).toEqual(['journal']);
    expect(r.reconciliation[0]).toMatchObject({ invoicedCents: 0, balanced: true });
    expect(r.build.journals[0]!.lines.find((l) => l.account === 'Amazon Sales')!.creditCents).toBe(1000);
  });

  it('skips an already-paid invoice with the reason and never applies above a known balance', () => {
    const balances = new Map([
      ['AMZN7654321', { invoiceId: '73985000000500001', balanceCents: 0 }],
      ['AMZN0000002', { invoiceId: '73985000000500002', balanceCents: 500 }],
    ]);
    const r = buildSettlementPosting([file], config(), { balances });
    const p = r.documents.find((d): d is PaymentDocument => d.kind === 'payment')!;
    expect(p.body.invoices).toEqual([{ invoice_id: '73985000000500002', amount_applied: 5 }]);
    expect(p.dependsOn).toEqual([]);
    expect(p.body.amount).toBe(42.79);
    expect(r.problems.filter((x) => x.severity === 'warning').map((x) => x.code)).toEqual(['invoice-already-paid', 'invoice-partly-paid']);
    expect(r.problems.find((x) => x.code === 'invoice-already-paid')!.message).toContain('already paid');
    const sheet = r.sheets[1]!;
    expect(sheet.rows.map((row) => [row[6], row[9], row[11]])).toEqual([
      ['AMZN7654321', 0, expect.stringContaining('Skipped')],
      ['AMZN0000002', 500, expect.stringContaining('open balance 5.00')],
    ]);
    expect(r.reconciliation[0]).toMatchObject({ paymentCents: 4279, appliedCents: 500, clearingCents: 0 });
  });

  it('blocks missing Zoho ids for customers and accounts before posting', () => {
    const r = buildSettlementPosting([file], mergeSettlementConfig(defaultSettlementConfig(), { items: TEST_CONFIG.items, chargeItems: TEST_CONFIG.chargeItems }));
    expect(new Set(blockingCodes(r.problems))).toEqual(new Set(['unmapped-customer', 'unmapped-account']));
    expect(r.problems.find((p) => p.code === 'unmapped-customer')!.message).toContain('Marketplace "Amazon.com" has no Zoho customer');
  });
});

describe('default mappings', () => {
  const match = ruleMatcher(DEFAULT_RULES);
  it.each([
    ['Order', 'ItemPrice', 'Principal', 'Amazon Sales', 'sale'],
    ['Order', 'ItemPrice', 'Tax', 'Sales Tax Payable', 'sale'],
    ['Order', 'ItemPrice', 'Shipping', 'Shipping Income', 'sale'],
    ['Order', 'ItemPrice', 'ShippingTax', 'Sales Tax Payable', 'sale'],
    ['Order', 'Promotion', 'Principal', 'Promotional Rebates', 'journal'],
    ['Order', 'Promotion', 'Shipping', 'Promotional Rebates', 'journal'],
    ['Order', 'ItemFees', 'Commission', 'Amazon Selling Fees', 'journal'],
    ['Refund', 'ItemFees', 'RefundCommission', 'Amazon Selling Fees', 'journal'],
    ['Order', 'ItemFees', 'FBAPerUnitFulfillmentFee', 'FBA Fees', 'journal'],
    ['Order', 'ItemFees', 'FBAPerOrderFulfillmentFee', 'FBA Fees', 'journal'],
    ['Order', 'ItemFees', 'FBAWeightBasedFee', 'FBA Fees', 'journal'],
    ['other-transaction', 'other-transaction', 'DigitalServicesFee', 'Amazon Selling Fees', 'journal'],
    ['Order', 'ItemWithheldTax', 'MarketplaceFacilitatorTax-Principal', 'Sales Tax Payable', 'journal'],
    ['Order', 'ItemWithheldTax', 'MarketplaceFacilitatorVAT-Shipping', 'Sales Tax Payable', 'journal'],
    ['other-transaction', 'other-transaction', 'Current Reserve Amount', 'Amazon Reserve', 'journal'],
    ['other-transaction', 'other-transaction', 'Previous Reserve Amount Balance', 'Amazon Reserve', 'journal'],
    ['other-transaction', 'FBA Inventory Reimbursement', 'WAREHOUSE_DAMAGE', 'Amazon Reimbursements', 'journal'],
    ['FBA Inventory Reimbursement', 'other-transaction', 'FBA Inventory Reimbursement', 'Amazon Reimbursements', 'journal'],
    ['other-transaction', 'other-transaction', 'WAREHOUSE_DAMAGE', 'Amazon Reimbursements', 'journal'],
    ['other-transaction', 'other-transaction', 'RemovalComplete', 'FBA Fees', 'journal'],
    ['RemovalComplete', 'other-transaction', 'RemovalComplete', 'FBA Fees', 'journal'],
    ['other-transaction', 'Cost of Advertising', 'TransactionTotalAmount', 'Advertising', 'journal'],
    ['other-transaction', 'other-transaction', 'Subscription Fee', 'Amazon Selling Fees', 'journal'],
    ['other-transaction', 'other-transaction', 'Inbound Transportation Fee', 'FBA Fees', 'journal'],
    ['other-transaction', 'other-transaction', 'Payable to Amazon', 'Amazon Reserve', 'journal'],
    ['other-transaction', 'other-transaction', 'Successful charge', 'Bank', 'journal'],
    ['other-transaction', 'other-transaction', 'Micro Deposit', 'Bank', 'journal'],
    ['Refund', 'ItemPrice', 'Principal', 'Amazon Refunds', 'journal'],
    ['Refund', 'ItemPrice', 'Tax', 'Sales Tax Payable', 'journal'],
  ])('%s / %s / %s → %s (%s)', (t, a, d, account, posting) => {
    expect(match({ transactionType: t, amountType: a, amountDescription: d })).toMatchObject({ account, posting });
  });

  it('leaves an unknown type unmapped, and a user rule wins over a default', () => {
    expect(match({ transactionType: 'x', amountType: 'y', amountDescription: 'z' })).toBeUndefined();
    const c = mergeSettlementConfig(defaultSettlementConfig(), { rules: [{ amountDescription: 'Commission', account: 'My Fees', posting: 'journal' }] });
    expect(ruleMatcher(c.rules)({ transactionType: 'Order', amountType: 'ItemFees', amountDescription: 'commission' })!.account).toBe('My Fees');
  });

  it('takes Zoho ids from the organisation lists, ids kept as strings', () => {
    const ids = zohoIdsFromLists({
      accounts: [{ account_id: '73985000000000111', account_name: 'FBA Fees' }],
      items: [{ item_id: '73985000000000222', name: 'Red mug', sku: 'SKU-RED' }, { item_id: '73985000000000333', name: 'Sales Tax' }],
      contacts: [{ contact_id: '73985000000000444', contact_name: 'Amazon.com' }],
    });
    expect(ids).toEqual({
      accounts: { 'FBA Fees': '73985000000000111' },
      items: { 'SKU-RED': '73985000000000222' },
      chargeItems: { Tax: '73985000000000333' },
      customers: { 'Amazon.com': '73985000000000444' },
    });
  });
});

describe('rowsText', () => {
  it('compacts runs', () => expect(rowsText([9, 3, 4, 5, 11, 4])).toBe('3-5, 9, 11'));
});

describe('a settlement whose invoices are all paid already', () => {
  it('builds no payment (no unapplied duplicate) and shows why', () => {
    const balances = new Map([
      ['AMZN7654321', { invoiceId: '73985000000500001', balanceCents: 0 }],
      ['AMZN0000002', { invoiceId: '73985000000500002', balanceCents: 0 }],
    ]);
    const r = buildSettlementPosting([file], config(), { balances });
    expect(r.documents.map((d) => d.kind)).toEqual(['invoice', 'invoice', 'journal']);
    expect(r.problems.find((p) => p.code === 'payment-skipped')).toMatchObject({ severity: 'warning', value: '1000001' });
    expect(r.reconciliation[0]).toMatchObject({ paymentCents: 0, clearingCents: -4279, balanced: false });
    expect(r.sheets[1]!.rows.every((row) => String(row[11]).includes('No payment built') && row[12] === '')).toBe(true);
  });
});
