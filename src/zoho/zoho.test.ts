import { takeCensus, type CensusItem, type Holding } from './census';
import { compareAmount, DOCUMENT_ORDER, documentRank, DUPLICATE_GUARD, lookupKey, zohoCents, type ZohoDocument } from './documents';

const invoice = (number: string, cents: number): ZohoDocument => ({
  kind: 'invoice',
  idempotencyKey: `S1:invoice:${number}`,
  lookup: { invoice_number: number },
  currency: 'USD',
  cents: { total: cents },
  query: { ignore_auto_number_generation: true },
  body: { invoice_number: number, customer_id: 'C1' },
});
const payment = (ref: string, cents: number, customer = 'C1'): ZohoDocument => ({
  kind: 'payment',
  idempotencyKey: `S1:payment:${ref}`,
  lookup: { reference_number: ref },
  currency: 'USD',
  cents: { total: cents },
  body: { reference_number: ref, customer_id: customer },
});
const journal = (ref: string, cents: number, currency = 'USD'): ZohoDocument => ({
  kind: 'journal',
  idempotencyKey: `S1:journal:${ref}`,
  lookup: { reference_number: ref },
  currency,
  cents: { total: cents },
  body: { reference_number: ref },
});

describe('Zoho documents', () => {
  it('has one order and a guard for every kind', () => {
    expect(DOCUMENT_ORDER).toEqual(['invoice', 'payment', 'journal']);
    expect(DOCUMENT_ORDER.map(documentRank)).toEqual([0, 1, 2]);
    expect(DUPLICATE_GUARD).toEqual({ invoice: 'unique-number', payment: 'none', journal: 'none' });
    expect(lookupKey(invoice('AMZN1', 1))).toEqual({ field: 'invoice_number', value: 'AMZN1' });
    expect(lookupKey(journal('S9', 1))).toEqual({ field: 'reference_number', value: 'S9' });
  });

  it('reads Zoho amounts into cents exactly, in the currency’s minor units', () => {
    expect(zohoCents(1200.1, 'USD')).toBe(120010);
    expect(zohoCents('31.99', 'USD')).toBe(3199);
    expect(zohoCents(0.1 + 0.2, 'USD')).toBe(30);
    expect(zohoCents(1500, 'JPY')).toBe(1500);
    expect(zohoCents(1.234, 'KWD')).toBe(1234);
    expect(zohoCents(12.345, 'USD')).toBeUndefined();
    expect(zohoCents(undefined, 'USD')).toBeUndefined();
    expect(zohoCents('', 'USD')).toBeUndefined();
    expect(zohoCents(null, 'USD')).toBeUndefined();
  });

  it('compares in cents: a missing or unreadable amount is not a match', () => {
    expect(compareAmount(invoice('A', 3199), { total: 31.99 }, 'A')).toEqual({ ok: true, zohoCents: 3199 });
    expect(compareAmount(payment('P', 3199), { amount: '31.99' }, 'P')).toEqual({ ok: true, zohoCents: 3199 });
    // A float comparison would call these equal or choke on them; cents do not.
    expect(compareAmount(invoice('A', 3199), { total: 31.990000001 }, 'A').ok).toBe(false);
    const missing = compareAmount(journal('J', 500), {}, '77');
    expect(missing).toMatchObject({ ok: false, zohoCents: null });
    expect(!missing.ok && missing.message).toContain('no readable total');
    const other = compareAmount(payment('P', 3199), { amount: 31.98 }, '12');
    expect(other).toEqual({ ok: false, zohoCents: 3198, message: "Zoho's payment 12 is for 31.98 USD, this document for 31.99 USD." });
  });
});

describe('census', () => {
  const held = (kind: Holding['kind'], zohoId: string, entity: Record<string, unknown>): Holding => ({ kind, zohoId, entity });
  const items: CensusItem[] = [
    { seq: 1, document: invoice('AMZN1', 1000), recordedId: 'I1' },
    { seq: 2, document: payment('S1', 1000), recordedId: 'P1' },
    { seq: 3, document: journal('S1', 250), recordedId: 'J1' },
  ];

  it('finds nothing when every document is in Zoho once, as recorded', () => {
    const holdings = [
      held('invoice', 'I1', { invoice_number: 'AMZN1', total: 10 }),
      held('payment', 'P1', { reference_number: 'S1', customer_id: 'C1', amount: 10 }),
      // Another customer's payment with the same reference is not ours.
      held('payment', 'PX', { reference_number: 'S1', customer_id: 'C2', amount: 99 }),
      held('journal', 'J1', { reference_number: 'S1', total: 2.5 }),
      // Listed twice by overlapping list calls: still one copy.
      held('journal', 'J1', { reference_number: 'S1', total: 2.5 }),
    ];
    expect(takeCensus(items, holdings)).toEqual([]);
  });

  it('reports a duplicate with both ids and amounts, a missing one, another id and another amount', () => {
    const holdings = [
      held('invoice', 'I1', { invoice_number: 'AMZN1', total: 10 }),
      held('journal', 'J1', { reference_number: 'S1', total: 2.5 }),
      held('journal', 'J2', { reference_number: 'S1', total: 2.5 }),
    ];
    const f = takeCensus(items, holdings);
    expect(f.map((x) => [x.type, x.idempotencyKey])).toEqual([
      ['missing', 'S1:payment:S1'],
      ['duplicate', 'S1:journal:S1'],
    ]);
    expect(f[1]).toMatchObject({
      kind: 'journal',
      key: { field: 'reference_number', value: 'S1' },
      expectedCents: 250,
      recordedId: 'J1',
      copies: [
        { zohoId: 'J1', cents: 250, recorded: true },
        { zohoId: 'J2', cents: 250, recorded: false },
      ],
    });
    const other = takeCensus([items[0]!], [held('invoice', 'I9', { invoice_number: 'AMZN1', total: 10 })]);
    expect(other.map((x) => x.type)).toEqual(['other-id']);
    const amount = takeCensus([items[0]!], [held('invoice', 'I1', { invoice_number: 'AMZN1', total: 10.01 })]);
    expect(amount).toMatchObject([{ type: 'amount-mismatch', copies: [{ zohoId: 'I1', cents: 1001 }] }]);
  });
});

describe('census and voided copies', () => {
  it('counts a voided invoice as not held', () => {
    const items: CensusItem[] = [{ seq: 1, document: invoice('AMZN1', 1000), recordedId: 'I1' }];
    const holdings: Holding[] = [
      { kind: 'invoice', zohoId: 'I1', entity: { invoice_number: 'AMZN1', total: 10, status: 'sent' } },
      { kind: 'invoice', zohoId: 'I2', entity: { invoice_number: 'AMZN1', total: 10, status: 'void' } },
    ];
    expect(takeCensus(items, holdings)).toEqual([]);
  });
});
