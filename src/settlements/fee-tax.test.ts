import { buildSettlementPosting } from './posting';
import { reconciliationStatus, type ReconciliationFacts } from './build';
import { ACCOUNT, DEFAULT_RULES, defaultSettlementConfig, mergeSettlementConfig, ruleMatcher } from './mapping';
import { neutraliseText } from '../kernel/csv';
import { v2File, TEST_CONFIG, type V2Line } from '../../test/fixtures/settlements/make';

/** One marketplace's report flavour: currency, marketplace name, number and date style as Amazon writes them. */
interface Flavour {
  name: string;
  market: string;
  currency: string;
  decimal: '.' | ',';
  date?: (iso: string) => string;
  /** The fee-tax and withheld-tax lines this marketplace's reports carry. */
  lines: V2Line[];
}

const dotted = (iso: string) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)} 00:00:00 UTC`;
const feeTaxLines = (order: string, sku: string): V2Line[] =>
  ['CommissionTax', 'FBAPerUnitFulfillmentFeeTax', 'FBAPerOrderFulfillmentFeeTax', 'FBAWeightBasedFeeTax', 'ShippingChargebackTax', 'GiftwrapChargebackTax', 'VariableClosingFeeTax', 'FixedClosingFeeTax', 'DigitalServicesFeeTax'].map(
    (desc, i) => ({ type: 'Order', order, amountType: 'ItemFees', desc, cents: -(11 + i), sku, qty: 1 }),
  );
const refundFeeTax = (order: string, sku: string): V2Line[] => [
  { type: 'Refund', order, amountType: 'ItemPrice', desc: 'Principal', cents: -1000, sku, qty: 1 },
  { type: 'Refund', order, amountType: 'ItemFees', desc: 'Commission', cents: 150, sku, qty: 1 },
  { type: 'Refund', order, amountType: 'ItemFees', desc: 'CommissionTax', cents: 20, sku, qty: 1 },
  { type: 'Refund', order, amountType: 'ItemFees', desc: 'RefundCommission', cents: -30, sku, qty: 1 },
  { type: 'Refund', order, amountType: 'ItemFees', desc: 'RefundCommissionTax', cents: -4, sku, qty: 1 },
  { type: 'Refund', order, amountType: 'ItemFees', desc: 'ShippingChargebackTax', cents: 3, sku, qty: 1 },
];
const otherFees: V2Line[] = [
  { type: 'other-transaction', amountType: 'other-transaction', desc: 'Subscription Fee', cents: -3999 },
  { type: 'other-transaction', amountType: 'other-transaction', desc: 'SubscriptionFeeTax', cents: -520 },
  { type: 'other-transaction', amountType: 'other-transaction', desc: 'DigitalServicesFee', cents: -120 },
  { type: 'other-transaction', amountType: 'other-transaction', desc: 'DigitalServicesFeeTax', cents: -24 },
  { type: 'ServiceFee', amountType: 'Cost of Advertising', desc: 'TransactionTotalAmount', cents: -2222 },
  { type: 'ServiceFee', amountType: 'Cost of Advertising', desc: 'TaxAmount', cents: -289 },
  { type: 'ServiceFee', amountType: 'other-transaction', desc: 'TransactionTotalAmount', cents: -500 },
  { type: 'ServiceFee', amountType: 'other-transaction', desc: 'TaxAmount', cents: -65 },
];
/** An order whose tax Amazon collects and withholds as the marketplace facilitator, under the given descriptions. */
const withheld = (order: string, sku: string, descriptions: string[]): V2Line[] => [
  { type: 'Order', order, amountType: 'ItemPrice', desc: 'Principal', cents: 2000, sku, qty: 1 },
  { type: 'Order', order, amountType: 'ItemPrice', desc: 'Shipping', cents: 500, sku, qty: 1 },
  { type: 'Order', order, amountType: 'ItemFees', desc: 'Commission', cents: -300, sku, qty: 1 },
  { type: 'Order', order, amountType: 'ItemFees', desc: 'DigitalServicesFee', cents: -6, sku, qty: 1 },
  ...descriptions.flatMap((desc, i): V2Line[] => [
    { type: 'Order', order, amountType: 'ItemPrice', desc: i === 1 ? 'ShippingTax' : 'Tax', cents: 100 + i, sku, qty: 1 },
    { type: 'Order', order, amountType: 'ItemWithheldTax', desc, cents: -(100 + i), sku, qty: 1 },
  ]),
];

const A = '701-1111111-1234567';
const B = '702-2222222-7654321';
const FLAVOURS: Flavour[] = [
  {
    name: 'CA (GST/HST on fees, facilitator PST)',
    market: 'Amazon.ca',
    currency: 'CAD',
    decimal: '.',
    lines: [...feeTaxLines(A, 'SKU-A'), ...withheld(B, 'SKU-B', ['MarketplaceFacilitatorTax-Principal', 'MarketplaceFacilitatorTax-Shipping']), ...otherFees],
  },
  {
    name: 'US (facilitator tax incl. other and restocking fee)',
    market: 'Amazon.com',
    currency: 'USD',
    decimal: '.',
    lines: [
      ...withheld(A, 'SKU-A', ['MarketplaceFacilitatorTax-Principal', 'MarketplaceFacilitatorTax-Shipping', 'MarketplaceFacilitatorTax-Other', 'MarketplaceFacilitatorTax-RestockingFee', 'ItemWithheldTax']),
      ...refundFeeTax(B, 'SKU-B'),
      ...otherFees,
    ],
  },
  {
    name: 'UK (VAT on fees, low-value goods VAT)',
    market: 'Amazon.co.uk',
    currency: 'GBP',
    decimal: '.',
    date: (iso) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} 13:05:00 UTC`,
    lines: [...feeTaxLines(A, 'SKU-A'), ...withheld(B, 'SKU-B', ['LowValueGoodsTax-Principal', 'LowValueGoodsTax-Shipping', 'MarketplaceFacilitatorVAT-Principal']), ...otherFees],
  },
  {
    name: 'DE (decimal comma, dotted dates)',
    market: 'Amazon.de',
    currency: 'EUR',
    decimal: ',',
    date: dotted,
    lines: [...feeTaxLines(A, 'SKU-A'), ...refundFeeTax(A, 'SKU-A'), ...withheld(B, 'SKU-B', ['MarketplaceFacilitatorVAT-Principal', 'MarketplaceFacilitatorVAT-Shipping']), ...otherFees],
  },
  {
    name: 'FR (decimal comma, dotted dates)',
    market: 'Amazon.fr',
    currency: 'EUR',
    decimal: ',',
    date: dotted,
    lines: [...feeTaxLines(B, 'SKU-B'), ...withheld(A, 'SKU-A', ['LowValueGoodsTax-Principal', 'LowValueGoodsTax-Shipping']), ...otherFees],
  },
];

const config = (market: string) =>
  mergeSettlementConfig(mergeSettlementConfig(defaultSettlementConfig(), TEST_CONFIG), { customers: { [market]: '73985000000000009' } });
/** Lines Amazon withholds or that tax a fee: what the new default rules exist for. */
const isTaxLine = (l: V2Line) => /Tax/.test(l.desc) && l.amountType !== 'ItemPrice';

describe.each(FLAVOURS)('a $name settlement with every fee-tax line', (f) => {
  const lines = f.lines.map((l) => ({ ...l, market: l.order ? f.market : '' }));
  const file = { name: `${f.currency.toLowerCase()}.txt`, text: v2File(lines, { currency: f.currency, decimal: f.decimal, date: f.date }) };
  const r = buildSettlementPosting([file], config(f.market), { invoiceMode: 'per-order' });

  it('maps every line and leaves the clearing account at zero cents', () => {
    expect(r.problems.filter((p) => p.severity === 'blocking')).toEqual([]);
    const rec = r.reconciliation[0]!;
    expect(rec).toMatchObject({ currency: f.currency, unmappedCents: 0, clearingCents: 0, balanced: true, totalCents: lines.reduce((a, l) => a + l.cents, 0) });
    expect(Number.isInteger(rec.clearingCents) && Number.isInteger(rec.journalItemsCents)).toBe(true);
    expect(rec.status).toBe('Balanced: invoices + journal items = total-amount; clearing is zero.');
  });

  it('books tax on fees to the fee-tax account and withheld tax to sales tax', () => {
    const byAccount = new Map(r.build.journals[0]!.lines.map((l) => [l.account, l.creditCents]));
    const feeTax = lines.filter((l) => isTaxLine(l) && l.amountType !== 'ItemWithheldTax').reduce((a, l) => a + l.cents, 0);
    expect(feeTax).toBeLessThan(0);
    expect(byAccount.get(ACCOUNT.feeTax)).toBe(feeTax);
    const withheldTax = lines.filter((l) => l.amountType === 'ItemWithheldTax').reduce((a, l) => a + l.cents, 0);
    const collected = lines.filter((l) => l.amountType === 'ItemPrice' && /Tax$/.test(l.desc) && l.type !== 'Order').reduce((a, l) => a + l.cents, 0);
    expect(byAccount.get(ACCOUNT.salesTax)).toBe(withheldTax + collected);
  });
});

describe('fee-tax default rules', () => {
  const match = ruleMatcher(DEFAULT_RULES);
  it.each([
    ['Order', 'ItemFees', 'CommissionTax', ACCOUNT.feeTax],
    ['Refund', 'ItemFees', 'RefundCommissionTax', ACCOUNT.feeTax],
    ['Order', 'ItemFees', 'FBAPerUnitFulfillmentFeeTax', ACCOUNT.feeTax],
    ['Order', 'ItemFees', 'ShippingChargebackTax', ACCOUNT.feeTax],
    ['Order', 'ItemFees', 'SomeFutureFeeTax', ACCOUNT.feeTax],
    ['Order', 'ItemFees', 'DigitalServicesFee', ACCOUNT.sellingFees],
    ['Order', 'ItemFees', 'DigitalServicesFeeTax', ACCOUNT.feeTax],
    ['other-transaction', 'other-transaction', 'SubscriptionFeeTax', ACCOUNT.feeTax],
    ['ServiceFee', 'other-transaction', 'TaxAmount', ACCOUNT.feeTax],
    ['ServiceFee', 'Cost of Advertising', 'TaxAmount', ACCOUNT.feeTax],
    ['ServiceFee', 'Cost of Advertising', 'TransactionTotalAmount', ACCOUNT.advertising],
    ['ServiceFee', 'other-transaction', 'TransactionTotalAmount', ACCOUNT.sellingFees],
    ['Order', 'ItemWithheldTax', 'ItemWithheldTax', ACCOUNT.salesTax],
    ['Order', 'ItemWithheldTax', 'MarketplaceFacilitatorTax-RestockingFee', ACCOUNT.salesTax],
    ['Order', 'ItemWithheldTax', 'LowValueGoodsTax-Shipping', ACCOUNT.salesTax],
    ['Order', 'ItemFees', 'FBAPerUnitFulfillmentFee', ACCOUNT.fbaFees],
    ['Order', 'ItemPrice', 'Tax', ACCOUNT.salesTax],
  ])('%s / %s / %s → %s', (t, a, d, account) => {
    expect(match({ transactionType: t, amountType: a, amountDescription: d })).toMatchObject({ account, posting: a === 'ItemPrice' ? 'sale' : 'journal' });
  });
});

describe('reconciliation status sentences', () => {
  // Every combination of findings, with amounts of both signs: each sentence reaches a CSV or sheet unchanged.
  const amounts = [0, 1, -1, 98001, -1000];
  const facts: ReconciliationFacts[] = [];
  for (const totalMinusDetail of amounts)
    for (const unmapped of [null, 0, -1000, 777])
      for (const clearing of amounts) for (const unapplied of amounts) facts.push({ totalMinusDetail, unmapped, clearing, unapplied });

  it('starts every status with a letter, so the formula neutraliser leaves it as it is', () => {
    const seen = new Set<string>();
    for (const f of facts)
      for (const currency of ['USD', 'EUR', 'JPY']) {
        const status = reconciliationStatus(currency, f);
        seen.add(status);
        expect(status).toMatch(/^[A-Za-z]/);
        expect(neutraliseText(status)).toBe(status);
      }
    expect(seen.size).toBeGreaterThan(400);
  });

  it('names each finding with its amount', () => {
    expect(reconciliationStatus('USD', { totalMinusDetail: 98001, unmapped: -1000, clearing: -1000, unapplied: 1 })).toBe(
      'The total-amount differs from the detail sum by 980.01; Amount -10.00 not mapped to an account; Clearing account left at -10.00; Amount 0.01 of the payment not applied to invoices',
    );
  });
});
